import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { DB, Job } from '../db/schema'
import { claimJobs, completeJob, failJob, heartbeat, releaseJob, rescueExpiredLeases, LeaseLostError } from '../db/jobs'
import { PermanentJobError, RetryLaterError, type JobHandlers } from './job-handler'

export interface WorkerOptions {
  readonly db: Kysely<DB>
  readonly handlers: JobHandlers
  readonly logger: Logger
  readonly concurrency?: number
  /** How long a claimed job stays ours without a heartbeat. */
  readonly leaseMs?: number
  /** Idle poll interval; `wake()` cuts it short when this process enqueues work. */
  readonly pollMs?: number
  readonly workerId?: string
  /** Called after each job ends, for metrics. */
  readonly onJobEnd?: (job: Job, outcome: 'done' | 'retry' | 'dead' | 'released', ms: number) => void
}

export interface Worker {
  readonly id: string
  start(): void
  /** Wakes the loop now (after an in-process enqueue). */
  wake(): void
  /** Stops claiming, lets running jobs finish until the deadline, then aborts and releases the rest. */
  stop(deadlineMs: number): Promise<void>
  readonly running: number
}

export function createWorker(opts: WorkerOptions): Worker {
  const id = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const concurrency = opts.concurrency ?? 4
  // 30 s: a killed worker's jobs are taken back within half a minute; the heartbeat (every 10 s) keeps live ones.
  const leaseMs = opts.leaseMs ?? 30_000
  const pollMs = opts.pollMs ?? 500
  const kinds = Object.keys(opts.handlers)
  const active = new Map<string, { job: Job; controller: AbortController; done: Promise<void> }>()
  let stopping = false
  let started = false
  let wakeUp: (() => void) | undefined
  let loopDone: Promise<void> = Promise.resolve()
  let lastRescue = 0

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => { wakeUp = undefined; resolve() }, ms)
      wakeUp = () => { clearTimeout(t); wakeUp = undefined; resolve() }
    })

  async function runJob(job: Job): Promise<void> {
    const controller = new AbortController()
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
      await opts.handlers[job.kind]!(job, {
        db: opts.db,
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

  async function loop(): Promise<void> {
    let idle = 0
    while (!stopping) {
      try {
        if (Date.now() - lastRescue > Math.min(leaseMs / 2, 30_000)) {
          lastRescue = Date.now()
          const n = await rescueExpiredLeases(opts.db)
          if (n) opts.logger.warn({ jobs: n }, 'took back jobs whose worker stopped without finishing')
        }
        const free = concurrency - active.size
        const jobs = free > 0 ? await claimJobs(opts.db, { workerId: id, limit: free, leaseMs, kinds }) : []
        for (const job of jobs) {
          const controller = new AbortController()
          const done = runJob(job).finally(() => { active.delete(job.id); wakeUp?.() })
          active.set(job.id, { job, controller, done })
        }
        if (jobs.length === 0) {
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

  return {
    id,
    get running() { return active.size },
    start() {
      if (started) return
      started = true
      loopDone = loop()
    },
    wake() { wakeUp?.() },
    async stop(deadlineMs) {
      stopping = true
      wakeUp?.()
      await loopDone
      const all = Promise.all([...active.values()].map((a) => a.done))
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), deadlineMs).unref())
      if ((await Promise.race([all.then(() => 'ok' as const), timer])) === 'timeout') {
        opts.logger.warn({ jobs: active.size }, 'shutdown deadline reached; releasing running jobs')
        await Promise.all([...active.values()].map((a) => releaseJob(opts.db, a.job.id, id).catch(() => {})))
      }
    },
  }
}
