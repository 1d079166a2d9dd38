import { sql, type Kysely } from 'kysely'

/**
 * The "to process" tab filtered by a recipient SIRET (or its first digits): its total was a sequential
 * scan of the table (37 ms on 1,000,000 invoices, p95 of the whole request 60–80 ms); with this partial
 * index the capped count is an index-only scan (1.8 ms).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('invoices_to_process_recipient').ifNotExists().on('invoices').columns(['recipient_siret', 'id']).where(sql.ref('to_process'), '=', true).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invoices_to_process_recipient').ifExists().execute()
}
