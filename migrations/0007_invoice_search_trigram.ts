import { sql, type Kysely } from 'kysely'

/**
 * Free-text search in tracking (`?q=`: invoice number, recipient name, status comment) used `ilike
 * '%…%'`, a sequential scan: 0.8–1.5 s at 1,000,000 invoices. Trigram GIN indexes let PostgreSQL answer
 * each `ilike` from an index (tracking bench, README). pg_trgm ships with PostgreSQL (contrib, a trusted
 * extension since 13); where it cannot be created (a server without contrib, PGlite without the
 * extension loaded) the search keeps working without the indexes, as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    do $$
    begin
      create extension if not exists pg_trgm;
      create index if not exists invoices_number_trgm on invoices using gin (invoice_number gin_trgm_ops);
      create index if not exists invoices_recipient_name_trgm on invoices using gin (recipient_name gin_trgm_ops);
      create index if not exists invoices_status_comment_trgm on invoices using gin (status_comment gin_trgm_ops);
      -- The SIRET prefix arm (like '…%') too: a BitmapOr needs an index on every arm of the OR.
      create index if not exists invoices_recipient_siret_trgm on invoices using gin (recipient_siret gin_trgm_ops);
    exception when others then
      raise notice 'pg_trgm unavailable (%): free-text search runs without trigram indexes', sqlerrm;
    end
    $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists invoices_number_trgm`.execute(db)
  await sql`drop index if exists invoices_recipient_name_trgm`.execute(db)
  await sql`drop index if exists invoices_status_comment_trgm`.execute(db)
  await sql`drop index if exists invoices_recipient_siret_trgm`.execute(db)
}
