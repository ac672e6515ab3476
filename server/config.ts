/**
 * Reads and validates the environment once and decides which adapter each port uses.
 * A service is switched on only when all its required settings are present; some but not
 * all of them is a start-up error that names what is missing. Every setting is listed,
 * with a comment, in `.env.example`.
 */
import path from 'node:path';
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const flag = z
  .string()
  .trim()
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const wholeNumber = (fallback: number, min: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) {
        ctx.addIssue({ code: 'custom', message: min > 0 ? 'must be a positive whole number' : 'must be a whole number, 0 or more' });
        return z.NEVER;
      }
      return n;
    });

const positiveInt = (fallback: number) => wholeNumber(fallback, 1);

const envSchema = z.object({
  NODE_ENV: optional,
  DATA_DIR: optional,
  PUBLIC_SITE_URL: optional,
  PUBLIC_CONTACT_EMAIL: optional,
  SESSION_SECRET: optional,
  ALLOW_LOCAL_AUTH_IN_PRODUCTION: flag,
  ALLOW_LOCAL_BILLING_IN_PRODUCTION: flag,
  LOG_LEVEL: optional,
  JOB_INTERVAL_MS: positiveInt(30_000),
  RATE_LIMIT_GENERATE_PER_MINUTE: positiveInt(30),
  RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: positiveInt(60),
  RATE_LIMIT_SIGN_IN_PER_MINUTE: positiveInt(20),
  REQUEST_TIMEOUT_MS: positiveInt(60_000),
  HEADERS_TIMEOUT_MS: positiveInt(20_000),
  TRUST_PROXY: flag,
  SHUTDOWN_GRACE_MS: positiveInt(20_000),

  PUBLIC_CLERK_PUBLISHABLE_KEY: optional,
  CLERK_SECRET_KEY: optional,
  CLERK_JWT_KEY: optional,
  CLERK_WEBHOOK_SIGNING_SECRET: optional,
  CLERK_API_URL: optional,
  CLERK_AUTHORIZED_PARTIES: optional,

  MONGODB_URI: optional,
  MONGODB_DB: optional,

  CLOUDFLARE_ACCOUNT_ID: optional,
  CLOUDFLARE_API_TOKEN: optional,
  CLOUDFLARE_API_BASE_URL: optional,
  AI_TIMEOUT_MS: positiveInt(60_000),
  // 0 switches retries off.
  AI_MAX_RETRIES: wholeNumber(2, 0),

  R2_ACCOUNT_ID: optional,
  R2_ENDPOINT: optional,
  R2_ACCESS_KEY_ID: optional,
  R2_SECRET_ACCESS_KEY: optional,
  R2_BUCKET: optional,
  R2_PUBLIC_BASE_URL: optional,

  STRIPE_SECRET_KEY: optional,
  STRIPE_WEBHOOK_SECRET: optional,
  STRIPE_PRICE_PLUS: optional,
  STRIPE_PRICE_PRO: optional,
  STRIPE_API_URL: optional,

  PUBLIC_GA_MEASUREMENT_ID: optional,
  PUBLIC_GTM_ID: optional,
});

type Env = z.infer<typeof envSchema>;

export interface ClerkConfig {
  publishableKey: string;
  secretKey: string;
  jwtKey: string | null;
  webhookSigningSecret: string | null;
  apiUrl: string | null;
  authorizedParties: string[];
}

export interface MongoConfig {
  uri: string;
  db: string;
}

export interface CloudflareConfig {
  accountId: string;
  apiToken: string;
  /** The REST API base; tests point it at a local server speaking the same contract. */
  baseUrl: string;
}

export interface R2Config {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  publicBaseUrl: string | null;
}

export interface StripeConfig {
  secretKey: string;
  webhookSecret: string;
  prices: { plus: string; pro: string };
  /** Set only to reach stripe-mock in tests. */
  apiUrl: string | null;
}

export interface Config {
  production: boolean;
  dataDir: string;
  siteUrl: string;
  contactEmail: string;
  sessionSecret: string | null;
  logLevel: string;
  jobIntervalMs: number;
  /** Fixed one-minute windows kept in the Store, so they hold across server instances. */
  rateLimits: { generatePerUser: number; generatePerAddress: number; signInPerAddress: number };
  /** How long the node server waits for a whole request (headers, then body) before answering 408. */
  /** `shutdownGraceMs`: on SIGTERM, how long in-flight requests may run before generations are stopped and refunded. */
  http: { requestTimeoutMs: number; headersTimeoutMs: number; trustProxy: boolean; shutdownGraceMs: number };
  ai: { timeoutMs: number; maxRetries: number };
  clerk: ClerkConfig | null;
  mongo: MongoConfig | null;
  cloudflare: CloudflareConfig | null;
  r2: R2Config | null;
  stripe: StripeConfig | null;
  analytics: { gaMeasurementId: string | null; gtmId: string | null };
}

/** Returns the group when every required key is set, null when none is, and throws otherwise. */
type StringKey = { [K in keyof Env]-?: Env[K] extends string | undefined ? K : never }[keyof Env];

function group<K extends StringKey>(env: Env, service: string, required: K[], hint: string): { [P in K]: string } | null {
  const present = required.filter((k) => env[k] !== undefined);
  if (present.length === 0) return null;
  const missing = required.filter((k) => env[k] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `${service} is half configured: ${present.join(', ')} ${present.length === 1 ? 'is' : 'are'} set but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. ${hint}`,
    );
  }
  const values = {} as { [P in K]: string };
  for (const k of required) values[k] = env[k] as string;
  return values;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new ConfigError(`Invalid settings: ${lines.join('; ')}.`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';

  const clerk = group(env, 'Clerk', ['PUBLIC_CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY'], 'Set both keys from the Clerk dashboard, or neither for local sign-in.');
  const mongo = group(env, 'MongoDB', ['MONGODB_URI'], '');
  const cloudflare = group(env, 'Workers AI', ['CLOUDFLARE_ACCOUNT_ID', 'CLOUDFLARE_API_TOKEN'], 'Set both, or neither for the local preview model.');
  const r2Keys = group(env, 'R2', ['R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY', 'R2_BUCKET'], 'Set all R2 settings, or none for local file storage.');
  if (!r2Keys && (env.R2_ACCOUNT_ID || env.R2_ENDPOINT || env.R2_PUBLIC_BASE_URL)) {
    throw new ConfigError('R2 is half configured: R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY and R2_BUCKET are missing. Set all R2 settings, or none for local file storage.');
  }
  if (r2Keys && !env.R2_ACCOUNT_ID && !env.R2_ENDPOINT) {
    throw new ConfigError('R2 is half configured: R2_ACCOUNT_ID (or R2_ENDPOINT) is missing. Set it to your Cloudflare account id.');
  }
  const stripe = group(
    env,
    'Stripe',
    ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICE_PLUS', 'STRIPE_PRICE_PRO'],
    'Set the secret key, the webhook signing secret and a price id per paid plan, or none for local test billing.',
  );

  if (production && !clerk && !env.ALLOW_LOCAL_AUTH_IN_PRODUCTION) {
    throw new ConfigError(
      'Local sign-in is off in production: anyone could sign in as any email. Set PUBLIC_CLERK_PUBLISHABLE_KEY and CLERK_SECRET_KEY, or ALLOW_LOCAL_AUTH_IN_PRODUCTION=1 for a private demo.',
    );
  }
  if (production && !stripe && !env.ALLOW_LOCAL_BILLING_IN_PRODUCTION) {
    throw new ConfigError(
      'Local test billing is off in production: anyone could upgrade for free. Set the STRIPE_* settings, or ALLOW_LOCAL_BILLING_IN_PRODUCTION=1 for a private demo.',
    );
  }

  const siteUrl = (env.PUBLIC_SITE_URL ?? 'http://localhost:4321').replace(/\/+$/, '');
  return {
    production,
    dataDir: path.resolve(env.DATA_DIR ?? '.data'),
    siteUrl,
    contactEmail: env.PUBLIC_CONTACT_EMAIL ?? 'privacy@example.com',
    sessionSecret: env.SESSION_SECRET ?? null,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    jobIntervalMs: env.JOB_INTERVAL_MS,
    rateLimits: {
      generatePerUser: env.RATE_LIMIT_GENERATE_PER_MINUTE,
      generatePerAddress: env.RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE,
      signInPerAddress: env.RATE_LIMIT_SIGN_IN_PER_MINUTE,
    },
    http: { requestTimeoutMs: env.REQUEST_TIMEOUT_MS, headersTimeoutMs: env.HEADERS_TIMEOUT_MS, trustProxy: env.TRUST_PROXY, shutdownGraceMs: env.SHUTDOWN_GRACE_MS },
    ai: { timeoutMs: env.AI_TIMEOUT_MS, maxRetries: env.AI_MAX_RETRIES },
    clerk: clerk
      ? {
          publishableKey: clerk.PUBLIC_CLERK_PUBLISHABLE_KEY,
          secretKey: clerk.CLERK_SECRET_KEY,
          jwtKey: env.CLERK_JWT_KEY ?? null,
          webhookSigningSecret: env.CLERK_WEBHOOK_SIGNING_SECRET ?? null,
          apiUrl: env.CLERK_API_URL ?? null,
          authorizedParties: (env.CLERK_AUTHORIZED_PARTIES ?? siteUrl).split(',').map((s) => s.trim()).filter(Boolean),
        }
      : null,
    mongo: mongo ? { uri: mongo.MONGODB_URI, db: env.MONGODB_DB ?? 'artivio' } : null,
    cloudflare: cloudflare
      ? {
          accountId: cloudflare.CLOUDFLARE_ACCOUNT_ID,
          apiToken: cloudflare.CLOUDFLARE_API_TOKEN,
          baseUrl: (env.CLOUDFLARE_API_BASE_URL ?? 'https://api.cloudflare.com/client/v4').replace(/\/+$/, ''),
        }
      : null,
    r2: r2Keys
      ? {
          endpoint: env.R2_ENDPOINT ?? `https://${env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com`,
          accessKeyId: r2Keys.R2_ACCESS_KEY_ID,
          secretAccessKey: r2Keys.R2_SECRET_ACCESS_KEY,
          bucket: r2Keys.R2_BUCKET,
          publicBaseUrl: env.R2_PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? null,
        }
      : null,
    stripe: stripe
      ? {
          secretKey: stripe.STRIPE_SECRET_KEY,
          webhookSecret: stripe.STRIPE_WEBHOOK_SECRET,
          prices: { plus: stripe.STRIPE_PRICE_PLUS, pro: stripe.STRIPE_PRICE_PRO },
          apiUrl: env.STRIPE_API_URL ?? null,
        }
      : null,
    analytics: { gaMeasurementId: env.PUBLIC_GA_MEASUREMENT_ID ?? null, gtmId: env.PUBLIC_GTM_ID ?? null },
  };
}
