/**
 * Compresses a complete JSON answer (tRPC, API routes) when the client accepts brotli or gzip
 * and the body is big enough to gain from it. Streamed answers (tRPC's jsonl batches say
 * `transfer-encoding: chunked`) and everything not JSON pass through untouched, so streams
 * keep streaming and files keep their own encoding.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { chooseEncoding } from './accept-encoding.ts';

/** Below this, headers and CPU cost more than the bytes saved. */
export const MIN_COMPRESS_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

function isJson(contentType: string | null): boolean {
  return contentType !== null && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType);
}

export async function compressJson(request: Request, response: Response): Promise<Response> {
  const { headers } = response;
  if (!response.body || headers.has('content-encoding') || headers.has('transfer-encoding') || !isJson(headers.get('content-type'))) return response;
  const encoding = chooseEncoding(request.headers.get('accept-encoding') ?? undefined);
  if (encoding === 'identity') return response;

  const body = Buffer.from(await response.arrayBuffer());
  const out = new Headers(headers);
  out.append('vary', 'accept-encoding');
  const init = { status: response.status, statusText: response.statusText, headers: out };
  if (body.length < MIN_COMPRESS_BYTES) return new Response(body, init);
  // Quality 4 / level 6: a few hundred microseconds for a page of results, most of the gain.
  const compressed = encoding === 'br' ? await brotli(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 4, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }) : await gzipAsync(body, { level: 6 });
  out.set('content-encoding', encoding);
  out.set('content-length', String(compressed.length));
  return new Response(compressed, init);
}
