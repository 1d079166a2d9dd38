import { sql, type Kysely } from 'kysely'

/**
 * Write-back to the host (issue 16): one row per change an Odoo or folder source is told about (a
 * submission, each status change), in the transaction of the change itself; a `document.write-back`
 * job carries it out and retries it. Rows of one document are carried out in id order, so the host's
 * tag and its chatter follow the invoice's history; a row that failed for good stays `failed` with its
 * error, for the admin to see (GET /api/v1/write-backs).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`
  await db.schema
    .createTable('write_backs')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('document_id', 'bigint', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('invoice_id', 'bigint', (c) => c.references('invoices.id').onDelete('set null'))
    .addColumn('source_id', 'bigint', (c) => c.notNull().references('sources.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull().check(sql`event in ('submitted', 'status_changed')`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_at', 'timestamptz', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('chorus_invoice_id', 'text', (c) => c.notNull())
    .addColumn('invoice_number', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql`state in ('pending', 'done', 'failed', 'skipped')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('outcome', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('done_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('write_backs_document').on('write_backs').columns(['document_id', 'id']).execute()
  await db.schema.createIndex('write_backs_open').on('write_backs').columns(['state', 'id']).where(sql.ref('state'), 'in', sql`('pending', 'failed')`).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('write_backs').execute()
}
