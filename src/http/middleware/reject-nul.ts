import type { MiddlewareHandler } from 'hono'
import { AppError } from '../../domain/app-error'

/** The path of the first string (key or value) holding a NUL character, or undefined. */
function nulPath(v: unknown, path: string, depth = 0): string | undefined {
  if (typeof v === 'string') return v.includes('\u0000') ? path || '(body)' : undefined
  if (depth > 64 || v === null || typeof v !== 'object') return undefined
  for (const [k, child] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
    const at = path ? `${path}.${String(k)}` : String(k)
    if (String(k).includes('\u0000')) return at
    const found = nulPath(child, at, depth + 1)
    if (found) return found
  }
  return undefined
}

/**
 * A NUL character in a JSON string (or a form field) is refused with a 400 naming the field, before a
 * handler stores it: PostgreSQL refuses it in text and JSON, which was a 500 (SQLSTATE 22P05) on
 * PATCH /documents/:id, the reason of /documents/remove and upload metadata. Hono keeps the parsed body,
 * so reading it here costs the handler nothing.
 */
export function rejectNul(): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'DELETE') return next()
    const type = c.req.header('content-type') ?? ''
    let body: unknown
    if (type.includes('application/json')) body = await c.req.json().catch(() => undefined)
    else if (type.includes('multipart/form-data') || type.includes('application/x-www-form-urlencoded')) {
      const form = await c.req.parseBody().catch(() => undefined)
      // Text fields as sent, and the JSON some of them carry (upload metadata).
      body = form && Object.fromEntries(Object.entries(form).map(([k, v]) => [k, typeof v === 'string' ? parseMaybeJson(v) : '']))
    }
    const field = nulPath(body, '')
    if (field) {
      throw new AppError(400, 'invalid_characters', { fr: `Le champ « ${field} » contient un caractère invalide (NUL, U+0000) : retirez-le.`, en: `The field "${field}" holds an invalid character (NUL, U+0000): remove it.` }, [{ field, message: 'NUL character' }])
    }
    await next()
  }
}

function parseMaybeJson(v: string): unknown {
  if (!/^\s*[[{]/.test(v)) return v
  try {
    return JSON.parse(v)
  } catch {
    return v
  }
}
