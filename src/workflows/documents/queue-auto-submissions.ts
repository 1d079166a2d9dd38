import { readyAutoSubmitDocumentIds } from '../../db/documents-to-submit'
import type { Ports } from '../ports'

/**
 * The 10-minute sweep (`documents.auto-submit`), as the Open Bee connector does: every ready document
 * of an auto-submit account is queued, oldest first (the Chorus client paces the calls).
 */
export async function queueAutoSubmissions(ports: Ports): Promise<number> {
  const ids = await readyAutoSubmitDocumentIds(ports.db, 5000)
  for (const documentId of ids) await ports.jobs.enqueue('document.submit', { documentId })
  return ids.length
}
