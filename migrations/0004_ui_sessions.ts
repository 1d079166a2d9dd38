import { sql, type Kysely } from 'kysely'

/**
 * Tab page sessions. A ticket is what `POST /api/v1/ui-sessions` hands out: single use, short-lived,
 * exchanged for a session cookie. Both are stored as SHA-256 hashes of random values (like API keys),
 * so a database read never yields a usable ticket or cookie. A session keeps the API key that created
 * it: revoking the key ends its sessions, and the session acts with exactly that key's role.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`
  await db.schema
    .createTable('ui_tickets')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('api_key_id', 'bigint', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
    .addColumn('lang', 'text')
    .addColumn('tab', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('ui_tickets_expires').on('ui_tickets').column('expires_at').execute()

  await db.schema
    .createTable('ui_sessions')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('api_key_id', 'bigint', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('lang', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('ui_sessions_expires').on('ui_sessions').column('expires_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ui_sessions').execute()
  await db.schema.dropTable('ui_tickets').execute()
}
