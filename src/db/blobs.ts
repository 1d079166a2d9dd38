import { createHash } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { DB, StoredBytes } from './schema'

type Executor = Kysely<DB> | Transaction<DB>

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Stores bytes once by content (sha256); storing the same bytes again is a no-op. */
export async function putBlob(db: Executor, bytes: Uint8Array, sha256 = sha256Hex(bytes)): Promise<string> {
  await db.insertInto('blobs').values({ sha256, size: bytes.length, content: bytes }).onConflict((oc) => oc.column('sha256').doNothing()).execute()
  return sha256
}

export async function getBlob(db: Executor, sha256: string): Promise<StoredBytes | undefined> {
  const row = await db.selectFrom('blobs').select('content').where('sha256', '=', sha256).executeTakeFirst()
  return row?.content
}
