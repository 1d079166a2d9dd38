import { rm } from 'node:fs/promises'
import type { Database } from './database'

export function createExport(db: Database, input: { filters: Record<string, unknown>; options: Record<string, unknown>; createdBy: string }) {
  return db
    .insertInto('exports')
    .values({ filters: JSON.stringify(input.filters), options: JSON.stringify(input.options), created_by: input.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export function getExport(db: Database, id: string) {
  return db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Finished exports past their expiry lose their file and become `expired`. */
export async function expireExports(db: Database, now: Date): Promise<number> {
  const rows = await db
    .updateTable('exports')
    .set({ state: 'expired' })
    .where('state', '=', 'done')
    .where('expires_at', '<', now)
    .returning(['id', 'file_path'])
    .execute()
  for (const r of rows) if (r.file_path) await rm(r.file_path, { force: true }).catch(() => {})
  return rows.length
}
