import { purgeFinishedJobs, purgeOldCronSlots } from '../../db/jobs'
import type { Ports } from '../ports'

/** Nightly (`maintenance.purge`): finished jobs and old cron slots would otherwise grow without bound. */
export async function purgeHistory(ports: Ports): Promise<{ jobs: number; cronSlots: number }> {
  const jobs = await purgeFinishedJobs(ports.db)
  const cronSlots = await purgeOldCronSlots(ports.db, 7)
  ports.logger.info({ jobs, cronSlots }, 'purged finished jobs and old cron slots')
  return { jobs, cronSlots }
}
