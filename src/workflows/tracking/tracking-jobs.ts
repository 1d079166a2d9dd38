import type { Schedule } from '../../cron/scheduler'
import { RetryLaterError, type JobHandlers } from '../../jobs/job-handler'
import { enqueue } from '../../db/jobs'
import { expireExports } from '../../db/exports'
import { isChorusError } from '../../chorus'
import { deliverWebhook } from '../webhooks/deliver-webhook'
import { runExport } from './export-invoices'
import { syncStatuses, type SyncOptions } from './sync-statuses'
import type { Ports } from '../ports'

export const SYNC_JOB = 'invoices.sync'
/** Same key as the cron run (cron-slot.ts uses `cron:<name>`), so a manual sync and a cron run never pile up. */
export const SYNC_JOB_KEY = `cron:${SYNC_JOB}`

/** Tracking schedules: the status sync every 30 minutes, expired exports every hour. Cron only enqueues. */
export const TRACKING_SCHEDULES: readonly Schedule[] = [
  { name: SYNC_JOB, cron: '*/30 * * * *', kind: SYNC_JOB },
  { name: 'exports.expire', cron: '7 * * * *', kind: 'exports.expire' },
]

export async function enqueueSync(ports: Ports, payload: Record<string, unknown> = {}) {
  const r = await enqueue(ports.db, { kind: SYNC_JOB, key: SYNC_JOB_KEY, payload, maxAttempts: 5 })
  ports.jobsEnqueued()
  return r
}

/** One handler per workflow. A Chorus outage (or open circuit) brings the sync back later without spending an attempt. */
export function trackingHandlers(ports: Ports, syncOptions: SyncOptions = {}): JobHandlers {
  return {
    [SYNC_JOB]: async (job, ctx) => {
      const accountId = typeof job.payload.accountId === 'string' ? job.payload.accountId : undefined
      try {
        await syncStatuses(ports, { ...syncOptions, accountId, signal: ctx.signal })
      } catch (e) {
        if (isChorusError(e) && e.retryable) throw new RetryLaterError(`Chorus Pro unavailable during the status sync: ${e.message}`, 5 * 60_000)
        throw e
      }
    },
    'export.run': async (job, ctx) => {
      const id = String(job.payload.exportId ?? '')
      try {
        await runExport(ports, id, { signal: ctx.signal })
      } catch (e) {
        if (job.attempts >= job.max_attempts) {
          await ports.db.updateTable('exports').set({ state: 'failed', error: e instanceof Error ? e.message : String(e) }).where('id', '=', id).execute()
        }
        throw e
      }
    },
    'webhook.deliver': async (job) => {
      await deliverWebhook(ports, job, String(job.payload.deliveryId ?? ''))
    },
    'exports.expire': async (_job, ctx) => {
      const n = await expireExports(ports.db, ports.now())
      if (n) ctx.logger.info({ exports: n }, 'expired exports removed')
    },
  }
}
