import type { DocumentRow } from '../../db/schema'
import { layersOf } from './document-form'

/**
 * A document a person has edited goes to Chorus Pro when they say so ("Valider", "Déposer la sélection"),
 * or, on an auto-submit account, by the sweep once they have left it: no automatic submission (the sweep,
 * the job analysis queues, an interrupted one's retry) takes it while its last save is more recent than
 * this (issue 17, item 4). Saving itself never submits.
 */
export const PERSON_QUIET_MS = 10 * 60_000

/** When a person last saved the document's form (edit-document.ts records it with the layers). */
export function personEditedAt(doc: Pick<DocumentRow, 'extracted' | 'fields'>): Date | null {
  const at = layersOf(doc).info?.editedAt
  if (typeof at !== 'string') return null
  const d = new Date(at)
  return Number.isNaN(d.getTime()) ? null : d
}

/** Until when automatic submission leaves the document to the person; null when it does not wait. */
export function heldForPersonUntil(doc: Pick<DocumentRow, 'extracted' | 'fields'>, now: Date): Date | null {
  const at = personEditedAt(doc)
  if (!at) return null
  const until = new Date(at.getTime() + PERSON_QUIET_MS)
  return until > now ? until : null
}
