import { sql, type Kysely } from 'kysely'

/**
 * E-mail (issue 16): the SMTP settings (one row; the password sealed like every stored secret), who
 * receives what (per supplier account or all of them, per role, in French or English), the outbox
 * (each message to one recipient, sent and retried by the `mail.send` job, its error kept), and the
 * events that ask for an immediate e-mail (a rejection, a source that stopped working), sent at most
 * once an hour per subject.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`
  const id = (col: any) => col.primaryKey().generatedAlwaysAsIdentity()
  await db.schema
    .createTable('mail_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().defaultTo(1).check(sql`id = 1`))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('security', 'text', (c) => c.notNull().check(sql`security in ('starttls', 'tls', 'none')`))
    .addColumn('login', 'text')
    .addColumn('password_enc', 'text')
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('digest_hour', 'integer', (c) => c.notNull().defaultTo(8).check(sql`digest_hour between 0 and 23`))
    .addColumn('digest_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('immediate_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('last_digest_on', 'date')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute()

  await db.schema
    .createTable('mail_recipients')
    .addColumn('id', 'bigint', id)
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('lang', 'text', (c) => c.notNull().defaultTo('fr').check(sql`lang in ('fr', 'en')`))
    .addColumn('account_id', 'bigint', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('operator', 'admin')`))
    .addColumn('digest', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('immediate', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute()

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'bigint', id)
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('digest', 'rejection', 'source_failed', 'test')`))
    .addColumn('subject_key', 'text')
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql`state in ('pending', 'sent', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('sent_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('mail_outbox_subject').on('mail_outbox').columns(['subject_key', 'created_at']).execute()

  await db.schema
    .createTable('notification_events')
    .addColumn('id', 'bigint', id)
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('rejection', 'source_failed')`))
    .addColumn('account_id', 'bigint', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('mailed_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('notification_events_unmailed').on('notification_events').columns(['subject', 'id']).where(sql.ref('mailed_at'), 'is', null).execute()

  /** A source failing since when: its first failure raises an e-mail, the next success clears it. */
  await db.schema
    .createTable('source_health')
    .addColumn('source_id', 'bigint', (c) => c.primaryKey().references('sources.id').onDelete('cascade'))
    .addColumn('failing_since', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('error', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['source_health', 'notification_events', 'mail_outbox', 'mail_recipients', 'mail_settings']) await db.schema.dropTable(t).execute()
}
