import cron, { type ScheduledTask } from 'node-cron'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { DB } from '../db/schema'
import { enqueueCronRun, minuteSlot } from './cron-slot'
import type { JobKind } from '../workflows/jobs'

export interface Schedule {
  /** Stable name: the slot key across instances. */
  readonly name: string
  /** node-cron expression (5 fields, minute precision), evaluated in Europe/Paris. */
  readonly cron: string
  /** The job it enqueues; the job carries `{ slot }`, the minute it was enqueued for. */
  readonly kind: JobKind
}

export interface Scheduler {
  stop(): Promise<void>
  readonly schedules: readonly Schedule[]
}

/**
 * Cron only enqueues: the work itself runs in the job worker, with its retries and leases, on
 * whichever instance claims it. Timezone Europe/Paris so "every night at 2:30" follows French time.
 */
export function startScheduler(opts: {
  db: Kysely<DB>
  schedules: readonly Schedule[]
  logger: Logger
  timezone?: string
  instanceId?: string
  onEnqueued?: () => void
}): Scheduler {
  // node-cron 4 prints overlap warnings to the console in colour; route them to our JSON log instead.
  const log = opts.logger.child({ component: 'cron' })
  cron.setLogger({
    info: (m) => log.debug(m),
    warn: (m) => log.warn(m),
    error: (m, e) => log.error({ err: String(e ?? m) }, String(m)),
    debug: (m) => log.debug(String(m)),
  })
  const tasks: ScheduledTask[] = []
  for (const s of opts.schedules) {
    if (!cron.validate(s.cron)) throw new Error(`schedule ${s.name}: invalid cron expression "${s.cron}"`)
    const task = cron.schedule(
      s.cron,
      async (ctx) => {
        const slot = minuteSlot(ctx?.date ?? new Date())
        try {
          const id = await enqueueCronRun(opts.db, s.name, slot, { kind: s.kind, payload: { slot: slot.toISOString() } }, opts.instanceId)
          if (id) {
            opts.logger.debug({ schedule: s.name, jobId: id, slot }, 'cron run enqueued')
            opts.onEnqueued?.()
          }
        } catch (e) {
          opts.logger.error({ schedule: s.name, err: String(e) }, 'cron could not enqueue its run')
        }
      },
      { timezone: opts.timezone ?? 'Europe/Paris', name: s.name, noOverlap: true },
    )
    tasks.push(task)
  }
  return {
    schedules: opts.schedules,
    async stop() {
      await Promise.all(tasks.map((t) => t.stop()))
      await Promise.all(tasks.map((t) => t.destroy()))
    },
  }
}
