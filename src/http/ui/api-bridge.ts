import { Hono, type Context } from 'hono'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Database } from '../../db/database'
import type { PublicApiKey } from '../../db/api-keys'
import { AppError } from '../../domain/app-error'
import type { Lang } from '../../domain/localized'
import type { AppEnv } from '../app-env'
import { handleError, handleNotFound } from '../error-response'
import { rejectNul } from '../middleware/reject-nul'
import { requireCsrf, requireUiSession, type UiEnv } from './ui-session'

/** Where the pages reach the JSON API: the same routes as /api/v1, authorised by the session cookie. */
export const BRIDGE_BASE = '/ui/api/v1'

const INTERNAL = Symbol('ui-internal-call')
interface InternalCall {
  readonly key: PublicApiKey
  readonly lang: Lang
  readonly logger: Logger
  readonly requestId: string
}

/**
 * The API route groups mounted a second time under /ui/api/v1, where the caller is the session's
 * API key instead of a Bearer header. Each route keeps its own role check (requireRole reads the
 * key the same way), validation and error shape, so a page can do exactly what the key behind its
 * session can do through the API, and nothing more. Unsafe methods need the session's CSRF token.
 *
 * Pages also render through it (`callApi`): an in-process request that carries the session in the
 * Hono env under a Symbol, which no HTTP request can set.
 */
export function createApiBridge(db: Database, groups: ReadonlyArray<OpenAPIHono<AppEnv>>, bodyLimitBytes: number) {
  const bridge = new Hono<UiEnv>()
  bridge.use('*', async (c, next) => {
    const internal = (c.env as Record<symbol, InternalCall> | undefined)?.[INTERNAL]
    if (internal) {
      c.set('apiKey', internal.key)
      c.set('lang', internal.lang)
      c.set('logger', internal.logger)
      c.set('requestId', internal.requestId)
      return next()
    }
    return requireUiSession(db)(c, async () => {
      // The body limit is the app's (middleware/body-limits.ts), applied before the form is read here.
      await requireCsrf()(c, async () => { await rejectNul()(c, next) })
    })
  })
  for (const g of groups) bridge.route('/', g)
  // The shared handlers take Context<AppEnv> and read only its variables, which UiEnv has too; Hono's
  // Context is invariant in its env (set() takes it contravariantly), so they get Hono's env-free Context.
  bridge.onError((err, c: Context) => handleError(err, c))
  bridge.notFound((c: Context) => handleNotFound(c))
  return bridge
}

export type ApiBridge = ReturnType<typeof createApiBridge>

export interface ApiAnswer<T = any> {
  readonly status: number
  readonly ok: boolean
  readonly body: T
}

/** A GET (or other call) through the bridge as the page's session, answered as parsed JSON. */
export async function callApi<T = any>(bridge: ApiBridge, c: Context<UiEnv>, path: string, init: RequestInit = {}): Promise<ApiAnswer<T>> {
  const internal: InternalCall = {
    key: c.get('ui').key,
    lang: c.get('lang'),
    logger: c.get('logger'),
    requestId: c.get('requestId') ?? randomUUID(),
  }
  const res = await bridge.request(`http://ui.internal${path}`, init, { [INTERNAL]: internal })
  const text = await res.text()
  let body: any = text
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    /* CSV or file: left as text */
  }
  return { status: res.status, ok: res.ok, body }
}

/** `/api/v1/...` links in API answers (export files, attachments) as the pages reach them. */
export function bridged(apiUrl: string | null | undefined): string | null {
  if (!apiUrl) return null
  return apiUrl.startsWith('/api/v1/') ? BRIDGE_BASE + apiUrl.slice('/api/v1'.length) : apiUrl
}
