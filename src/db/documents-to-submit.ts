import { sql } from 'kysely'
import type { Database } from './database'

/** Ready documents of enabled auto-submit accounts, oldest first. */
export async function readyAutoSubmitDocumentIds(db: Database, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('documents')
    .innerJoin('accounts', 'accounts.id', 'documents.account_id')
    .select('documents.id')
    .where('accounts.auto_submit', '=', true)
    .where('accounts.disabled_at', 'is', null)
    .where('documents.stage', '=', 'to_submit')
    .where('documents.ready', '=', true)
    .where('documents.submit_error', 'is', null)
    .orderBy('documents.received_at')
    .orderBy('documents.id')
    .limit(limit)
    .execute()
  return rows.map((r) => r.id)
}

/**
 * Documents `submitting` for over two minutes with no pending or running submission or flow job:
 * their worker died after its job ended, or the job was purged. With the flow number when a Factur-X
 * flow was deposited (it must be followed, never deposited again).
 */
export async function interruptedSubmissions(db: Database): Promise<Array<{ readonly id: string; readonly flowNumber: string | null }>> {
  const rows = await sql<{ id: string; flow_number: string | null }>`
    select d.id, d.submission_attempt->>'flowNumber' as flow_number from documents d
    where d.stage = 'submitting' and d.updated_at < now() - interval '2 minutes'
      and not exists (select 1 from jobs j where j.key in ('document.submit:' || d.id, 'document.follow-flow:' || d.id) and j.state in ('pending', 'running'))`.execute(db)
  return rows.rows.map((r) => ({ id: r.id, flowNumber: r.flow_number }))
}
