import { sql } from 'kysely'
import type { JobHandlers } from './job-handler'
import { purgeFinishedJobs } from '../db/jobs'

/** Housekeeping: finished jobs and old cron slots would otherwise grow without bound. */
export function maintenanceHandlers(): JobHandlers {
  return {
    'maintenance.purge': async (_job, ctx) => {
      const jobs = await purgeFinishedJobs(ctx.db)
      const slots = await sql`delete from cron_slots where slot < now() - interval '7 days'`.execute(ctx.db)
      ctx.logger.info({ jobs, cronSlots: Number(slots.numAffectedRows ?? 0) }, 'purged finished jobs and old cron slots')
    },
  }
}
