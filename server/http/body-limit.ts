/**
 * Request body limits for the node server, applied before Astro sees the request.
 *
 * A declared Content-Length over the limit is refused at once. A chunked body (no length)
 * is read into memory up to the limit and handed to Astro as a buffer: Astro's own
 * `bodySizeLimit` would otherwise throw while a route is reading the body, which the
 * route cannot tell from a broken stream and which ends as a 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Astro's node adapter reads `req.body` when it is set instead of the stream. */
type RequestWithBody = IncomingMessage & { body?: Buffer };

export type BodyCheck = 'ok' | 'too-large';

function hasUnsizedBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] === undefined && req.headers['transfer-encoding'] !== undefined;
}

/** Bytes read after the refusal so the client sees the 413 instead of a reset; past this we hang up. */
const DRAIN_BYTES = 16 * 1024 * 1024;

export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>, maxBytes = MAX_BODY_BYTES): void {
  // No `Connection: close`: Node would then destroy the socket while the client is still
  // sending, and the client would see a reset (EPIPE) instead of this answer. Node reads and
  // discards the rest of the body; we hang up once that passes DRAIN_BYTES.
  res.writeHead(413, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: `Request bodies are limited to ${maxBytes / 1024 / 1024} MB. Send less data.` }));
  res.once('finish', () => {
    if (req.complete) return;
    let drained = 0;
    // Added after Node's own finish handler, which removes earlier 'data' listeners when it starts discarding.
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_BYTES) req.socket.destroy();
    });
    req.resume();
  });
}

/**
 * Checks the body size. A chunked body within the limit is buffered onto `req.body`.
 * Resolves 'too-large' without answering: the caller sends the refusal.
 */
export async function checkBodySize(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<BodyCheck> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return 'too-large';
  if (req.method === 'GET' || req.method === 'HEAD' || !hasUnsizedBody(req)) return 'ok';
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<BodyCheck>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      (req as RequestWithBody).body = Buffer.concat(chunks, size);
      resolve('ok');
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    function cleanup() {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
