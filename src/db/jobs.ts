import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB, Job } from './schema'
import { now, secondsFromNow } from './sql-now'

type Executor = Kysely<DB> | Transaction<DB>

/** A job row to insert; workflows enqueue through the typed port (src/jobs/job-queue.ts), not this. */
export interface NewJobRow {
  readonly kind: string
  readonly payload?: object
  /** While a job with this key is pending or running, enqueueing the same key again does nothing. */
  readonly key?: string | null
  readonly runAt?: Date
  readonly priority?: number
  readonly maxAttempts?: number
}

export interface Enqueued {
  readonly id: string
  /** False when a pending or running job already held the key. */
  readonly created: boolean
}

/**
 * Adds a job. Pass the caller's transaction to make the job exist exactly when the caller's change
 * does (the transactional outbox: a document row and its analysis job commit together or not at all).
 */
export async function insertJob(db: Executor, opts: NewJobRow): Promise<Enqueued> {
  const row = await db
    .insertInto('jobs')
    .values({
      kind: opts.kind,
      payload: JSON.stringify(opts.payload ?? {}),
      key: opts.key ?? null,
      run_at: opts.runAt ?? now(),
      priority: opts.priority ?? 0,
      max_attempts: opts.maxAttempts ?? 10,
    })
    .onConflict((oc) => oc.column('key').where('state', 'in', ['pending', 'running']).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (row) return { id: row.id, created: true }
  if (!opts.key) throw new Error(`job ${opts.kind} was not inserted and has no key`)
  const existing = await db
    .selectFrom('jobs')
    .select('id')
    .where('key', '=', opts.key)
    .where('state', 'in', ['pending', 'running'])
    .executeTakeFirst()
  // The holder may have finished between our insert and this read; enqueue again in that case.
  if (!existing) return insertJob(db, opts)
  return { id: existing.id, created: false }
}

export interface ClaimOptions {
  readonly workerId: string
  readonly limit: number
  readonly leaseMs: number
  /** Only these kinds (the ones this worker has handlers for). */
  readonly kinds: readonly string[]
}

/**
 * Claims due jobs with FOR UPDATE SKIP LOCKED: concurrent workers never wait on each other and never
 * take the same row. Measured on PostgreSQL 15 here: 8 concurrent claims of 50 jobs, 0 overlap
 * (../shared/reference/stack.md). On PGlite transactions are serialised anyway.
 */
export async function claimJobs(db: Kysely<DB>, opts: ClaimOptions): Promise<Job[]> {
  if (opts.kinds.length === 0 || opts.limit <= 0) return []
  const leaseSeconds = opts.leaseMs / 1000
  const rows = await sql<Job>`
    update jobs set state = 'running', attempts = attempts + 1, locked_by = ${opts.workerId},
      locked_until = now() + make_interval(secs => ${leaseSeconds}), updated_at = now()
    where id in (
      select id from jobs
      where state = 'pending' and run_at <= now() and kind = any(${sql.val([...opts.kinds])}::text[])
      order by priority desc, run_at, id
      limit ${opts.limit}
      for update skip locked
    )
    returning *`.execute(db)
  // UPDATE … RETURNING does not keep the subquery's order.
  return rows.rows.sort((a, b) => b.priority - a.priority || +a.run_at - +b.run_at || Number(a.id) - Number(b.id))
}

/** Extends the lease; false when the job is no longer ours (its lease expired and another worker took it). */
export async function heartbeat(db: Kysely<DB>, jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ locked_until: secondsFromNow(leaseMs / 1000), updated_at: now() })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError'
  constructor(readonly jobId: string) {
    super(`job ${jobId} is no longer held by this worker (its lease expired)`)
  }
}

/**
 * Marks a job done. Called with the handler's own transaction, the job's effects and its completion
 * commit together: if the lease was lost meanwhile, this throws and the effects roll back, so a job
 * whose effects live in the database takes effect exactly once even when a worker is killed mid-job.
 */
export async function completeJob(db: Executor, jobId: string, workerId: string): Promise<void> {
  const r = await db
    .updateTable('jobs')
    // last_error stays: a job that succeeded after failures keeps the trace of why it needed them.
    .set({ state: 'done', locked_by: null, locked_until: null, finished_at: now(), updated_at: now() })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst()
  if (Number(r.numUpdatedRows) !== 1) throw new LeaseLostError(jobId)
}

/** Exponential backoff with jitter: 2 s, 4 s, 8 s … capped at one hour, each drawn in [50%, 100%]. */
export function backoffMs(attempt: number, baseMs = 2000, capMs = 3_600_000, random = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exp * (0.5 + random() / 2))
}

export interface FailOptions {
  /** Skip the remaining attempts: the error will not go away by retrying. */
  readonly permanent?: boolean
  /** Retry after this delay instead of the backoff, without counting the attempt (e.g. Chorus Pro's circuit is open). */
  readonly retryInMs?: number
}

/** Records a failure: back to pending after a backoff, or dead after the last attempt, keeping the error. */
export async function failJob(db: Kysely<DB>, job: Pick<Job, 'id' | 'attempts' | 'max_attempts'>, workerId: string, error: string, opts: FailOptions = {}): Promise<'retry' | 'dead'> {
  const message = error.slice(0, 4000)
  const dead = opts.permanent || (opts.retryInMs === undefined && job.attempts >= job.max_attempts)
  if (dead) {
    await db
      .updateTable('jobs')
      .set({ state: 'dead', last_error: message, locked_by: null, locked_until: null, finished_at: now(), updated_at: now() })
      .where('id', '=', job.id)
      .where('locked_by', '=', workerId)
      .execute()
    return 'dead'
  }
  const delay = opts.retryInMs ?? backoffMs(job.attempts)
  await db
    .updateTable('jobs')
    .set({
      state: 'pending',
      last_error: message,
      locked_by: null,
      locked_until: null,
      attempts: opts.retryInMs !== undefined ? sql<number>`greatest(attempts - 1, 0)` : job.attempts,
      run_at: secondsFromNow(delay / 1000),
      updated_at: now(),
    })
    .where('id', '=', job.id)
    .where('locked_by', '=', workerId)
    .execute()
  return 'retry'
}

/** Gives a job back untouched (graceful shutdown): the attempt does not count. */
export async function releaseJob(db: Kysely<DB>, jobId: string, workerId: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ state: 'pending', locked_by: null, locked_until: null, attempts: sql<number>`greatest(attempts - 1, 0)`, updated_at: now() })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .execute()
}

/**
 * Jobs whose worker vanished (killed, partitioned) keep their lease until it expires; then they go
 * back to pending, or to dead when that was their last attempt. Any instance may run this.
 */
export async function rescueExpiredLeases(db: Kysely<DB>): Promise<number> {
  const r = await sql`
    update jobs set
      state = case when attempts >= max_attempts then 'dead' else 'pending' end,
      last_error = coalesce(last_error || ' | ', '') || 'lease expired: the worker stopped without finishing (attempt ' || attempts || ')',
      finished_at = case when attempts >= max_attempts then now() else null end,
      locked_by = null, locked_until = null, run_at = now(), updated_at = now()
    where id in (select id from jobs where state = 'running' and locked_until < now() for update skip locked)`.execute(db)
  return Number(r.numAffectedRows ?? 0)
}

export interface QueueCount {
  readonly kind: string
  readonly state: string
  readonly count: number
}

export async function queueCounts(db: Kysely<DB>): Promise<QueueCount[]> {
  const rows = await db.selectFrom('jobs').select(['kind', 'state', db.fn.countAll<string>().as('count')]).groupBy(['kind', 'state']).execute()
  return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.count) }))
}

/** Deletes finished jobs older than the retention, keeping dead ones for inspection longer. */
export async function purgeFinishedJobs(db: Kysely<DB>, doneDays = 7, deadDays = 30): Promise<number> {
  const r = await sql`delete from jobs where (state = 'done' and finished_at < now() - make_interval(days => ${doneDays}))
    or (state = 'dead' and finished_at < now() - make_interval(days => ${deadDays}))`.execute(db)
  return Number(r.numAffectedRows ?? 0)
}

/** Deletes cron slots older than the retention (they only guard against a run enqueued twice in one minute). */
export async function purgeOldCronSlots(db: Kysely<DB>, days: number): Promise<number> {
  const r = await db.deleteFrom('cron_slots').where('slot', '<', sql<Date>`now() - make_interval(days => ${days})`).executeTakeFirst()
  return Number(r.numDeletedRows)
}

/** The keys of the jobs of a kind that are pending or running (e.g. which sources have a scan waiting). */
export async function liveJobKeys(db: Kysely<DB>, kind: string): Promise<Set<string>> {
  const rows = await db.selectFrom('jobs').select('key').where('kind', '=', kind).where('state', 'in', ['pending', 'running']).where('key', 'is not', null).execute()
  return new Set(rows.flatMap((r) => (r.key === null ? [] : [r.key])))
}
