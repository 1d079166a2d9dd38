import { interruptedSubmissions } from '../../db/documents-to-submit'
import type { Ports } from '../ports'

/**
 * `documents.reconcile` (every 5 minutes and at start): documents left `submitting` with no job to
 * finish them (their instance died after its job completed, or jobs were purged) get their submission
 * job back, which reconciles with Chorus Pro before anything is sent again; a Factur-X flow already
 * deposited is followed instead of deposited again.
 */
export async function queueInterruptedSubmissions(ports: Ports): Promise<number> {
  const stuck = await interruptedSubmissions(ports.db)
  for (const s of stuck) {
    if (s.flowNumber) await ports.jobs.enqueue('document.follow-flow', { documentId: s.id })
    else await ports.jobs.enqueue('document.submit', { documentId: s.id })
  }
  return stuck.length
}
