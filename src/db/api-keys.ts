import { createHash, randomBytes } from 'node:crypto'
import type { Database } from './database'
import type { ApiKey, Role } from './schema'
import { now } from './sql-now'

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin']

/** viewer < operator < admin. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need)
}

/**
 * Keys are 32 random bytes, so a plain SHA-256 is enough to store them: there is nothing to
 * brute-force, and lookups by hash stay one index probe per request (no slow KDF on the hot path).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

export function generateApiKey(): string {
  return `cpk_${randomBytes(32).toString('base64url')}`
}

export type PublicApiKey = Omit<ApiKey, 'hash'>

export async function createApiKey(db: Database, opts: { name: string; role: Role; createdBy?: string | null; key?: string }): Promise<{ key: string; record: PublicApiKey }> {
  const key = opts.key ?? generateApiKey()
  const record = await db
    .insertInto('api_keys')
    .values({ name: opts.name, role: opts.role, prefix: key.slice(0, 12), hash: hashApiKey(key), created_by: opts.createdBy ?? null })
    .returning(['id', 'name', 'role', 'prefix', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
    .executeTakeFirstOrThrow()
  return { key, record }
}

/** The active key with this value, or undefined. Touches last_used_at at most once a minute. */
export async function findActiveApiKey(db: Database, key: string): Promise<PublicApiKey | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'prefix', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
    .where('hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (row && (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000)) {
    await db.updateTable('api_keys').set({ last_used_at: now() }).where('id', '=', row.id).execute()
  }
  return row
}

export async function listApiKeys(db: Database): Promise<PublicApiKey[]> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'prefix', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
    .orderBy('id')
    .execute()
}

export async function revokeApiKey(db: Database, id: string): Promise<PublicApiKey | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: now() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning(['id', 'name', 'role', 'prefix', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
    .executeTakeFirst()
}

/**
 * Makes sure an admin key exists. With `configured` (CONNECTOR_ADMIN_KEY) that exact key is ensured;
 * otherwise a new key is generated only when there is no active admin key at all (first start).
 */
export async function ensureAdminKey(db: Database, configured?: string): Promise<{ created: boolean; key?: string }> {
  if (configured) {
    const existing = await db.selectFrom('api_keys').select(['id', 'revoked_at']).where('hash', '=', hashApiKey(configured)).executeTakeFirst()
    if (existing && !existing.revoked_at) return { created: false }
    if (existing) await db.updateTable('api_keys').set({ revoked_at: null, role: 'admin' }).where('id', '=', existing.id).execute()
    else await createApiKey(db, { name: 'CONNECTOR_ADMIN_KEY', role: 'admin', createdBy: 'environment', key: configured })
    return { created: true }
  }
  const anyAdmin = await db.selectFrom('api_keys').select('id').where('role', '=', 'admin').where('revoked_at', 'is', null).executeTakeFirst()
  if (anyAdmin) return { created: false }
  const { key } = await createApiKey(db, { name: 'first start', role: 'admin', createdBy: 'bootstrap' })
  return { created: true, key }
}
