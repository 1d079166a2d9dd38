import type { Kysely } from 'kysely'

/**
 * The certificate an SMTP server of the customer's own signs with (an internal relay with a self-signed
 * certificate, or one signed by the company's authority): PEM, public, checked before it is saved. Null
 * trusts the public authorities only, as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_settings').addColumn('ca_certificate', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_settings').dropColumn('ca_certificate').execute()
}
