import { createHash, randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Database } from './database'
import type { PublicApiKey } from './api-keys'
import type { Lang } from '../domain/localized'
import { now } from './sql-now'

export const TICKET_TTL_MS = 60_000
export const SESSION_IDLE_MS = 8 * 3600_000

const sha256 = (v: string) => createHash('sha256').update(v, 'utf8').digest('hex')
const token = () => randomBytes(32).toString('base64url')

export interface UiSession {
  readonly key: PublicApiKey
  readonly csrfToken: string
  readonly lang: Lang | null
  readonly expiresAt: Date
}

/** A one-time ticket for the key; only its hash is stored. */
export async function createUiTicket(db: Database, opts: { apiKeyId: string; lang?: Lang | undefined; tab?: string | undefined; now?: Date }): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = token()
  const expiresAt = new Date((opts.now ?? new Date()).getTime() + TICKET_TTL_MS)
  await db
    .insertInto('ui_tickets')
    .values({ hash: sha256(ticket), api_key_id: opts.apiKeyId, lang: opts.lang ?? null, tab: opts.tab ?? null, expires_at: expiresAt })
    .execute()
  return { ticket, expiresAt }
}

/**
 * Exchanges a ticket for a session, once: the ticket is marked used by the same statement that finds
 * it, so two concurrent redemptions cannot both win. Undefined when unknown, used, expired, or its
 * key was revoked since.
 */
export async function redeemUiTicket(db: Database, ticket: string): Promise<{ session: string; csrfToken: string; tab: string | null; lang: Lang | null; expiresAt: Date } | undefined> {
  const used = await db
    .updateTable('ui_tickets')
    .set({ used_at: now() })
    .where('hash', '=', sha256(ticket))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now())
    .returning(['api_key_id', 'lang', 'tab'])
    .executeTakeFirst()
  if (!used) return undefined
  const active = await db.selectFrom('api_keys').select('id').where('id', '=', used.api_key_id).where('revoked_at', 'is', null).executeTakeFirst()
  if (!active) return undefined
  const session = token()
  const csrfToken = token()
  const expiresAt = new Date(Date.now() + SESSION_IDLE_MS)
  await db
    .insertInto('ui_sessions')
    .values({ hash: sha256(session), api_key_id: used.api_key_id, csrf_token: csrfToken, lang: used.lang, expires_at: expiresAt })
    .execute()
  return { session, csrfToken, tab: used.tab, lang: (used.lang as Lang | null) ?? null, expiresAt }
}

/** The live session with this cookie value and the (still active) key behind it; slides its expiry. */
export async function findUiSession(db: Database, session: string): Promise<UiSession | undefined> {
  const row = await db
    .selectFrom('ui_sessions as s')
    .innerJoin('api_keys as k', 'k.id', 's.api_key_id')
    .select(['s.hash', 's.csrf_token', 's.lang', 's.expires_at', 's.last_seen_at', 'k.id', 'k.name', 'k.role', 'k.prefix', 'k.created_by', 'k.created_at', 'k.last_used_at', 'k.revoked_at'])
    .where('s.hash', '=', sha256(session))
    .where('s.expires_at', '>', now())
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  let expiresAt = row.expires_at
  // Sliding expiry, written at most once a minute so that page loads stay read-only.
  if (Date.now() - row.last_seen_at.getTime() > 60_000) {
    expiresAt = new Date(Date.now() + SESSION_IDLE_MS)
    await db.updateTable('ui_sessions').set({ last_seen_at: now(), expires_at: expiresAt }).where('hash', '=', row.hash).execute()
  }
  const key: PublicApiKey = {
    id: row.id, name: row.name, role: row.role, prefix: row.prefix, created_by: row.created_by,
    created_at: row.created_at, last_used_at: row.last_used_at, revoked_at: row.revoked_at,
  }
  return { key, csrfToken: row.csrf_token, lang: (row.lang as Lang | null) ?? null, expiresAt }
}

export async function setUiSessionLang(db: Database, session: string, lang: Lang): Promise<void> {
  await db.updateTable('ui_sessions').set({ lang }).where('hash', '=', sha256(session)).execute()
}

export async function deleteUiSession(db: Database, session: string): Promise<void> {
  await db.deleteFrom('ui_sessions').where('hash', '=', sha256(session)).execute()
}

/** Expired tickets and sessions; called opportunistically when tickets are issued. */
export async function purgeExpiredUi(db: Database): Promise<void> {
  await db.deleteFrom('ui_tickets').where('expires_at', '<', sql<Date>`now() - interval '1 day'`).execute()
  await db.deleteFrom('ui_sessions').where('expires_at', '<', now()).execute()
}
