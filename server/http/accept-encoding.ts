/** Content negotiation for compressed answers, shared by static files and JSON responses. */

export type Encoding = 'br' | 'gzip' | 'identity';

/**
 * The best encoding the client accepts: brotli, then gzip, else none. Honours `q=0` and `*`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.accept-encoding
 */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  const q: Record<string, number> = {};
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    q[name.trim()] = weight === undefined ? 1 : Number(weight);
  }
  const accepts = (name: string) => (q[name] ?? q['*'] ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}
