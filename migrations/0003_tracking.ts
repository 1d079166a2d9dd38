import { sql, type Kysely } from 'kysely'

/**
 * Tracking: indexes for sorting the invoice list on every column with keyset paging, the sync's
 * per-account state, and the CSV cell functions the export builds its lines with.
 *
 * Sort indexes are (column, id): keyset paging walks them in both directions (asc = nulls last,
 * desc = nulls first, PostgreSQL's defaults), so page 5,000 costs what page 1 costs. pg_trgm is not
 * available on PGlite, so free text stays a plain ILIKE.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const col of ['amount_gross', 'amount_net', 'invoice_number', 'recipient_name', 'service_code', 'engagement_number', 'account_id']) {
    await db.schema.createIndex(`invoices_sort_${col}`).on('invoices').columns([col, 'id']).execute()
  }
  // Status filter + the usual sorts (deposit date, amount): the filter alone is rarely selective enough.
  await db.schema.createIndex('invoices_status_deposited').on('invoices').columns(['status', 'deposited_at', 'id']).execute()
  await db.schema.createIndex('invoices_status_amount').on('invoices').columns(['status', 'amount_gross', 'id']).execute()
  await db.schema.createIndex('invoices_account_chorus').on('invoices').columns(['account_id', 'final', 'next_poll_at', 'id']).execute()
  // Handled rejections waiting for their replacement invoice or credit note to arrive.
  await sql`create index invoices_awaiting_link on invoices (account_id) where handled and handling is not null`.execute(db)

  await db.schema
    .createTable('tracking_sync_state')
    .addColumn('account_id', 'bigint', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('last_sweep_at', 'timestamptz')
    .addColumn('last_run', 'jsonb')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  // CSV cells (src/domain/csv.ts holds the same rules in TypeScript; a test checks both agree).
  // A cell starting with = + - @ tab or CR is neutralised with a leading apostrophe unless it is a number;
  // a cell holding the separator, a quote, CR or LF is quoted.
  await sql`
    create function csv_neutral(v text) returns text language sql immutable parallel safe as $$
      select case when left(v, 1) in ('=', '+', '-', '@', chr(9), chr(13)) and v !~ '^[+-]?[0-9]+([.,][0-9]+)?$' then '''' || v else v end
    $$`.execute(db)
  await sql`
    create function csv_quoted(w text, sep text) returns text language sql immutable parallel safe as $$
      select case when strpos(w, sep) > 0 or strpos(w, '"') > 0 or strpos(w, chr(10)) > 0 or strpos(w, chr(13)) > 0
        then '"' || replace(w, '"', '""') || '"' else w end
    $$`.execute(db)
  await sql`
    create function csv_text(v text, sep text) returns text language sql immutable parallel safe as $$
      select coalesce(csv_quoted(csv_neutral(v), sep), '')
    $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists csv_text(text, text)`.execute(db)
  await sql`drop function if exists csv_quoted(text, text)`.execute(db)
  await sql`drop function if exists csv_neutral(text)`.execute(db)
  await db.schema.dropTable('tracking_sync_state').execute()
  for (const i of ['invoices_awaiting_link', 'invoices_account_chorus', 'invoices_status_amount', 'invoices_status_deposited']) await db.schema.dropIndex(i).execute()
  for (const col of ['amount_gross', 'amount_net', 'invoice_number', 'recipient_name', 'service_code', 'engagement_number', 'account_id']) {
    await db.schema.dropIndex(`invoices_sort_${col}`).execute()
  }
}
