import type { Kysely } from 'kysely'

/**
 * The Paris day an `account.password_expiring` webhook event was last emitted for the account: the daily
 * account check emits it at most once per account per day, however often the check runs (a retry, a
 * second instance, a manual run).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('password_warning_sent_on', 'date').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('password_warning_sent_on').execute()
}
