/** Gallery cursors: an opaque base64url of the last item's (createdAt, id), shared by every Store. */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`, 'utf8').toString('base64url');
}

/** Returns null for anything that is not a cursor we issued, so a bad cursor reads as "from the start". */
export function decodeCursor(cursor: string | null | undefined): CursorPosition | null {
  if (!cursor) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar <= 0) return null;
  const createdAt = text.slice(0, bar);
  const id = text.slice(bar + 1);
  if (Number.isNaN(Date.parse(createdAt)) || id.length === 0) return null;
  return { createdAt, id };
}
