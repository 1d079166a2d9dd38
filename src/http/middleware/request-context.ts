import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'
import { randomUUID } from 'node:crypto'
import { pickLang } from '../../domain/localized'
import type { AppEnv } from '../app-env'

/**
 * Request id (taken from X-Request-Id when the host sends a sane one, so its logs and ours join),
 * language (`?lang=`, else Accept-Language, French by default) and a child logger.
 */
export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id')
    const requestId = incoming && /^[A-Za-z0-9._:-]{1,128}$/.test(incoming) ? incoming : randomUUID()
    c.set('requestId', requestId)
    c.set('lang', pickLang(c.req.query('lang') ?? c.req.header('accept-language')))
    c.set('logger', logger.child({ requestId }))
    c.header('X-Request-Id', requestId)
    await next()
  }
}
