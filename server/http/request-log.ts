/**
 * One structured line per on-demand request: what was asked (method, route, path), how it
 * went (status, duration), and who and which request (userId, requestId) so a support
 * question or an error can be followed. Never the query string, body, headers or cookies:
 * those are where prompts, emails and tokens travel.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';

export interface RequestLogFields {
  requestId: string;
  method: string;
  /** The route pattern, e.g. /media/[id]. */
  route: string;
  /** The path without its query string. */
  path: string;
  status: number;
  durationMs: number;
  userId: string | null;
}

/** A caller's X-Request-Id is kept only when it looks like an id, so it cannot smuggle text into the log. */
export function requestIdFrom(header: string | null): string {
  return header && /^[A-Za-z0-9._:-]{1,64}$/.test(header) ? header : randomUUID();
}

export function logRequest(logger: Logger, fields: RequestLogFields): void {
  const line = { ...fields, durationMs: Math.round(fields.durationMs * 10) / 10 };
  if (fields.status >= 500) logger.error(line, 'request');
  else logger.info(line, 'request');
}
