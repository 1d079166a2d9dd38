import type { Kysely } from 'kysely'
import type { DB } from '../db/schema'
import { insertJob } from '../db/jobs'
import { JOB_KINDS, type EnqueueOptions, type JobKind, type JobKindSpec, type JobPayloads, type JobQueue } from '../workflows/jobs'

/**
 * The queue port workflows are given (ports.jobs): the kind's defaults (key, priority, attempts) from
 * src/workflows/jobs.ts, the row written by db/jobs.ts, then the in-process worker woken so the work
 * starts without waiting for its next poll.
 */
export function createJobQueue(db: Kysely<DB>, wakeFor: (kind: JobKind) => void): JobQueue {
  return {
    async enqueue<K extends JobKind>(kind: K, payload: JobPayloads[K], opts: EnqueueOptions = {}) {
      const spec: JobKindSpec<K> = JOB_KINDS[kind]
      const r = await insertJob(opts.within ?? db, {
        kind,
        payload,
        key: opts.key !== undefined ? opts.key : (spec.key?.(payload) ?? null),
        runAt: opts.runAt,
        priority: opts.priority ?? spec.priority ?? 0,
        maxAttempts: opts.maxAttempts ?? spec.maxAttempts ?? 10,
      })
      // A job due later is found by the worker's poll; waking for it now would only cost a claim.
      if (opts.runAt && opts.runAt.getTime() > Date.now() + 100) return r
      const wake = () => wakeFor(kind)
      if (!opts.within?.isTransaction) setImmediate(wake)
      else {
        // The job is visible only once the caller's transaction commits, which we cannot observe
        // from here: wake now (it usually commits within a few ms) and once more a little later.
        setTimeout(wake, 20).unref()
        setTimeout(wake, 250).unref()
      }
      return r
    },
  }
}
