import type { Kysely, Transaction } from 'kysely'
import type { DB } from './schema'

/** Appends an audit entry: who did what to which object. Never pass a secret in details. */
export async function audit(
  db: Kysely<DB> | Transaction<DB>,
  entry: { actor: string | null; action: string; targetType?: string; targetId?: string | number; details?: unknown },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId === undefined ? null : String(entry.targetId),
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
    })
    .execute()
}
