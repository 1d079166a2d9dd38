import { Migrator, type MigrationResultSet } from 'kysely'
import { migrations } from '../../migrations/index'
import type { Database } from './database'

function migrator(db: Database): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } })
}

/**
 * Brings the schema up to date. Several instances may start at once: Kysely takes a lock on its
 * migration table, so one migrates and the others wait and find nothing left to do.
 */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db).migrateToLatest()
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName
    const cause = result.error instanceof Error ? result.error.message : String(result.error)
    throw new Error(`migration ${failed ?? '?'} failed: ${cause}`)
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/** Names of migrations not yet applied; empty when the schema is current (used by /ready). */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const all = await migrator(db).getMigrations()
  return all.filter((m) => !m.executedAt).map((m) => m.name)
}
