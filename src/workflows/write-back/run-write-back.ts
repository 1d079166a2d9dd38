import type { Selectable } from 'kysely'
import type { WriteBacksTable } from '../../db/schema'
import { getSource } from '../../db/sources'
import { describeStatus } from '../../domain/invoice-status'
import { WriteBackGoneError, type WriteBackFacts, type WriteBackTargets } from '../../sources/write-back-target'
import { RetryLaterError, type JobRun } from '../jobs'
import type { Ports } from '../ports'

export type WriteBackRow = Selectable<WriteBacksTable>

/** How long a write-back waits for an earlier one of the same document (without spending an attempt). */
const WAIT_FOR_EARLIER_MS = 5_000

async function factsOf(ports: Ports, row: WriteBackRow): Promise<WriteBackFacts> {
  const d = describeStatus(row.status)
  const invoice = row.invoice_id ? await ports.db.selectFrom('invoices').select(['deposited_at']).where('id', '=', row.invoice_id).executeTakeFirst() : undefined
  const events = row.invoice_id
    ? await ports.db
        .selectFrom('invoice_events')
        .select(['status', 'occurred_at', 'comment'])
        .where('invoice_id', '=', row.invoice_id)
        .where('kind', '=', 'status')
        .where('status', 'is not', null)
        .orderBy('occurred_at')
        .orderBy('id')
        .execute()
    : []
  const history = events.map((e) => ({ status: e.status!, label: describeStatus(e.status!).label, at: e.occurred_at.toISOString(), comment: e.comment }))
  // The status of this change, when the sync has not stored its history line yet (a submission).
  if (!history.some((h) => h.status === row.status)) history.push({ status: row.status, label: d.label, at: row.status_at.toISOString(), comment: row.comment })
  return {
    event: row.event,
    status: row.status,
    label: d.label,
    group: d.group,
    statusAt: row.status_at,
    comment: row.comment,
    chorusInvoiceId: row.chorus_invoice_id,
    invoiceNumber: row.invoice_number,
    depositedAt: invoice?.deposited_at ? new Date(invoice.deposited_at).toISOString() : null,
    history,
  }
}

/**
 * The `document.write-back` job: tells the document's host (Odoo, a folder) about one change. The
 * changes of one document go in order: while an earlier one is still pending this one comes back
 * later without spending an attempt, so the host's tag always ends on the latest status. A failure is
 * recorded on the row and retried by the queue (backoff); after the last attempt the row is `failed`
 * for the admin to see. A host document that no longer exists ends the write-back at once (`skipped`).
 * Nothing here touches the submission or the tracking that caused it.
 */
export async function runWriteBack(ports: Ports, targets: WriteBackTargets, writeBackId: string, run: Pick<JobRun, 'lastAttempt' | 'signal'>): Promise<{ state: WriteBackRow['state'] }> {
  const row = await ports.db.selectFrom('write_backs').selectAll().where('id', '=', writeBackId).executeTakeFirst()
  if (!row || row.state === 'done' || row.state === 'skipped') return { state: row?.state ?? 'skipped' }
  const earlier = await ports.db
    .selectFrom('write_backs')
    .select('id')
    .where('document_id', '=', row.document_id)
    .where('id', '<', row.id)
    .where('state', '=', 'pending')
    .limit(1)
    .executeTakeFirst()
  if (earlier) throw new RetryLaterError(`write-back ${earlier.id} of the same document goes first`, WAIT_FOR_EARLIER_MS)

  const finish = async (state: WriteBackRow['state'], error: string | null, outcome: Record<string, unknown> | null) => {
    await ports.db
      .updateTable('write_backs')
      .set({ state, last_error: error, attempts: row.attempts + 1, ...(outcome ? { outcome: JSON.stringify(outcome) } : {}), ...(state === 'pending' ? {} : { done_at: ports.now() }) })
      .where('id', '=', row.id)
      .execute()
    return { state }
  }

  const source = await getSource(ports.db, row.source_id)
  const doc = await ports.db.selectFrom('documents').select(['id', 'source_ref', 'filename', 'host_metadata']).where('id', '=', row.document_id).executeTakeFirst()
  const target = source && source.enabled ? targets(source) : undefined
  if (!source || !doc || !target || !target.enabled) return finish('skipped', 'write-back turned off, or the source is gone or disabled', null)

  try {
    const facts = await factsOf(ports, row)
    const r = await target.apply({ id: doc.id, sourceRef: doc.source_ref, filename: doc.filename, hostMetadata: doc.host_metadata }, facts, run.signal)
    return await finish('done', null, r.outcome)
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).slice(0, 2000)
    if (e instanceof WriteBackGoneError) return finish('skipped', message, null)
    await finish(run.lastAttempt ? 'failed' : 'pending', message, null)
    ports.logger.warn({ writeBackId: row.id, documentId: row.document_id, sourceId: row.source_id, err: message, lastAttempt: run.lastAttempt }, 'write-back to the host failed')
    throw e
  }
}

/** A write-back as the admin lists it: `latest` when no later write-back of its document exists (only that one can be retried). */
export type ListedWriteBack = WriteBackRow & { readonly latest: boolean }

/** Write-backs for the admin, newest first (GET /api/v1/write-backs). */
export async function listWriteBacks(ports: Pick<Ports, 'db'>, opts: { state?: WriteBackRow['state']; documentId?: string; limit?: number } = {}): Promise<ListedWriteBack[]> {
  let q = ports.db
    .selectFrom('write_backs')
    .selectAll('write_backs')
    .select((eb) => eb.not(eb.exists(eb.selectFrom('write_backs as later').select('later.id').whereRef('later.document_id', '=', 'write_backs.document_id').whereRef('later.id', '>', 'write_backs.id'))).$castTo<boolean>().as('latest'))
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 100)
  if (opts.state) q = q.where('state', '=', opts.state)
  if (opts.documentId) q = q.where('document_id', '=', opts.documentId)
  return q.execute()
}
