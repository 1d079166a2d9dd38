import { getDocument } from '../../db/documents'
import type { DocumentRow } from '../../db/schema'
import type { Ports } from '../ports'
import type { DocumentDeps } from './document-deps'
import { editDocument, type DocumentEdit } from './edit-document'
import { submitDocument, type SubmitOutcome } from './submit-document'
import { nextDocumentToHandle } from './document-batch-actions'

export type ValidateOutcome =
  | { readonly kind: 'not_found' }
  | { readonly kind: 'not_ready'; readonly document: DocumentRow }
  | { readonly kind: 'refused'; readonly document: DocumentRow; readonly outcome: Extract<SubmitOutcome, { status: 'refused' }> }
  | { readonly kind: 'unavailable'; readonly document: DocumentRow; readonly outcome: Extract<SubmitOutcome, { status: 'unavailable' }> }
  | { readonly kind: 'not_submittable'; readonly document: DocumentRow; readonly reason: string }
  | { readonly kind: 'submitted'; readonly document: DocumentRow; readonly nextDocumentId: string | null }

/**
 * "Validate" in the to-submit tab, as the Open Bee connector's "Validate and next" does: apply the
 * person's edits, submit at once, and name the next document to handle. When Chorus Pro is
 * unavailable the submission stays queued and goes as soon as it answers again.
 */
export async function validateDocument(ports: Ports, deps: DocumentDeps, id: string, edit: DocumentEdit | undefined, actor: string): Promise<ValidateOutcome> {
  let doc = await getDocument(ports.db, id)
  if (!doc) return { kind: 'not_found' }
  if (edit && (edit.fields || edit.revert || edit.accountId !== undefined)) {
    await editDocument(ports, deps, doc, edit, actor)
    doc = (await getDocument(ports.db, id))!
  }
  if (doc.stage === 'to_submit' && !doc.ready) return { kind: 'not_ready', document: doc }
  const outcome = await submitDocument(ports, id, { manual: true, actor })
  const after = (await getDocument(ports.db, id))!
  if (outcome.status === 'refused') return { kind: 'refused', document: after, outcome }
  if (outcome.status === 'unavailable') {
    await ports.jobs.enqueue('document.submit', { documentId: id, manual: true, actor }, { runAt: new Date(ports.now().getTime() + 60_000) })
    return { kind: 'unavailable', document: after, outcome }
  }
  if (outcome.status === 'skipped' && !['already_submitted', 'in_progress'].includes(outcome.reason)) return { kind: 'not_submittable', document: after, reason: outcome.reason }
  return { kind: 'submitted', document: after, nextDocumentId: await nextDocumentToHandle(ports, id) }
}
