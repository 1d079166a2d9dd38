import { mkdirSync, writeFileSync, chmodSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import type { Logger } from 'pino'
import type { Config } from './config'
import { registerSecret } from './logger'
import { openDatabase, type OpenedDatabase } from './db/database'
import { migrateToLatest } from './db/migrate'
import { ensureAdminKey } from './db/api-keys'
import { loadSecretKey } from './secrets/secret-key'
import { createSecretBox } from './secrets/secret-box'
import { createMetrics } from './http/metrics'
import { createApp } from './http/app'
import { createWorker, type Worker } from './jobs/worker'
import { maintenanceHandlers } from './jobs/maintenance-handlers'
import { startScheduler, type Scheduler, type Schedule } from './cron/scheduler'

export interface RunningService {
  readonly url: string
  readonly port: number
  readonly database: OpenedDatabase
  /** Set on the first start only (no admin key existed): shown once, also written to DATA_DIR/admin.key. */
  readonly newAdminKey: string | undefined
  readonly startupMs: number
  stop(): Promise<void>
}

const version: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version

/**
 * Wires adapters into workflows and starts HTTP, the job worker and the cron scheduler.
 * main.ts adds the process concerns (signals, printing); tests start it in-process.
 */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const t0 = performance.now()
  mkdirSync(config.dataDir, { recursive: true })
  mkdirSync(config.inboxDir, { recursive: true })

  const { key, generatedAt } = loadSecretKey(config.secretKey, config.dataDir)
  if (generatedAt) logger.warn({ path: generatedAt }, 'generated a new secret key for secrets at rest; back it up, and set CONNECTOR_SECRET_KEY when running several instances')
  const secretBox = createSecretBox(key)
  void secretBox
  registerSecret(config.chorus.clientSecret)
  registerSecret(config.adminKey)
  registerSecret(config.secretKey)

  const database = await openDatabase({ url: config.databaseUrl, dir: join(config.dataDir, 'pglite'), poolSize: config.databasePoolSize })
  const { db } = database
  try {
    const applied = await migrateToLatest(db)
    if (applied.length) logger.info({ migrations: applied }, 'database migrated')

    const admin = await ensureAdminKey(db, config.adminKey)
    if (admin.key) {
      registerSecret(admin.key)
      const path = join(config.dataDir, 'admin.key')
      writeFileSync(path, admin.key + '\n', { mode: 0o600 })
      chmodSync(path, 0o600)
    }

    let shuttingDown = false
    const metrics = createMetrics(db)
    const app = createApp({ db, logger, metrics, version, bodyLimitBytes: config.bodyLimitBytes, isShuttingDown: () => shuttingDown })

    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s))
    })
    const port = (server.address() as AddressInfo).port
    const url = config.publicUrl ?? `http://localhost:${port}`

    let worker: Worker | undefined
    if (config.worker.enabled) {
      worker = createWorker({
        db,
        logger: logger.child({ component: 'worker' }),
        concurrency: config.worker.concurrency,
        handlers: { ...maintenanceHandlers() },
        onJobEnd: (job, outcome, ms) => metrics.observeJob(job.kind, outcome, ms / 1000),
      })
      worker.start()
    }

    const schedules: Schedule[] = [{ name: 'maintenance.purge', cron: '15 3 * * *', kind: 'maintenance.purge' }]
    let scheduler: Scheduler | undefined
    if (config.cronEnabled) {
      scheduler = startScheduler({ db, schedules, logger, timezone: 'Europe/Paris', instanceId: worker?.id, onEnqueued: () => worker?.wake() })
    }

    const startupMs = Math.round(performance.now() - t0)
    logger.info({ url, engine: database.engine, chorusEnv: config.chorus.env, startupMs }, 'Chorus Pro Connector started')

    let stopped: Promise<void> | undefined
    return {
      url,
      port,
      database,
      newAdminKey: admin.key,
      startupMs,
      stop() {
        stopped ??= (async () => {
          shuttingDown = true
          logger.info('shutting down: no new requests, no new jobs')
          const closed = new Promise<void>((r) => server.close(() => r()))
          // Idle keep-alive sockets would hold close() open until they time out.
          ;(server as any).closeIdleConnections?.()
          await scheduler?.stop()
          await worker?.stop(config.shutdownTimeoutMs)
          await Promise.race([closed, new Promise((r) => setTimeout(r, config.shutdownTimeoutMs).unref())])
          await database.close()
          logger.info('stopped')
        })()
        return stopped
      },
    }
  } catch (e) {
    await database.close().catch(() => {})
    throw e
  }
}
