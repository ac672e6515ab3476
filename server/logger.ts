/**
 * Structured logs. Prompts, emails, tokens and cookies never belong in a log line; the
 * redaction list is a safety net for the places that log whole objects.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'prompt',
  'negativePrompt',
  'email',
  'name',
  'token',
  'cookie',
  'authorization',
  '*.prompt',
  '*.negativePrompt',
  '*.email',
  '*.token',
  '*.cookie',
  '*.authorization',
  'req.headers.cookie',
  'req.headers.authorization',
];

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    { level: options.level, base: { service: 'artivio' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    options.destination ?? process.stdout,
  );
}
