import { sql, type Expression, type Kysely, type SelectQueryBuilder, type SqlBool, type Transaction, type ExpressionBuilder } from 'kysely'
import type { DB, DocumentRow } from './schema'
import type { DocumentState } from '../domain/document-state'
import { now } from './sql-now'

type Executor = Kysely<DB> | Transaction<DB>

export function getDocument(db: Executor, id: string): Promise<DocumentRow | undefined> {
  if (!/^\d{1,18}$/.test(id)) return Promise.resolve(undefined)
  return db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The stored version of (source, reference, checksum), if any: the idempotency key of intake. */
export function findVersion(db: Executor, sourceId: string, sourceRef: string, checksum: string): Promise<DocumentRow | undefined> {
  return db.selectFrom('documents').selectAll().where('source_id', '=', sourceId).where('source_ref', '=', sourceRef).where('checksum', '=', checksum).executeTakeFirst()
}

export interface NewDocumentVersion {
  readonly sourceId: string
  readonly sourceRef: string
  readonly checksum: string
  readonly blobSha256: string | null
  readonly filename: string
  readonly size: number
  readonly accountId: string | null
  readonly filingRuleId: string | null
  readonly hostMetadata: Record<string, unknown>
  readonly fields: Record<string, unknown>
  /** A refused file: recorded straight in to_submit with its error, never analysed. */
  readonly refused?: { code: string; message: { fr: string; en: string } } | undefined
}

/** The invoice number the fields carry (`fields.invoiceNumber.value`), for search; null when there is none. */
function invoiceNumberOf(fields: Record<string, unknown>): string | null {
  const field = fields.invoiceNumber
  if (typeof field !== 'object' || field === null || !('value' in field)) return null
  return typeof field.value === 'string' ? field.value : null
}

/** Inserts a version; undefined when the same (source, reference, checksum) exists already (a concurrent intake won). */
export async function insertDocumentVersion(db: Executor, d: NewDocumentVersion): Promise<DocumentRow | undefined> {
  return db
    .insertInto('documents')
    .values({
      source_id: d.sourceId,
      source_ref: d.sourceRef,
      checksum: d.checksum,
      blob_sha256: d.blobSha256,
      filename: d.filename,
      size: d.size,
      account_id: d.accountId,
      filing_rule_id: d.filingRuleId,
      host_metadata: JSON.stringify(d.hostMetadata),
      fields: JSON.stringify(d.fields),
      invoice_number: invoiceNumberOf(d.fields),
      stage: d.refused ? 'to_submit' : 'received',
      analysis_status: d.refused ? 'error' : 'pending',
      analysis_error: d.refused ? JSON.stringify(d.refused) : null,
    })
    .onConflict((oc) => oc.columns(['source_id', 'source_ref', 'checksum']).doNothing())
    .returningAll()
    .executeTakeFirst()
}

/** Stages in which a previous version may still be replaced: nothing has reached Chorus Pro. */
export const SUPERSEDABLE_STAGES = ['received', 'analysing', 'to_submit'] as const

/**
 * A new version of a host document replaces its earlier versions that were not submitted: they are
 * removed (kept, with the stage they had) and point at their successor. Submitted ones stay as they are.
 */
export async function supersedePreviousVersions(db: Executor, newDoc: Pick<DocumentRow, 'id' | 'source_id' | 'source_ref'>): Promise<string[]> {
  const rows = await db
    .updateTable('documents')
    .set((eb) => ({
      superseded_by: newDoc.id,
      stage_before_removal: eb.ref('stage'),
      stage: 'removed',
      removed_at: now(),
      removed_by: 'superseded',
      updated_at: now(),
    }))
    .where('source_id', '=', newDoc.source_id)
    .where('source_ref', '=', newDoc.source_ref)
    .where('id', '<>', newDoc.id)
    .where('superseded_by', 'is', null)
    .where('stage', 'in', [...SUPERSEDABLE_STAGES])
    .returning('id')
    .execute()
  return rows.map((r) => r.id)
}

/** documentState() in SQL, for filters and counts; the test suite checks both agree. */
export const STATE_SQL = sql<DocumentState>`(case
  when documents.stage = 'removed' then 'removed'
  when documents.stage = 'submitted' then 'submitted'
  when documents.stage in ('received', 'analysing') then (case when documents.analysis_status = 'error' then 'error' else 'analysing' end)
  when documents.analysis_status = 'error' or documents.analysis_error is not null or documents.submit_error is not null then 'error'
  when documents.stage = 'submitting' then 'ready'
  when documents.ready then 'ready'
  else 'incomplete' end)`

export type DocumentTab = 'to-submit' | 'to-process' | 'all'

export interface DocumentFilter {
  readonly tab: DocumentTab
  readonly state?: DocumentState | undefined
  readonly sourceId?: string | undefined
  readonly accountId?: string | undefined
  /** Filename or invoice number contains. */
  readonly q?: string | undefined
  readonly order: 'asc' | 'desc'
  /** Keyset: the last id of the previous page. */
  readonly afterId?: string | undefined
  readonly limit: number
}

function where(f: DocumentFilter) {
  return (eb: ExpressionBuilder<DB, 'documents'>) => {
    const c: Expression<SqlBool>[] = []
    if (f.tab === 'to-submit') {
      c.push(eb('documents.stage', 'in', ['received', 'analysing', 'to_submit', 'submitting']))
    } else if (f.tab === 'to-process') {
      c.push(eb.exists(eb.selectFrom('invoices').select(sql`1`.as('x')).where((i) => i.or([i('invoices.id', '=', i.ref('documents.invoice_id')), i('invoices.document_id', '=', i.ref('documents.id'))])).where('invoices.to_process', '=', true)))
      c.push(eb('documents.stage', '<>', 'removed'))
    }
    if (f.state) c.push(sql<SqlBool>`${STATE_SQL} = ${f.state}`)
    if (f.sourceId) c.push(eb('documents.source_id', '=', f.sourceId))
    if (f.accountId) c.push(eb('documents.account_id', '=', f.accountId))
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, '\\$&')}%`
      c.push(eb.or([eb('documents.filename', 'ilike', like), eb('documents.invoice_number', 'ilike', like)]))
    }
    return eb.and(c)
  }
}

/**
 * The columns a list row shows (api/present-document.ts, presentDocumentSummary). The analysis
 * (`extracted`: the PDF's text layers and XML), the host's metadata and the stored attempt stay on the
 * detail route: selecting them made a 200-row page 250 KB and 150 ms (footprint bench, README).
 */
const SUMMARY_COLUMNS = [
  'documents.id',
  'documents.filename',
  'documents.stage',
  'documents.analysis_status',
  'documents.analysis_error',
  'documents.submit_error',
  'documents.ready',
  'documents.fields',
  'documents.problems',
  'documents.has_facturx',
  'documents.account_id',
  'documents.invoice_id',
  'documents.received_at',
  'documents.updated_at',
  'documents.source_id',
  'documents.source_ref',
  'documents.blob_sha256',
  'documents.superseded_by',
  'documents.removed_at',
  'documents.removed_by',
] as const

/** A documents row as a list reads it: the summary columns and the directory name of the recipient. */
export type DocumentSummaryRow = Pick<DocumentRow, (typeof SUMMARY_COLUMNS)[number] extends `documents.${infer C extends keyof DocumentRow}` ? C : never> & {
  readonly recipient_name: string | null
}

interface Page<R> {
  readonly rows: R[]
  readonly nextAfterId: string | null
  readonly total: number
}

/** One keyset page (by id: ids grow with reception) of list rows, and the total for the same filter. */
export function listDocuments(db: Executor, f: DocumentFilter): Promise<Page<DocumentSummaryRow>> {
  return page(db, f, (qb) => qb.select([...SUMMARY_COLUMNS, sql<string | null>`documents.extracted->'info'->>'recipientName'`.as('recipient_name')]))
}

/** The same page with whole rows (`?view=full`, for a host that mirrors every document). */
export function listFullDocuments(db: Executor, f: DocumentFilter): Promise<Page<DocumentRow>> {
  return page(db, f, (qb) => qb.selectAll('documents'))
}

async function page<O extends { readonly id: string }>(
  db: Executor,
  f: DocumentFilter,
  columns: (qb: SelectQueryBuilder<DB, 'documents', {}>) => SelectQueryBuilder<DB, 'documents', O>,
): Promise<Page<O>> {
  let q = columns(db.selectFrom('documents')).where(where(f))
  if (f.afterId) q = q.where('documents.id', f.order === 'asc' ? '>' : '<', f.afterId)
  const [rows, total] = await Promise.all([
    q.orderBy('documents.id', f.order).limit(f.limit + 1).execute(),
    db.selectFrom('documents').select(sql<string>`count(*)`.as('n')).where(where(f)).executeTakeFirstOrThrow(),
  ])
  const more = rows.length > f.limit
  if (more) rows.pop()
  return { rows, nextAfterId: more ? rows[rows.length - 1]!.id : null, total: Number(total.n) }
}
