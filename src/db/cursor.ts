/**
 * The one format of the keyset cursors every list endpoint hands out as `nextCursor`: base64url of a
 * JSON array of the last row's keys (`["-depositedAt", "2026-03-01T…", "42"]`). Opaque to clients;
 * each list decides what its array holds and checks it on the way back.
 */
export type CursorValue = string | number | null

/** A cursor whose decoded text is longer than this is not one of ours. */
const MAX_CURSOR_CHARS = 4096

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url')
}

/**
 * The values of a cursor made by encodeCursor, as strings (numbers in their decimal form, null kept),
 * or undefined for anything else: not base64url, not JSON, not an array of `arity` strings, numbers
 * and nulls. Routes answer undefined with a 400 `invalid_cursor`, never a 500.
 */
export function decodeCursor(cursor: string, arity: number): (string | null)[] | undefined {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (!Array.isArray(parsed) || parsed.length !== arity) return undefined
  const out: (string | null)[] = []
  for (const v of parsed as unknown[]) {
    if (v === null || typeof v === 'string') out.push(v)
    else if (typeof v === 'number' && Number.isFinite(v)) out.push(String(v))
    else return undefined
  }
  return out
}

/** A row id as a cursor value gives it back: decimal digits that fit a bigint. */
export function isIdValue(v: string | null | undefined): v is string {
  return typeof v === 'string' && /^\d{1,18}$/.test(v)
}
