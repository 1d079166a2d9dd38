import { sql, type Kysely } from 'kysely'

/**
 * Deposit times that were made up (issue 17, item 1). Before d134ea8, a `dateDepot` Chorus Pro gave as a
 * bare day was stored as noon UTC, and pages and the CSV showed it as 13:00 (14:00 in summer), a time it
 * never had. Such values (exactly 12:00:00.000000 UTC) become the start of their day in Paris, which the
 * pages and the CSV show as the date alone (src/domain/deposit-date.ts). A real deposit at noon UTC to the
 * microsecond is read as that day too: a date where an hour was known, rather than an hour never given.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update invoices
    set deposited_at = ((deposited_at at time zone 'UTC')::date)::timestamp at time zone 'Europe/Paris'
    where deposited_at is not null and (deposited_at at time zone 'UTC')::time = time '12:00'`.execute(db)
}

/** Nothing to undo: the noon was never Chorus Pro's, and the day stays the same day. */
export async function down(): Promise<void> {}
