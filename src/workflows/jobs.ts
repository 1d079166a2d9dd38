import type { Kysely, Transaction } from 'kysely'
import type { Logger } from 'pino'
import type { DB } from '../db/schema'

/** A cron run carries the minute slot it was enqueued for (cron/scheduler.ts). */
export interface CronRun {
  readonly slot?: string
}

/**
 * Every kind of background job with its payload: the one list (graphile-worker's task map is the
 * model). `ports.jobs.enqueue('document.submit', { documentId })` does not compile with a wrong payload,
 * and src/wiring.ts does not compile unless every kind here has a handler.
 */
export interface JobPayloads {
  'source.scan': { readonly sourceId: string }
  'sources.poll': CronRun
  'document.analyse': { readonly documentId: string }
  'document.recheck': { readonly documentId: string }
  'document.submit': { readonly documentId: string; readonly manual?: boolean; readonly actor?: string; readonly auto?: boolean }
  'document.follow-flow': { readonly documentId: string }
  'documents.auto-submit': CronRun
  'documents.reconcile': CronRun
  'documents.recheck-all': CronRun
  'invoices.sync': CronRun & { readonly accountId?: string }
  'export.run': { readonly exportId: string }
  'exports.expire': CronRun
  'webhook.deliver': { readonly deliveryId: string }
  'accounts.check': CronRun
  'maintenance.purge': CronRun
  'document.write-back': { readonly writeBackId: string }
  'mail.send': { readonly outboxId: string }
  'notifications.immediate': { readonly subject: string }
  'notifications.tick': CronRun
}

export type JobKind = keyof JobPayloads

/**
 * Which share of the worker a kind runs in. Each lane has its own concurrency, so 500 webhook
 * deliveries waiting never hold back a scan, an analysis or a submission (src/jobs/worker.ts).
 */
export type JobLane = 'intake' | 'documents' | 'background'

export interface JobKindSpec<K extends JobKind> {
  readonly lane: JobLane
  /** Claim order within the lane (higher first). */
  readonly priority?: number
  readonly maxAttempts?: number
  /** While a job with this key is pending or running, the same enqueue does nothing (one waiting job per document). */
  readonly key?: (payload: JobPayloads[K]) => string
}

/**
 * Claim priorities. A ready document's submission goes before the analyses still waiting: with 10,000
 * files dropped at once, submissions otherwise queued behind every analysis and the first invoice reached
 * Chorus Pro only after 17 minutes (pipeline bench, README). Both share Chorus Pro's rate limit, so the
 * total time is the same; the first results come early. Scans come first of all: a file is safe only
 * once it is in the database, and taking it in is cheap.
 */
const SCAN_PRIORITY = 5
const SUBMIT_PRIORITY = 3

/** Defaults of each kind; an enqueue may override them. */
export const JOB_KINDS: { readonly [K in JobKind]: JobKindSpec<K> } = {
  'source.scan': { lane: 'intake', priority: SCAN_PRIORITY, maxAttempts: 3, key: (p) => `source.scan:${p.sourceId}` },
  'sources.poll': { lane: 'intake' },
  'document.analyse': { lane: 'documents', key: (p) => `document.analyse:${p.documentId}` },
  'document.recheck': { lane: 'documents', key: (p) => `document.recheck:${p.documentId}` },
  'document.submit': { lane: 'documents', priority: SUBMIT_PRIORITY, key: (p) => `document.submit:${p.documentId}` },
  // A flow being integrated comes back with backoff: 40 attempts are hours in all.
  'document.follow-flow': { lane: 'documents', maxAttempts: 40, key: (p) => `document.follow-flow:${p.documentId}` },
  'documents.auto-submit': { lane: 'documents' },
  'documents.reconcile': { lane: 'documents', key: () => 'documents.reconcile' },
  'documents.recheck-all': { lane: 'documents' },
  // Same key as the cron run (cron-slot.ts uses `cron:<name>`), so a manual sync and a cron run never pile up.
  'invoices.sync': { lane: 'documents', maxAttempts: 5, key: () => 'cron:invoices.sync' },
  'export.run': { lane: 'background', maxAttempts: 3 },
  'exports.expire': { lane: 'background' },
  'webhook.deliver': { lane: 'background', maxAttempts: 12 },
  'accounts.check': { lane: 'background' },
  'maintenance.purge': { lane: 'background' },
  // A host that is down is retried with backoff (2 s … 1 h): 12 attempts are about two hours.
  'document.write-back': { lane: 'background', maxAttempts: 12 },
  // An SMTP server that is down: backoff 2 s … about 4 min over 8 attempts, then the message is 'failed'.
  'mail.send': { lane: 'background', maxAttempts: 8 },
  // One waiting job per subject: events arriving meanwhile join it (and the hourly limit holds it back).
  'notifications.immediate': { lane: 'background', maxAttempts: 5, key: (p) => `notifications.immediate:${p.subject}` },
  'notifications.tick': { lane: 'background' },
}

export const JOB_KIND_NAMES = Object.keys(JOB_KINDS) as readonly JobKind[]

export interface EnqueueOptions {
  /** Overrides the kind's key; `null` enqueues without one. */
  readonly key?: string | null
  readonly runAt?: Date
  readonly priority?: number
  readonly maxAttempts?: number
  /**
   * The caller's transaction: the job then exists exactly when the caller's change does (the
   * transactional outbox: a document row and its analysis job commit together or not at all).
   * A plain connection is accepted too, for code that runs both inside and outside a transaction.
   */
  readonly within?: Kysely<DB> | Transaction<DB>
}

export interface Enqueued {
  readonly id: string
  /** False when a pending or running job already held the key. */
  readonly created: boolean
}

/** The queue as workflows see it: they never import the worker or the job table. */
export interface JobQueue {
  enqueue<K extends JobKind>(kind: K, payload: JobPayloads[K], opts?: EnqueueOptions): Promise<Enqueued>
}

/** What a running job knows of itself, handed to its handler. */
export interface JobRun {
  readonly id: string
  readonly attempt: number
  readonly lastAttempt: boolean
  readonly logger: Logger
  /** Aborted when the worker shuts down or loses the lease: stop calling out and throw. */
  readonly signal: AbortSignal
  /**
   * Marks the job done inside the handler's transaction, so its database effects and its completion
   * commit together (exactly-once for effects that live in the database). Throws when another worker
   * has taken the job, which rolls the transaction back.
   */
  completeWithin(trx: Transaction<DB>): Promise<void>
}

/** Throw from a job when retrying cannot help: the job goes to dead at once with this message. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError'
}

/** Throw from a job to come back later without spending an attempt (e.g. Chorus Pro is down and its circuit is open). */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError'
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message)
  }
}
