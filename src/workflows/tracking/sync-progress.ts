import { sql } from 'kysely'
import type { Ports } from '../ports'

export interface SyncProgress {
  /** waiting: queued (or back in the queue after a Chorus Pro outage, see retryAt); running; done; failed. */
  readonly state: 'waiting' | 'running' | 'done' | 'failed'
  readonly queuedAt: string
  readonly finishedAt: string | null
  /** When a run stopped by an outage comes back. */
  readonly retryAt: string | null
  /** Known invoices whose status changed during the run (done only). */
  readonly changed: number | null
  /** Invoices found in Chorus Pro that the connector did not know (done only). */
  readonly discovered: number | null
}

/**
 * Where a status sync asked for by a person stands, and, once it is done, what changed: the invoices
 * the run updated (a new status) and the ones it found, counted between its queuing and its end. An
 * action taken meanwhile (a recycle) counts too: "what changed while you waited".
 */
export async function syncProgress(ports: Pick<Ports, 'db'>, jobId: string): Promise<SyncProgress | undefined> {
  const job = await ports.db.selectFrom('jobs').select(['kind', 'state', 'created_at', 'finished_at', 'run_at', 'attempts']).where('id', '=', jobId).executeTakeFirst()
  if (!job || job.kind !== 'invoices.sync') return undefined
  const base = { queuedAt: job.created_at.toISOString(), finishedAt: job.finished_at ? job.finished_at.toISOString() : null }
  if (job.state === 'dead') return { ...base, state: 'failed', retryAt: null, changed: null, discovered: null }
  if (job.state !== 'done' || !job.finished_at) {
    const retry = job.state === 'pending' && job.attempts > 0 ? job.run_at.toISOString() : null
    return { ...base, state: job.state === 'running' ? 'running' : 'waiting', retryAt: retry, changed: null, discovered: null }
  }
  const r = await sql<{ changed: string; discovered: string }>`
    select
      count(*) filter (where created_at < ${job.created_at} and updated_at >= ${job.created_at} and updated_at <= ${job.finished_at})::text as changed,
      count(*) filter (where created_at >= ${job.created_at} and created_at <= ${job.finished_at} and document_id is null)::text as discovered
    from invoices
    where updated_at >= ${job.created_at} or created_at >= ${job.created_at}`.execute(ports.db)
  return { ...base, state: 'done', retryAt: null, changed: Number(r.rows[0]?.changed ?? 0), discovered: Number(r.rows[0]?.discovered ?? 0) }
}
