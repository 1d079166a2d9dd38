import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { DB, Job } from '../db/schema'
import { asBackground } from '../db/query-priority'
import { claimJobs, completeJob, failJob, heartbeat, releaseJob, rescueExpiredLeases, LeaseLostError } from '../db/jobs'
import { PermanentJobError, RetryLaterError, type JobRun } from '../workflows/jobs'

/**
 * A handler as the worker calls it. The service's handlers are typed per kind (JobHandlerMap in
 * job-handler.ts); the worker hands each the payload that the typed port wrote for that kind.
 */
export type WorkerHandler = (payload: never, run: JobRun) => Promise<unknown>

export interface WorkerOptions {
  readonly db: Kysely<DB>
  readonly handlers: Readonly<Record<string, WorkerHandler>>
  readonly logger: Logger
  /**
   * How many jobs run at once, per lane. A kind's lane comes from `laneOf` (one lane 'default' when
   * absent). Lanes keep slow bulk work (webhook deliveries, exports) from starving intake: with one
   * shared pool, 547 pending deliveries held a 2,000-file inbox unscanned for over two minutes.
   */
  readonly concurrency?: number | Readonly<Record<string, number>>
  readonly laneOf?: (kind: string) => string
  /** How long a claimed job stays ours without a heartbeat. */
  readonly leaseMs?: number
  /** Idle poll interval; `wake()` cuts it short when this process enqueues work. */
  readonly pollMs?: number
  readonly workerId?: string
  /** After the shutdown deadline, how long aborted jobs get to stop before their lease is given back. */
  readonly abortGraceMs?: number
  /** Called after each job ends, for metrics. */
  readonly onJobEnd?: (job: Job, outcome: 'done' | 'retry' | 'dead' | 'released', ms: number) => void
}

export interface Worker {
  readonly id: string
  start(): void
  /**
   * Wakes the loop now (after an in-process enqueue). With a kind, only that kind's lane is claimed:
   * each wake claimed every lane before, and a burst of 100 uploads cost 854 claim queries on the
   * embedded database's one connection, ahead of the uploads themselves (footprint bench, README).
   */
  wake(kind?: string): void
  /** Stops claiming, lets running jobs finish until the deadline, then aborts them and releases their leases. */
  stop(deadlineMs: number): Promise<void>
  readonly running: number
}

interface Active {
  readonly job: Job
  readonly lane: string
  readonly controller: AbortController
  readonly done: Promise<void>
}

export function createWorker(opts: WorkerOptions): Worker {
  const id = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const laneOf = opts.laneOf ?? (() => 'default')
  const concurrencyOf = (lane: string) => (typeof opts.concurrency === 'number' ? opts.concurrency : (opts.concurrency?.[lane] ?? 4))
  // 30 s: a killed worker's jobs are taken back within half a minute; the heartbeat (every lease/3) keeps live ones.
  const leaseMs = opts.leaseMs ?? 30_000
  const pollMs = opts.pollMs ?? 500
  const abortGraceMs = opts.abortGraceMs ?? 2_000
  const lanes = new Map<string, string[]>()
  for (const kind of Object.keys(opts.handlers)) {
    const lane = laneOf(kind)
    lanes.set(lane, [...(lanes.get(lane) ?? []), kind])
  }
  const active = new Map<string, Active>()
  let stopping = false
  let started = false
  let wakeUp: (() => void) | undefined
  let loopDone: Promise<void> = Promise.resolve()
  let lastRescue = 0
  /** Lanes told of new work (an enqueue, a job ended) since the last pass; every lane when `all`. */
  const due = new Set<string>()
  let all = true
  let lastFullPass = 0

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => { wakeUp = undefined; resolve() }, ms)
      wakeUp = () => { clearTimeout(t); wakeUp = undefined; resolve() }
    })

  async function runJob(job: Job, controller: AbortController): Promise<void> {
    const started = Date.now()
    let completed = false
    const beat = setInterval(() => {
      heartbeat(opts.db, job.id, id, leaseMs)
        .then((ok) => { if (!ok) controller.abort(new LeaseLostError(job.id)) })
        .catch((e) => opts.logger.warn({ jobId: job.id, err: String(e) }, 'job heartbeat failed'))
    }, Math.max(200, Math.floor(leaseMs / 3)))
    beat.unref()
    const log = opts.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts })
    let outcome: 'done' | 'retry' | 'dead' | 'released' = 'done'
    try {
      const handler = opts.handlers[job.kind]
      if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`)
      // The payload was written by the typed port for this very kind (src/jobs/job-queue.ts).
      await handler(job.payload as never, {
        id: job.id,
        attempt: job.attempts,
        lastAttempt: job.attempts >= job.max_attempts,
        logger: log,
        signal: controller.signal,
        completeWithin: async (trx) => {
          await completeJob(trx, job.id, id)
          completed = true
        },
      })
      if (!completed) await completeJob(opts.db, job.id, id)
      log.debug({ ms: Date.now() - started }, 'job done')
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e))
      if (err instanceof LeaseLostError || controller.signal.reason instanceof LeaseLostError) {
        // Someone else owns it now; whatever we did in a completeWithin transaction rolled back.
        log.warn('job lease lost; another worker has it')
        outcome = 'released'
      } else if (stopping && controller.signal.aborted) {
        await releaseJob(opts.db, job.id, id).catch(() => {})
        log.info('job aborted by shutdown; given back to the queue')
        outcome = 'released'
      } else {
        outcome = await failJob(opts.db, job, id, err.message, {
          permanent: err instanceof PermanentJobError,
          retryInMs: err instanceof RetryLaterError ? err.delayMs : undefined,
        }).catch((fe) => {
          log.error({ err: String(fe) }, 'could not record job failure; its lease will expire and it will run again')
          return 'retry' as const
        })
        const level = outcome === 'dead' ? 'error' : 'warn'
        log[level]({ err: err.message, outcome }, outcome === 'dead' ? 'job failed for good' : 'job failed; will retry')
      }
    } finally {
      clearInterval(beat)
      opts.onJobEnd?.(job, outcome, Date.now() - started)
    }
  }

  async function claimFreeLanes(which: ReadonlySet<string> | 'all'): Promise<{ claimed: number; free: number }> {
    let claimed = 0
    let free = 0
    for (const [lane, kinds] of lanes) {
      if (which !== 'all' && !which.has(lane)) continue
      const running = [...active.values()].filter((a) => a.lane === lane).length
      const room = concurrencyOf(lane) - running
      if (room <= 0) continue
      free += room
      const jobs = await claimJobs(opts.db, { workerId: id, limit: room, leaseMs, kinds })
      for (const job of jobs) {
        const controller = new AbortController()
        const done = runJob(job, controller).finally(() => { active.delete(job.id); due.add(lane); wakeUp?.() })
        active.set(job.id, { job, lane, controller, done })
      }
      claimed += jobs.length
      // A lane that filled its room may have more waiting: look again on the next pass.
      if (jobs.length === room) due.add(lane)
    }
    return { claimed, free }
  }

  async function loop(): Promise<void> {
    let idle = 0
    while (!stopping) {
      try {
        if (Date.now() - lastRescue > Math.min(leaseMs / 2, 30_000)) {
          lastRescue = Date.now()
          const n = await rescueExpiredLeases(opts.db)
          if (n) {
            all = true
            opts.logger.warn({ jobs: n }, 'took back jobs whose worker stopped without finishing')
          }
        }
        // Every lane at least once per poll interval, however often wakes come: jobs due later (retries,
        // flow follow-ups) and other instances' enqueues are only found by polling.
        if (Date.now() - lastFullPass >= pollMs) all = true
        if (all) lastFullPass = Date.now()
        const which = all ? 'all' : new Set(due)
        all = false
        due.clear()
        const { claimed, free } = await claimFreeLanes(which)
        if (all || due.size) idle = 0
        else if (claimed === 0) {
          idle = Math.min(idle + 1, 4)
          await sleep(free > 0 ? pollMs * idle : pollMs)
        } else idle = 0
      } catch (e) {
        if (stopping) break
        opts.logger.error({ err: String(e) }, 'job worker loop error; retrying')
        await sleep(Math.max(pollMs, 1000))
      }
    }
  }

  const settled = (ms: number, work: Promise<unknown>) =>
    Promise.race([work.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), ms).unref())])

  return {
    id,
    get running() { return active.size },
    start() {
      if (started) return
      started = true
      // Everything the loop starts (claims, handlers, heartbeats) is background work: on the embedded
      // database, requests' queries go first (db/pglite-thread-dialect.ts).
      loopDone = asBackground(loop)
    },
    wake(kind) {
      if (kind === undefined) all = true
      else due.add(laneOf(kind))
      wakeUp?.()
    },
    async stop(deadlineMs) {
      stopping = true
      wakeUp?.()
      await loopDone
      if (await settled(deadlineMs, Promise.all([...active.values()].map((a) => a.done)))) return
      // Past the deadline: abort what still runs, so a released job does not keep calling Chorus Pro
      // while another instance takes it, and give the leases back.
      opts.logger.warn({ jobs: active.size }, 'shutdown deadline reached; aborting and releasing running jobs')
      const left = [...active.values()]
      for (const a of left) a.controller.abort(new Error('the worker is shutting down'))
      await settled(abortGraceMs, Promise.all(left.map((a) => a.done)))
      await Promise.all(left.map((a) => releaseJob(opts.db, a.job.id, id).catch(() => {})))
    },
  }
}
