/**
 * A local stand-in for the Workers AI REST API, on 127.0.0.1. It speaks the documented
 * contract for every catalog model: same paths, Bearer auth, JSON bodies checked against each
 * model's documented input schema (400 with the v4 error envelope, code 5006, when they fail),
 * raw PNG answers for the SDXL family and the JSON envelope with a base64 image for FLUX and
 * Leonardo. The schemas below are copied from the docs, not from our catalog, so a catalog
 * mistake shows up as a rejected request.
 * @see https://developers.cloudflare.com/workers-ai/models/
 */
import http from 'node:http';
import sharp from 'sharp';

type Field =
  | { type: 'string'; minLength?: number; maxLength?: number }
  | { type: 'integer' | 'number'; minimum?: number; maximum?: number }
  | { type: 'array' };

interface ModelContract {
  fields: Record<string, Field>;
  /** FLUX.1 schnell's current schema refuses properties it does not list. */
  closed: boolean;
  output: 'png' | 'json-jpeg' | 'json-png';
  /** Size used when the request sends none. */
  defaultSize: number;
}

const SDXL_FAMILY: ModelContract = {
  fields: {
    prompt: { type: 'string', minLength: 1 },
    negative_prompt: { type: 'string' },
    height: { type: 'integer', minimum: 256, maximum: 2048 },
    width: { type: 'integer', minimum: 256, maximum: 2048 },
    image: { type: 'array' },
    image_b64: { type: 'string' },
    mask: { type: 'array' },
    num_steps: { type: 'integer', maximum: 20 },
    strength: { type: 'number' },
    guidance: { type: 'number' },
    seed: { type: 'integer' },
  },
  closed: false,
  output: 'png',
  defaultSize: 1024,
};

export const DOCUMENTED_MODELS: Record<string, ModelContract> = {
  '@cf/stabilityai/stable-diffusion-xl-base-1.0': SDXL_FAMILY,
  '@cf/bytedance/stable-diffusion-xl-lightning': SDXL_FAMILY,
  '@cf/lykon/dreamshaper-8-lcm': { ...SDXL_FAMILY, defaultSize: 512 },
  '@cf/black-forest-labs/flux-1-schnell': {
    fields: { prompt: { type: 'string', minLength: 1, maxLength: 2048 }, steps: { type: 'integer', maximum: 8 } },
    closed: true,
    output: 'json-jpeg',
    defaultSize: 1024,
  },
  '@cf/leonardo/lucid-origin': {
    fields: {
      prompt: { type: 'string', minLength: 1 },
      guidance: { type: 'number', minimum: 0, maximum: 10 },
      seed: { type: 'integer', minimum: 0 },
      height: { type: 'integer', minimum: 0, maximum: 2500 },
      width: { type: 'integer', minimum: 0, maximum: 2500 },
      num_steps: { type: 'integer', minimum: 1, maximum: 40 },
      steps: { type: 'integer', minimum: 1, maximum: 40 },
    },
    closed: false,
    output: 'json-png',
    defaultSize: 1120,
  },
};

/** A one-off misbehaviour for the next request (or every request, with `always`). */
export type FakeFailure =
  | { kind: 'rate-limited'; retryAfter?: string; code?: number }
  | { kind: 'server-error'; status?: 500 | 502 | 503 }
  | { kind: 'slow'; ms: number }
  | { kind: 'content-filter' }
  | { kind: 'not-an-image' }
  | { kind: 'drop-connection' };

export interface LoggedRequest {
  method: string;
  path: string;
  model: string;
  authorization: string | null;
  contentType: string | null;
  body: unknown;
  status: number;
}

export interface FakeWorkersAi {
  /** The REST base to use as CLOUDFLARE_API_BASE_URL. */
  baseUrl: string;
  accountId: string;
  apiToken: string;
  requests: LoggedRequest[];
  /** Queues failures: each request takes the next one; when the queue is empty requests succeed. */
  failNext(...failures: FakeFailure[]): void;
  /** Makes every request fail this way until `reset()`. */
  failAlways(failure: FakeFailure): void;
  reset(): void;
  close(): Promise<void>;
}

function envelope(code: number, message: string): string {
  return JSON.stringify({ success: false, errors: [{ code, message }], messages: [], result: {} });
}

/** Returns the first schema violation as the provider words it, or null. */
function validate(contract: ModelContract, body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return "type at '/' not met";
  const record = body as Record<string, unknown>;
  if (!('prompt' in record)) return "required properties at '/' are 'prompt'";
  for (const [key, value] of Object.entries(record)) {
    const field = contract.fields[key];
    if (!field) {
      if (contract.closed) return `additionalProperties at '/${key}' not allowed`;
      continue;
    }
    if (field.type === 'string') {
      if (typeof value !== 'string') return `type at '/${key}' not met`;
      const length = [...value].length;
      if (field.minLength !== undefined && length < field.minLength) return `minLength at '/${key}' not met`;
      if (field.maxLength !== undefined && length > field.maxLength) return `maxLength at '/${key}' not met`;
    } else if (field.type === 'array') {
      if (!Array.isArray(value)) return `type at '/${key}' not met`;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value) || (field.type === 'integer' && !Number.isInteger(value))) return `type at '/${key}' not met`;
      if (field.minimum !== undefined && value < field.minimum) return `minimum at '/${key}' not met`;
      if (field.maximum !== undefined && value > field.maximum) return `maximum at '/${key}' not met`;
    }
  }
  return null;
}

/** A flat picture whose colour follows the seed, so tests can tell answers apart. */
async function render(format: 'png' | 'jpeg', width: number, height: number, seed: number): Promise<Buffer> {
  const background = { r: seed % 256, g: (seed >> 8) % 256, b: (seed >> 16) % 256 };
  const image = sharp({ create: { width, height, channels: 3, background } });
  return format === 'png' ? image.png({ compressionLevel: 1 }).toBuffer() : image.jpeg({ quality: 70 }).toBuffer();
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeWorkersAi(options: { accountId?: string; apiToken?: string } = {}): Promise<FakeWorkersAi> {
  const accountId = options.accountId ?? 'acc0123456789abcdef';
  const apiToken = options.apiToken ?? 'fake-workers-ai-token';
  const requests: LoggedRequest[] = [];
  let queue: FakeFailure[] = [];
  let always: FakeFailure | null = null;
  const sockets = new Set<import('node:net').Socket>();
  const prefix = `/client/v4/accounts/${accountId}/ai/run/`;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(req);
    const model = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
    let parsed: unknown = null;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      parsed = text;
    }
    const entry: LoggedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      model,
      authorization: req.headers.authorization ?? null,
      contentType: req.headers['content-type'] ?? null,
      body: parsed,
      status: 0,
    };
    requests.push(entry);
    const send = (status: number, headers: Record<string, string>, payload: string | Buffer) => {
      entry.status = status;
      res.writeHead(status, { 'content-length': String(Buffer.byteLength(payload)), ...headers });
      res.end(payload);
    };
    const json = { 'content-type': 'application/json' };

    if (req.method !== 'POST') return send(405, json, envelope(7001, 'Method not allowed'));
    const auth = req.headers.authorization;
    if (!auth || !auth.startsWith('Bearer ')) return send(401, json, envelope(10000, 'Authentication error'));
    if (auth !== `Bearer ${apiToken}`) return send(403, json, envelope(10000, 'Authentication error'));
    if (!url.pathname.startsWith(`/client/v4/accounts/`)) return send(404, json, envelope(7003, 'Could not route to the requested path'));
    if (!model) return send(403, json, envelope(10000, 'Authentication error'));
    const contract = DOCUMENTED_MODELS[model];
    if (!contract) return send(400, json, envelope(5007, `No such model ${model} or task`));
    if (!(req.headers['content-type'] ?? '').includes('application/json') || typeof parsed !== 'object') {
      return send(400, json, envelope(3003, 'Request is missing headers or body: {what}'));
    }

    const failure = queue.shift() ?? always;
    if (failure) {
      switch (failure.kind) {
        case 'rate-limited':
          return send(429, { ...json, ...(failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter }) }, envelope(failure.code ?? 3040, 'Capacity temporarily exceeded, please try again.'));
        case 'server-error':
          return send(failure.status ?? 500, json, envelope(3043, 'Internal server error'));
        case 'content-filter':
          // The errors page lists no code for filtered content; this is the generic refusal we expect.
          return send(400, json, envelope(3030, 'AiError: Input prompt contains NSFW content.'));
        case 'not-an-image':
          return send(200, { 'content-type': contract.output === 'png' ? 'image/png' : 'application/json' }, contract.output === 'png' ? Buffer.from('<html>gateway page</html>') : JSON.stringify({ success: true, result: { image: Buffer.from('not an image at all').toString('base64') }, errors: [], messages: [] }));
        case 'drop-connection':
          entry.status = -1;
          req.socket.destroy();
          return;
        case 'slow':
          await new Promise((resolve) => setTimeout(resolve, failure.ms));
          if (res.destroyed || req.socket.destroyed) return;
          break;
      }
    }

    const problem = validate(contract, parsed);
    if (problem) return send(400, json, envelope(5006, `AiError: Bad input: Error: ${problem}`));
    const body = parsed as Record<string, unknown>;
    const width = typeof body.width === 'number' && body.width > 0 ? body.width : contract.defaultSize;
    const height = typeof body.height === 'number' && body.height > 0 ? body.height : contract.defaultSize;
    const seed = typeof body.seed === 'number' ? body.seed : 0;
    if (contract.output === 'png') return send(200, { 'content-type': 'image/png' }, await render('png', width, height, seed));
    // FLUX.1 schnell always answers 1024×1024; Leonardo honours the size.
    const image = contract.output === 'json-jpeg' ? await render('jpeg', 1024, 1024, seed) : await render('png', width, height, seed);
    return send(200, json, JSON.stringify({ result: { image: image.toString('base64') }, success: true, errors: [], messages: [] }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    accountId,
    apiToken,
    requests,
    failNext(...failures) {
      queue.push(...failures);
    },
    failAlways(failure) {
      always = failure;
    },
    reset() {
      queue = [];
      always = null;
      requests.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
