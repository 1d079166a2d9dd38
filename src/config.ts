import { resolve, join } from 'node:path'
import { z } from 'zod'
import { CHORUS_ENDPOINTS, type ChorusEnvironment } from './chorus/endpoints'

/**
 * The environment, parsed once. Every variable is optional with a safe default so that
 * `npm start` works on a fresh machine; a bad value stops start-up with one line naming it.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const positiveInt = (what: string) =>
  z.coerce.number({ message: `expected ${what}` }).int({ message: `expected ${what}` }).positive({ message: `expected ${what}` })

const url = z.string().url({ message: 'expected an absolute URL such as https://example.org/path' })

const sizeBytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, { message: 'expected a size such as 25mb, 512kb or 1048576' })
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(v.trim())!
    const unit = (m[2] ?? 'b').toLowerCase()
    const factor = unit === 'gb' ? 1024 ** 3 : unit === 'mb' ? 1024 ** 2 : unit === 'kb' ? 1024 : 1
    return Math.round(Number(m[1]) * factor)
  })

export const ChorusEnvs = ['sandbox', 'qualification', 'production'] as const satisfies readonly ChorusEnvironment[]
export type ChorusEnv = ChorusEnvironment

/** Real PISTE endpoints (../shared/reference/chorus-pro-api.md §1); the client owns them. */
export const PISTE_DEFAULTS = CHORUS_ENDPOINTS

const envSchema = z.object({
  PORT: z.coerce.number({ message: 'expected a TCP port number' }).int().min(0, 'expected a TCP port number').max(65535, 'expected a TCP port number').default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: url.optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'expected a PostgreSQL URL such as postgres://user@127.0.0.1:5432/chorus' })
    .optional(),
  DATABASE_POOL_SIZE: positiveInt('a pool size such as 10').default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  INBOX_DIR: z.string().min(1).optional(),
  CHORUS_ENV: z.enum(ChorusEnvs, { message: `expected one of ${ChorusEnvs.join(', ')}` }).default('sandbox'),
  PISTE_CLIENT_ID: z.string().min(1).optional(),
  PISTE_CLIENT_SECRET: z.string().min(1).optional(),
  PISTE_OAUTH_URL: url.optional(),
  CHORUS_API_URL: url.optional(),
  CHORUS_TIMEOUT_MS: positiveInt('milliseconds, such as 30000').default(30_000),
  CHORUS_MAX_CONCURRENCY: positiveInt('a number of concurrent calls, such as 5').default(5),
  CHORUS_RATE_LIMIT: positiveInt('requests per second, such as 20').default(20),
  CONNECTOR_SECRET_KEY: z.string().min(1).optional(),
  CONNECTOR_ADMIN_KEY: z.string().min(24, { message: 'expected at least 24 characters' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'expected fatal, error, warn, info, debug, trace or silent',
  }).default('info'),
  TZ: z.string().default('Europe/Paris'),
  BODY_LIMIT: sizeBytes.default(25 * 1024 * 1024),
  WORKER_CONCURRENCY: positiveInt('a number of jobs run at once, such as 4').default(4),
  WORKER_ENABLED: bool.default(true),
  CRON_ENABLED: bool.default(true),
  SHUTDOWN_TIMEOUT_MS: positiveInt('milliseconds, such as 20000').default(20_000),
  JOB_LEASE_MS: positiveInt('milliseconds, such as 30000').default(30_000),
  WEBHOOK_ALLOWED_HOSTS: z.string().optional(),
  FOLDER_SOURCE_ROOTS: z.string().optional(),
  UI_FRAME_ANCESTORS: z.string().default("'self'"),
  AUTO_SUBMIT_CRON: z.string().default('*/10 * * * *'),
})

export type RawEnv = z.input<typeof envSchema>

export interface Config {
  readonly port: number
  readonly host: string
  readonly publicUrl: string | undefined
  readonly databaseUrl: string | undefined
  readonly databasePoolSize: number
  readonly dataDir: string
  readonly inboxDir: string
  readonly chorus: {
    readonly env: ChorusEnv
    readonly clientId: string | undefined
    readonly clientSecret: string | undefined
    /** Unset in sandbox mode: the sandbox is mounted on our own port and its URL is known only once we listen. */
    readonly oauthUrl: string | undefined
    readonly apiUrl: string | undefined
    readonly timeoutMs: number
    readonly maxConcurrency: number
    readonly rateLimitPerSecond: number
  }
  readonly secretKey: string | undefined
  readonly adminKey: string | undefined
  readonly logLevel: string
  readonly timezone: string
  readonly bodyLimitBytes: number
  /**
   * `concurrency`: documents (analysis, submission, sync) run at once; intake and background work have
   * lanes of their own. `leaseMs`: how long a job stays claimed without a heartbeat, i.e. how soon a
   * killed instance's jobs are taken back.
   */
  readonly worker: { readonly enabled: boolean; readonly concurrency: number; readonly leaseMs: number }
  readonly cronEnabled: boolean
  readonly shutdownTimeoutMs: number
  readonly uiFrameAncestors: string
  /** When ready documents of auto-submit accounts are swept (they also go at once when analysis finds them ready). */
  readonly autoSubmitCron: string
  /** Host names, IPs or CIDRs webhooks may reach even when loopback or link-local (WEBHOOK_ALLOWED_HOSTS). */
  readonly webhookAllowedHosts: readonly string[]
  /** Absolute folders under which folder sources may live (FOLDER_SOURCE_ROOTS); INBOX_DIR when unset. */
  readonly folderSourceRoots: readonly string[]
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Parses the environment. Throws a ConfigError whose message is one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings are how shells and compose files say "unset".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?')
      const got = cleaned[name]
      const shown = got === undefined || /SECRET|KEY|PASSWORD/.test(name) ? '' : ` (got "${got}")`
      return `${name}: ${i.message}${shown}`
    })
    throw new ConfigError(lines.join('\n'))
  }
  const e = parsed.data
  const problems: string[] = []
  if (e.CHORUS_ENV !== 'sandbox') {
    if (!e.PISTE_CLIENT_ID) problems.push(`PISTE_CLIENT_ID: required when CHORUS_ENV=${e.CHORUS_ENV} (your PISTE application's client id)`)
    if (!e.PISTE_CLIENT_SECRET) problems.push(`PISTE_CLIENT_SECRET: required when CHORUS_ENV=${e.CHORUS_ENV} (your PISTE application's client secret)`)
  }
  const roots = (e.FOLDER_SOURCE_ROOTS ?? '').split(/[,:]/).map((r) => r.trim()).filter(Boolean)
  for (const r of roots) if (!r.startsWith('/')) problems.push(`FOLDER_SOURCE_ROOTS: expected absolute paths separated by commas, such as /srv/invoices,/mnt/scans (got "${r}")`)
  if (problems.length) throw new ConfigError(problems.join('\n'))
  const dataDir = resolve(e.DATA_DIR)
  const inboxDir = resolve(e.INBOX_DIR ?? join(dataDir, 'inbox'))
  const defaults = e.CHORUS_ENV === 'sandbox' ? undefined : PISTE_DEFAULTS[e.CHORUS_ENV]
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir,
    inboxDir,
    chorus: {
      env: e.CHORUS_ENV,
      clientId: e.PISTE_CLIENT_ID,
      clientSecret: e.PISTE_CLIENT_SECRET,
      oauthUrl: e.PISTE_OAUTH_URL ?? defaults?.oauthUrl,
      apiUrl: (e.CHORUS_API_URL ?? defaults?.apiUrl)?.replace(/\/$/, ''),
      timeoutMs: e.CHORUS_TIMEOUT_MS,
      maxConcurrency: e.CHORUS_MAX_CONCURRENCY,
      rateLimitPerSecond: e.CHORUS_RATE_LIMIT,
    },
    secretKey: e.CONNECTOR_SECRET_KEY,
    adminKey: e.CONNECTOR_ADMIN_KEY,
    logLevel: e.LOG_LEVEL,
    timezone: e.TZ,
    bodyLimitBytes: e.BODY_LIMIT,
    worker: { enabled: e.WORKER_ENABLED, concurrency: e.WORKER_CONCURRENCY, leaseMs: Math.max(1000, e.JOB_LEASE_MS) },
    cronEnabled: e.CRON_ENABLED,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    uiFrameAncestors: e.UI_FRAME_ANCESTORS,
    autoSubmitCron: e.AUTO_SUBMIT_CRON,
    webhookAllowedHosts: (e.WEBHOOK_ALLOWED_HOSTS ?? '').split(/[\s,]+/).filter(Boolean),
    folderSourceRoots: roots.length ? roots.map((r) => resolve(r)) : [inboxDir],
  }
}
