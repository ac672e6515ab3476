/** The cookies a request carries, parsed from its Cookie header. */

/** Every name/value pair in order; a value that is not valid percent-encoding is skipped. */
export function readCookies(request: Request): Array<[string, string]> {
  const header = request.headers.get('cookie');
  if (!header) return [];
  const pairs: Array<[string, string]> = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      pairs.push([part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim())]);
    } catch {
      // A malformed escape: not a cookie we set.
    }
  }
  return pairs;
}

/** The first cookie called `name`, or null. */
export function readCookie(request: Request, name: string): string | null {
  return readCookies(request).find(([n]) => n === name)?.[1] ?? null;
}
