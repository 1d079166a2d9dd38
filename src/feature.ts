import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Hono } from 'hono'
import type { AppEnv } from './http/app-env'
import type { JobHandlers } from './jobs/job-handler'
import type { Schedule } from './cron/scheduler'

/**
 * A slice of the product as the service wires it: its API routes (under /api/v1), pages, job
 * handlers, cron schedules, and what must run beside them (a folder watcher). Features are listed
 * in src/features.ts; service.ts starts them all.
 */
export interface Feature {
  readonly name: string
  readonly apiRoutes?: ReadonlyArray<OpenAPIHono<AppEnv>>
  readonly pageRoutes?: ReadonlyArray<Hono<any>>
  readonly handlers?: JobHandlers
  readonly schedules?: ReadonlyArray<Schedule>
  /** Called once the HTTP server listens and the Chorus client is bound. */
  start?(): Promise<void> | void
  /** Called first on shutdown, before the worker stops. */
  stop?(): Promise<void> | void
}
