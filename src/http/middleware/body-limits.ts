import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { AppError } from '../../domain/app-error'

/** The largest body a path prefix takes; the first prefix that matches wins, `fallbackBytes` for the rest. */
export interface BodyLimitRule {
  readonly prefix: string
  readonly maxBytes: number
}

function describe(bytes: number): string {
  return bytes >= 1048576 ? `${Math.round(bytes / 1048576)} Mo` : `${Math.max(1, Math.round(bytes / 1024))} Ko`
}

/**
 * Every route has a body limit, checked before any handler reads a byte: a Content-Length over it is
 * refused at once, and a chunked body is counted as it arrives and cut at the limit (hono/body-limit).
 * Without it a 400 MB POST to an unauthenticated route (the sandbox's token endpoint) took the process
 * from 0.6 to 2 GB. Applied once at the top of the app, so no route can be mounted without one.
 */
export function bodyLimits(rules: readonly BodyLimitRule[], fallbackBytes: number): MiddlewareHandler {
  const limiter = (maxBytes: number, setting: string | undefined) =>
    bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new AppError(
          413,
          'payload_too_large',
          {
            fr: `Le corps de la requête dépasse ${describe(maxBytes)}${setting ? ` (${setting})` : ''}. Envoyez moins de données${setting ? ` ou augmentez ${setting}` : ''}.`,
            en: `The request body exceeds ${describe(maxBytes)}${setting ? ` (${setting})` : ''}. Send less${setting ? ` or raise ${setting}` : ''}.`,
          },
          { limitBytes: maxBytes },
        )
      },
    })
  const byRule = rules.map((r) => ({ prefix: r.prefix, run: limiter(r.maxBytes, r.prefix === '/api/' || r.prefix === '/ui/api/' ? 'BODY_LIMIT' : undefined) }))
  const fallback = limiter(fallbackBytes, undefined)
  return async (c, next) => {
    const path = c.req.path
    const rule = byRule.find((r) => path.startsWith(r.prefix))
    return (rule?.run ?? fallback)(c, next)
  }
}
