import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema'
import { affectedDocumentIds, type AffectedScope } from '../../db/recipient-mappings'
import type { Ports } from '../ports'

/**
 * Queues a re-check of every document waiting in "to submit" that a mapping change affects (one
 * pending job per document thanks to the kind's key). Pass the caller's transaction: the jobs then
 * exist exactly when the change does. Answers how many documents will be re-checked.
 */
export async function recheckAffectedDocuments(ports: Pick<Ports, 'jobs'>, db: Kysely<DB> | Transaction<DB>, scopes: readonly AffectedScope[]): Promise<number> {
  const ids = await affectedDocumentIds(db, scopes)
  for (const documentId of ids) await ports.jobs.enqueue('document.recheck', { documentId }, { within: db })
  return ids.length
}
