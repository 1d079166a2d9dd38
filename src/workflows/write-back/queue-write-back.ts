import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema'
import type { Ports } from '../ports'

export interface WriteBackChange {
  readonly documentId: string
  readonly invoiceId: string
  readonly event: 'submitted' | 'status_changed'
  readonly status: string
  readonly statusAt: Date
  readonly comment: string | null
  readonly chorusInvoiceId: string
  readonly invoiceNumber: string
}

/** Whether a source's settings ask for write-back: Odoo unless turned off, folders when turned on. */
export function writeBackWanted(kind: string, config: Record<string, unknown>): boolean {
  if (kind === 'odoo') return (config.writeBack as { enabled?: unknown } | undefined)?.enabled !== false
  if (kind === 'folder') return config.writeBack === true
  return false
}

/**
 * Records that the document's host must hear of a change, and enqueues the `document.write-back` job,
 * in the caller's transaction: the write-back exists exactly when the change does, and a failing host
 * never holds back the submission or the sync that caused it. Push sources have webhooks instead: no row.
 */
export async function queueWriteBack(ports: Pick<Ports, 'jobs'>, db: Kysely<DB> | Transaction<DB>, change: WriteBackChange): Promise<string | undefined> {
  const source = await db
    .selectFrom('documents')
    .innerJoin('sources', 'sources.id', 'documents.source_id')
    .select(['sources.id', 'sources.kind', 'sources.config'])
    .where('documents.id', '=', change.documentId)
    .executeTakeFirst()
  if (!source || !writeBackWanted(source.kind, source.config)) return undefined
  const row = await db
    .insertInto('write_backs')
    .values({
      document_id: change.documentId,
      invoice_id: change.invoiceId,
      source_id: source.id,
      event: change.event,
      status: change.status,
      status_at: change.statusAt,
      comment: change.comment,
      chorus_invoice_id: change.chorusInvoiceId,
      invoice_number: change.invoiceNumber,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await ports.jobs.enqueue('document.write-back', { writeBackId: row.id }, { within: db })
  return row.id
}
