/**
 * tRPC is initialised once here. Only the builders the app may use are exported.
 * The error formatter turns AppErrors and input validation failures into a shape the
 * islands can show: `message` is a sentence for people, `data.field` names the input field.
 * @see https://trpc.io/docs/server/error-formatting
 */
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { Context } from './context.ts';
import { AppError, isAppError, type ErrorCode } from '../domain/errors.ts';

const TRPC_CODES: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  BadInput: 'BAD_REQUEST',
  Unauthorized: 'UNAUTHORIZED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  RateLimited: 'TOO_MANY_REQUESTS',
  QuotaExhausted: 'TOO_MANY_REQUESTS',
  ContentFiltered: 'UNPROCESSABLE_CONTENT',
  ProviderRejected: 'UNPROCESSABLE_CONTENT',
  ProviderUnavailable: 'SERVICE_UNAVAILABLE',
  ProviderTimeout: 'TIMEOUT',
  Internal: 'INTERNAL_SERVER_ERROR',
};

interface ValidationIssue {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

function validationIssues(cause: unknown): ValidationIssue[] | null {
  if (cause && typeof cause === 'object' && 'issues' in cause && Array.isArray(cause.issues)) return cause.issues as ValidationIssue[];
  return null;
}

function fieldOf(issue: ValidationIssue): string | null {
  const first = issue.path?.[0];
  if (first === undefined) return null;
  const key = typeof first === 'object' ? first.key : first;
  return String(key);
}

/** Maps any error thrown in a procedure to a TRPCError whose cause is an AppError. */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  const app = isAppError(error) ? error : new AppError('Internal', error instanceof Error ? error.message : String(error), { cause: error });
  return new TRPCError({ code: TRPC_CODES[app.code], message: app.userMessage, cause: app });
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const app = error.cause instanceof AppError ? error.cause : null;
    const issues = validationIssues(error.cause);
    if (issues && issues.length > 0) {
      const first = issues[0]!;
      return { ...shape, message: first.message, data: { ...shape.data, stack: undefined, appCode: 'BadInput', field: fieldOf(first), retryAfter: null } };
    }
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      // Never send an internal message to the client.
      message: app ? app.userMessage : internal ? 'Something went wrong on our side. Try again; if it keeps happening, contact us.' : error.message,
      data: { ...shape.data, stack: undefined, appCode: app?.code ?? null, field: app?.field ?? null, retryAfter: app?.retryAfter ?? null },
    };
  },
});

/** Turns thrown AppErrors into TRPCErrors with the right code. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error.cause instanceof AppError ? result.error.cause : result.error);
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(function isAuthed({ ctx, next }) {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'You need to sign in to do that.' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});
