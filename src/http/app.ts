import { OpenAPIHono } from '@hono/zod-openapi'
import type { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import type { Logger } from 'pino'
import { AppError } from '../domain/app-error'
import type { Database } from '../db/database'
import type { AppEnv } from './app-env'
import { handleError, handleNotFound, validationHook } from './error-response'
import { requestContext } from './middleware/request-context'
import { accessLog } from './middleware/access-log'
import { bodyLimits } from './middleware/body-limits'
import { rejectNul } from './middleware/reject-nul'
import { authenticate, requireRole } from './middleware/auth'
import type { Metrics } from './metrics'
import { systemRoutes } from './system-routes'
import { apiKeysRoutes } from './api/api-keys-routes'

export interface AppDeps {
  readonly db: Database
  readonly logger: Logger
  readonly metrics: Metrics
  readonly version: string
  readonly bodyLimitBytes: number
  readonly startedAt?: Date
  readonly isShuttingDown?: () => boolean
  /** The Chorus Pro simulator, mounted under /sandbox when CHORUS_ENV=sandbox. */
  readonly sandbox?: Hono<any>
  /** Feature route groups, mounted under /api/v1 behind authentication. */
  readonly apiRoutes?: ReadonlyArray<OpenAPIHono<AppEnv>>
  /** Routes outside /api (tab pages), mounted at the root. */
  readonly pageRoutes?: ReadonlyArray<Hono<any>>
}

/** Forms, sign-in, tokens, the sandbox's control API: nothing outside the API and the sandbox's invoice routes takes more. */
const SMALL_BODY_BYTES = 64 * 1024
/** 10 MB of PDF is 13.4 MB in base64; a flow or a completion with attachments a little more. */
const SANDBOX_API_BODY_BYTES = 40 * 1024 * 1024

/**
 * The whole HTTP surface. Tests call `app.request()` on it without a server; main.ts serves it.
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  app.use('*', requestContext(deps.logger))
  app.use('*', accessLog(deps.metrics.observeHttp))
  app.use('*', secureHeaders({ xFrameOptions: false, contentSecurityPolicy: undefined, crossOriginResourcePolicy: false }))
  // A NUL (%00) is never meaningful in a query and PostgreSQL refuses it in text: a clear 400 before
  // any handler. Streamed exports had already sent 200 when the query failed, and the connection was
  // cut (found by test/reliability/security.test.ts, 2026-11-21).
  app.use('*', async (c, next) => {
    const url = c.req.url
    const q = url.indexOf('?')
    if (q >= 0 && url.includes('%00', q)) {
      throw new AppError(400, 'invalid_characters', { fr: 'La requête contient un caractère invalide (NUL, %00).', en: 'The request holds an invalid character (NUL, %00).' })
    }
    await next()
  })

  app.use('*', bodyLimits([
    { prefix: '/api/', maxBytes: deps.bodyLimitBytes },
    { prefix: '/ui/api/', maxBytes: deps.bodyLimitBytes },
    // The sandbox takes what Chorus Pro takes: a base64 PDF of up to 10 MB in JSON, flows, attachments.
    { prefix: '/sandbox/cpro/', maxBytes: SANDBOX_API_BODY_BYTES },
    // Its token endpoint and control API take a few fields.
    { prefix: '/sandbox/', maxBytes: SMALL_BODY_BYTES },
  ], SMALL_BODY_BYTES))

  app.route('/', systemRoutes({
    db: deps.db,
    metrics: deps.metrics,
    version: deps.version,
    startedAt: deps.startedAt ?? new Date(),
    isShuttingDown: deps.isShuttingDown ?? (() => false),
  }))

  app.use('/api/*', authenticate(deps.db))
  app.use('/api/*', rejectNul())

  app.route('/api/v1', apiKeysRoutes(deps.db))
  for (const routes of deps.apiRoutes ?? []) app.route('/api/v1', routes)
  for (const routes of deps.pageRoutes ?? []) app.route('/', routes)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' })
  // Built once, on first request: the routes do not change while the process runs, and generating it
  // took a median of 113 ms (p95 657 ms) per request.
  let openApiJson: string | undefined
  app.get('/openapi.json', (c) => {
    openApiJson ??= JSON.stringify(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'Chorus Pro Connector API', version: deps.version, description: 'Invoices from the document portal to Chorus Pro, and their tracking.' },
      }),
    )
    return c.body(openApiJson, 200, { 'content-type': 'application/json; charset=utf-8' })
  })

  if (deps.sandbox) {
    // Its control API (reset, faults, clock, credentials, invoice statuses) changes what the connector
    // sees of "Chorus Pro": an admin key of the connector, like any admin route.
    app.use('/sandbox/_sandbox/*', authenticate(deps.db), requireRole('admin'))
    app.route('/sandbox', deps.sandbox)
  }

  app.onError(handleError)
  app.notFound(handleNotFound)
  return app
}

export type App = ReturnType<typeof createApp>
