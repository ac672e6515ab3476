/**
 * The one error type domain code throws. `message` is for logs; `userMessage` is safe to
 * show and says what happened and what to do. One map turns codes into HTTP statuses and
 * tRPC codes (see server/trpc/init.ts).
 */
export const ERROR_CODES = {
  BadInput: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  RateLimited: 429,
  QuotaExhausted: 429,
  ContentFiltered: 422,
  ProviderRejected: 422,
  ProviderUnavailable: 503,
  ProviderTimeout: 504,
  Internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  /** Safe to show to the person. Defaults to a generic sentence for the code. */
  userMessage?: string;
  /** The input field the error is about, when there is one. */
  field?: string;
  /** Seconds the caller should wait before trying again. */
  retryAfter?: number;
  cause?: unknown;
}

const DEFAULT_USER_MESSAGES: Record<ErrorCode, string> = {
  BadInput: 'Some of the values you entered are not valid. Check the highlighted fields and try again.',
  Unauthorized: 'You need to sign in to do that.',
  Forbidden: 'That request was refused.',
  NotFound: 'We could not find that. It may have been deleted.',
  Conflict: 'That is already in progress.',
  PayloadTooLarge: 'That request is too large.',
  RateLimited: 'You are going a little fast. Wait a moment and try again.',
  QuotaExhausted: 'You have used all the images in your plan for this month. Upgrade your plan or wait until next month.',
  ContentFiltered: 'The image service refused this prompt. Rephrase it and try again.',
  ProviderRejected: 'The image service could not use these settings. Change them and try again.',
  ProviderUnavailable: 'The image service is unavailable right now. Your quota was not used; try again in a minute.',
  ProviderTimeout: 'The image service took too long to answer. Your quota was not used; try again.',
  Internal: 'Something went wrong on our side. Try again; if it keeps happening, contact us.',
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly field?: string;
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.userMessage = options.userMessage ?? DEFAULT_USER_MESSAGES[code];
    if (options.field !== undefined) this.field = options.field;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
