import { sql, type Kysely, type Transaction, type UpdateObject } from 'kysely'
import type { DB, SourcesTable } from './schema'
import type { Selectable } from 'kysely'
import type { Database } from './database'
import { now } from './sql-now'

export type SourceRow = Selectable<SourcesTable>
export type SourceKind = SourcesTable['kind']
type Executor = Kysely<DB> | Transaction<DB>

export const DEFAULT_FOLDER_SOURCE = 'inbox'
export const DEFAULT_PUSH_SOURCE = 'push'

/** What one scan did, shown by GET /sources. */
export interface ScanStats {
  seen: number
  received: number
  duplicates: number
  skipped: number
  refused: number
  failed: number
  /** Files still being written (size or date changed between two checks): taken next time. */
  unsettled: number
  durationMs: number
  [k: string]: number
}

export function emptyStats(): ScanStats {
  return { seen: 0, received: 0, duplicates: 0, skipped: 0, refused: 0, failed: 0, unsettled: 0, durationMs: 0 }
}

export function getSource(db: Executor, id: string | number): Promise<SourceRow | undefined> {
  if (!/^\d+$/.test(String(id))) return Promise.resolve(undefined)
  return db.selectFrom('sources').selectAll().where('id', '=', String(id)).executeTakeFirst()
}

export function getSourceByName(db: Executor, name: string): Promise<SourceRow | undefined> {
  return db.selectFrom('sources').selectAll().where('name', '=', name).executeTakeFirst()
}

export function listSources(db: Executor): Promise<SourceRow[]> {
  return db.selectFrom('sources').selectAll().orderBy('id').execute()
}

export async function createSource(db: Executor, input: { kind: SourceKind; name: string; config: Record<string, unknown>; enabled?: boolean }): Promise<SourceRow> {
  return db
    .insertInto('sources')
    .values({ kind: input.kind, name: input.name, config: JSON.stringify(input.config), enabled: input.enabled ?? true })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateSource(db: Executor, id: string, patch: { name?: string; config?: Record<string, unknown>; enabled?: boolean }): Promise<SourceRow | undefined> {
  const set: UpdateObject<DB, 'sources'> = { updated_at: now() }
  if (patch.name !== undefined) set.name = patch.name
  if (patch.config !== undefined) set.config = JSON.stringify(patch.config)
  if (patch.enabled !== undefined) set.enabled = patch.enabled
  return db.updateTable('sources').set(set).where('id', '=', id).returningAll().executeTakeFirst()
}

export async function deleteSource(db: Executor, id: string): Promise<boolean> {
  const r = await db.deleteFrom('sources').where('id', '=', id).executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}

export async function saveCursor(db: Executor, id: string, cursor: unknown): Promise<void> {
  await db.updateTable('sources').set({ cursor: JSON.stringify(cursor), updated_at: now() }).where('id', '=', id).execute()
}

export async function recordScan(db: Executor, id: string, at: Date, stats: ScanStats, error: string | null): Promise<void> {
  await db.updateTable('sources').set({ last_scan_at: at, last_scan_stats: JSON.stringify(stats), last_error: error }).where('id', '=', id).execute()
}

/**
 * The default inbox folder source and the push source exist from the first start. Several instances
 * may start at once: the unique name makes the second insert a no-op.
 */
export async function ensureDefaultSources(db: Database, inboxDir: string): Promise<{ inbox: SourceRow; push: SourceRow }> {
  await db
    .insertInto('sources')
    .values([
      { kind: 'folder', name: DEFAULT_FOLDER_SOURCE, config: JSON.stringify({ path: inboxDir, recursive: false, afterIntake: 'move', pollSeconds: 60 }) },
      { kind: 'push', name: DEFAULT_PUSH_SOURCE, config: JSON.stringify({}) },
    ])
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  const inbox = (await getSourceByName(db, DEFAULT_FOLDER_SOURCE))!
  const push = (await getSourceByName(db, DEFAULT_PUSH_SOURCE))!
  return { inbox, push }
}

/** Documents per source and state bucket, for the sources list. */
export async function documentCounts(db: Executor): Promise<Map<string, Record<string, number>>> {
  const rows = await db
    .selectFrom('documents')
    .select([
      'source_id',
      sql<string>`case when stage in ('submitted', 'removed') then stage when analysis_status = 'error' or submit_error is not null then 'error' else 'pending' end`.as('bucket'),
      sql<string>`count(*)`.as('n'),
    ])
    .groupBy(['source_id', sql`2`])
    .execute()
  const out = new Map<string, Record<string, number>>()
  for (const r of rows) {
    const m = out.get(r.source_id) ?? { total: 0 }
    m[r.bucket] = Number(r.n)
    m.total = (m.total ?? 0) + Number(r.n)
    out.set(r.source_id, m)
  }
  return out
}
