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
import { oneSealedSecret } from './db/sealed-secrets'
import { isDatabaseUnreachable } from './db/database-errors'
import { loadSecretKey } from './secrets/secret-key'
import { createSecretBox } from './secrets/secret-box'
import { createMetrics } from './http/metrics'
import { createApp } from './http/app'
import { createWorker, type Worker } from './jobs/worker'
import { startScheduler, type Scheduler } from './cron/scheduler'
import { createChorusClient, type ChorusClient } from './chorus'
import type { Sandbox } from './sandbox'
import { createAccount } from './db/accounts'
import type { Ports } from './workflows/ports'
import { wire } from './wiring'
import { addressPolicy } from './domain/address-policy'
import { createJobQueue } from './jobs/job-queue'
import { JOB_KINDS, type JobKind } from './workflows/jobs'

export interface RunningService {
  readonly url: string
  readonly port: number
  readonly database: OpenedDatabase
  /** Set on the first start only (no admin key existed): shown once, also written to DATA_DIR/admin.key. */
  readonly newAdminKey: string | undefined
  readonly startupMs: number
  stop(): Promise<void>
}

/** In sandbox mode a demo supplier account linked to the sandbox's test supplier exists from the first start. */
async function ensureDemoAccount(ports: Ports, sandbox: typeof import('./sandbox')): Promise<void> {
  const { SANDBOX_CREDENTIALS, SANDBOX_SUPPLIER_NAME } = sandbox
  const existing = await ports.db.selectFrom('accounts').select('id').where('is_demo', '=', true).where('environment', '=', 'sandbox').executeTakeFirst()
  if (existing) return
  await createAccount(ports.db, ports.secrets, 'sandbox', {
    name: `${SANDBOX_SUPPLIER_NAME} (démo sandbox)`,
    siret: SANDBOX_CREDENTIALS.supplierSiret,
    technicalLogin: SANDBOX_CREDENTIALS.technicalLogin,
    technicalPassword: SANDBOX_CREDENTIALS.technicalPassword,
    chorusStructureId: SANDBOX_CREDENTIALS.supplierIdStructureCPP,
    // So that a newcomer's first complete PDF goes all the way to tracking on its own.
    autoSubmit: true,
    isDemo: true,
  })
  ports.logger.info('created the demo supplier account linked to the sandbox test supplier')
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

  registerSecret(config.chorus.clientSecret)
  registerSecret(config.adminKey)
  registerSecret(config.secretKey)

  const database = await openDatabase({ url: config.databaseUrl, dir: join(config.dataDir, 'pglite'), poolSize: config.databasePoolSize })
  const { db } = database
  try {
    const applied = await migrateToLatest(db).catch((e: Error) => {
      if (!config.databaseUrl || !isDatabaseUnreachable(e)) throw e
      const u = new URL(config.databaseUrl)
      throw new Error(`cannot reach the database at ${u.hostname}:${u.port || 5432} (${e.message.replace(/^migration \S+ failed: /, '')}): check DATABASE_URL and that PostgreSQL is running`)
    })
    if (applied.length) logger.info({ migrations: applied }, 'database migrated')

    // The key is checked against what the database holds before anything is sealed with it: a missing
    // key file must never be silently replaced by a new key that makes every stored secret unreadable.
    const sealed = await oneSealedSecret(db)
    const { key, generatedAt } = loadSecretKey(config.secretKey, config.dataDir, { secretsExist: sealed !== undefined })
    const secretBox = createSecretBox(key)
    if (sealed !== undefined) {
      try {
        secretBox.open(sealed)
      } catch {
        throw new Error(`the secret key in use (${config.secretKey ? 'CONNECTOR_SECRET_KEY' : join(config.dataDir, 'secret.key')}) does not open the secrets stored in the database: restore the key they were sealed with (from a backup, or the other instances' CONNECTOR_SECRET_KEY); refusing to start rather than lose them`)
      }
    }
    if (generatedAt) logger.warn({ path: generatedAt }, 'generated a new secret key for secrets at rest; back it up, and set CONNECTOR_SECRET_KEY when running several instances')

    const admin = await ensureAdminKey(db, config.adminKey)
    if (admin.key) {
      registerSecret(admin.key)
      const path = join(config.dataDir, 'admin.key')
      writeFileSync(path, admin.key + '\n', { mode: 0o600 })
      chmodSync(path, 0o600)
    }

    let shuttingDown = false
    const metrics = createMetrics(db)
    // Loaded only in sandbox mode: production never carries the simulator.
    const sandboxModule = config.chorus.env === 'sandbox' ? await import('./sandbox') : undefined
    const sandbox: Sandbox | undefined = sandboxModule?.createSandbox()
    let worker: Worker | undefined
    // Bound once the server listens: in sandbox mode the client calls our own port over loopback HTTP.
    let chorus: ChorusClient | undefined
    const ports: Ports = {
      db,
      logger,
      secrets: secretBox,
      get chorus() {
        if (!chorus) throw new Error('Chorus Pro client used before the service finished starting')
        return chorus
      },
      chorusEnv: config.chorus.env,
      now: () => new Date(),
      jobs: createJobQueue(db, (kind) => worker?.wake(kind)),
      webhookTargets: addressPolicy(config.webhookAllowedHosts),
      folderSourceRoots: config.folderSourceRoots,
      dataDir: config.dataDir,
      inboxDir: config.inboxDir,
      copyOut: database.copyOut,
    }
    let listening: string | undefined
    const wiring = wire(ports, config, { publicUrl: () => config.publicUrl ?? listening ?? `http://localhost:${config.port}` })
    const app = createApp({
      db,
      logger,
      metrics,
      version,
      bodyLimitBytes: config.bodyLimitBytes,
      isShuttingDown: () => shuttingDown,
      sandbox: sandbox?.app,
      apiRoutes: wiring.apiRoutes,
      pageRoutes: wiring.pageRoutes,
    })

    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s))
    })
    const port = (server.address() as AddressInfo).port
    // Without PUBLIC_URL, the address we listen on (localhost when it is every interface).
    const listenHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host
    const url = config.publicUrl ?? `http://${listenHost}:${port}`
    listening = url

    const loopback = `http://127.0.0.1:${port}/sandbox`
    chorus = createChorusClient({
      environment: config.chorus.env,
      oauthUrl: sandbox ? `${loopback}/api/oauth/token` : config.chorus.oauthUrl,
      apiUrl: sandbox ? `${loopback}/cpro` : config.chorus.apiUrl,
      clientId: sandboxModule ? sandboxModule.SANDBOX_CREDENTIALS.clientId : config.chorus.clientId!,
      clientSecret: sandboxModule ? sandboxModule.SANDBOX_CREDENTIALS.clientSecret : config.chorus.clientSecret!,
      timeoutMs: config.chorus.timeoutMs,
      maxConcurrency: config.chorus.maxConcurrency,
      rateLimitPerSecond: config.chorus.rateLimitPerSecond,
      logger,
    })
    metrics.gauge('chorus_circuit_open', 'Chorus Pro circuit breaker: 0 closed, 1 open, 0.5 half-open', [], (g) => {
      const s = chorus!.breakerState()
      g.set(s === 'open' ? 1 : s === 'half_open' ? 0.5 : 0)
    })
    if (sandboxModule) await ensureDemoAccount(ports, sandboxModule)
    await wiring.start()

    if (config.worker.enabled) {
      worker = createWorker({
        db,
        logger: logger.child({ component: 'worker' }),
        // Scans and background work (webhooks, exports) never take the documents' share.
        concurrency: { documents: config.worker.concurrency, intake: 2, background: 2 },
        laneOf: (kind) => JOB_KINDS[kind as JobKind]?.lane ?? 'background',
        leaseMs: config.worker.leaseMs,
        handlers: wiring.handlers,
        onJobEnd: (job, outcome, ms) => metrics.observeJob(job.kind, outcome, ms / 1000),
      })
      worker.start()
    }

    const schedules = wiring.schedules
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
          if ('closeIdleConnections' in server) server.closeIdleConnections()
          await wiring.stop().catch((e) => logger.warn({ err: String(e) }, 'stopping the watchers and the PDF readers failed'))
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
