import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { AppEnv } from '../app-env'

/**
 * One log line per request: method, path (without the query string, which may carry a one-time
 * ticket), status, duration, request id. Also feeds the HTTP duration histogram.
 */
export function accessLog(observe?: (method: string, route: string, status: number, seconds: number) => void): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now()
    await next()
    const ms = performance.now() - start
    const status = c.res.status
    const route = routePath(c) || 'unmatched'
    observe?.(c.req.method, route, status, ms / 1000)
    const log = c.get('logger')
    const line = { method: c.req.method, path: c.req.path, status, ms: Math.round(ms * 10) / 10 }
    if (status >= 500) log.error(line, 'request')
    else log.info(line, 'request')
  }
}
