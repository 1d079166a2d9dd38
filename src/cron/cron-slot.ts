import type { Kysely } from 'kysely'
import type { DB } from '../db/schema'
import { insertJob } from '../db/jobs'
import { JOB_KINDS, type JobKind } from '../workflows/jobs'

/**
 * Enqueues the run of `name` for one time slot, once across every instance: the first instance to
 * insert (name, slot) enqueues in the same transaction; the others find the slot taken and do nothing.
 * The job also carries a dedupe key, so a run still waiting is not doubled by the next slot.
 */
export async function enqueueCronRun(db: Kysely<DB>, name: string, slot: Date, job: { readonly kind: JobKind; readonly payload?: object }, instance?: string): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    const taken = await trx
      .insertInto('cron_slots')
      .values({ name, slot, instance: instance ?? null })
      .onConflict((oc) => oc.columns(['name', 'slot']).doNothing())
      .returning('name')
      .executeTakeFirst()
    if (!taken) return null
    const spec = JOB_KINDS[job.kind]
    const { id } = await insertJob(trx, { key: `cron:${name}`, kind: job.kind, payload: job.payload, priority: spec.priority, maxAttempts: spec.maxAttempts })
    await trx.updateTable('cron_slots').set({ job_id: id }).where('name', '=', name).where('slot', '=', slot).execute()
    return id
  })
}

/** The slot a tick belongs to: its minute (node-cron may fire a few ms late; all instances agree on the minute). */
export function minuteSlot(at: Date): Date {
  const d = new Date(at)
  d.setUTCSeconds(0, 0)
  return d
}
