import { createHash } from 'node:crypto'
import type { InvoiceRow } from '../../db/schema'
import { getInvoice, recordAction } from '../../db/invoices'
import { AppError } from '../../domain/app-error'
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, attachmentExtension, attachmentsProblem, type AttachmentProblem } from '../../domain/chorus-attachments'
import type { PieceJointeComplementaire } from '../../chorus'
import { loadActionTarget, requireStatus, writeOnce } from './invoice-action'
import { emitStatusEvents } from './sync-statuses'
import type { Ports } from '../ports'

export interface Attachment {
  readonly filename: string
  readonly contentType?: string
  readonly bytes: Uint8Array
}

export interface CompleteInput {
  readonly comment?: string | null
  readonly attachments?: readonly Attachment[]
}

export const MAX_COMMENT_CHARS = 2000
/** Per file: strictly under 10 MB (domain/chorus-attachments.ts). */
export const MAX_ATTACHMENT_BYTES = ATTACHMENT_MAX_BYTES
export const MAX_ATTACHMENTS = 20

/** Extensions Chorus Pro accepts for attachments (OCA 17.0's list), with their MIME type. */
export const ACCEPTED_ATTACHMENTS = ATTACHMENT_TYPES

const refusal = (p: AttachmentProblem) => new AppError(400, p.code, p.message, p.details)

/** Everything that can be checked on the request alone: the comment, the count, and each file's own limits. */
export function checkCompleteInput(input: CompleteInput): void {
  const comment = input.comment ?? ''
  const files = input.attachments ?? []
  if (comment.length > MAX_COMMENT_CHARS) {
    throw new AppError(400, 'comment_too_long', { fr: `Le commentaire dépasse ${MAX_COMMENT_CHARS} caractères (${comment.length}).`, en: `The comment is longer than ${MAX_COMMENT_CHARS} characters (${comment.length}).` })
  }
  if (!comment.trim() && files.length === 0) {
    throw new AppError(400, 'complete_empty', { fr: 'Ajoutez un commentaire ou au moins une pièce jointe pour compléter la facture.', en: 'Add a comment or at least one attachment to complete the invoice.' })
  }
  if (files.length > MAX_ATTACHMENTS) throw new AppError(400, 'too_many_attachments', { fr: `Au plus ${MAX_ATTACHMENTS} pièces jointes.`, en: `At most ${MAX_ATTACHMENTS} attachments.` })
  const problem = attachmentsProblem(files.map((f) => ({ name: f.filename, size: f.bytes.byteLength })))
  if (problem) throw refusal(problem)
}

/** What the invoice already weighs in Chorus Pro: its PDF (when the connector sent it) and the attachments sent with an earlier Complete. */
async function bytesAlreadySent(ports: Ports, invoice: InvoiceRow): Promise<number> {
  const doc = invoice.document_id ? await ports.db.selectFrom('documents').select('size').where('id', '=', invoice.document_id).executeTakeFirst() : undefined
  const actions = await ports.db.selectFrom('invoice_events').select('payload').where('invoice_id', '=', invoice.id).where('kind', '=', 'action').execute()
  let total = Number(doc?.size ?? 0)
  for (const a of actions) {
    const p = a.payload as { action?: unknown; attachments?: Array<{ size?: unknown }> } | null
    if (p?.action !== 'complete' || !Array.isArray(p.attachments)) continue
    for (const x of p.attachments) total += typeof x?.size === 'number' ? x.size : 0
  }
  return total
}

/**
 * Completes a SUSPENDUE invoice: each attachment is kept (blobs) and sent with ajouter/fichier, then
 * `completer` is called once with the comment and the attachment ids; an unknown outcome is settled by
 * reading the status back. The invoice becomes COMPLETEE and is polled at the next sync.
 */
export async function completeInvoice(ports: Ports, invoiceId: string, input: CompleteInput, actor: string): Promise<InvoiceRow> {
  checkCompleteInput(input)
  const comment = input.comment?.trim() || null
  const t = await loadActionTarget(ports, invoiceId)
  // 120 MB per invoice, attachments included: checked before any call to Chorus Pro.
  const total = attachmentsProblem((input.attachments ?? []).map((f) => ({ name: f.filename, size: f.bytes.byteLength })), await bytesAlreadySent(ports, t.invoice))
  if (total) throw refusal(total)
  await requireStatus(ports, t, 'SUSPENDUE', 'compléter / complete')

  const sent: Array<{ filename: string; sha256: string; size: number; chorusId: number }> = []
  for (const f of input.attachments ?? []) {
    const sha256 = createHash('sha256').update(f.bytes).digest('hex')
    // Every byte sent to Chorus is kept (DESIGN.md "blobs").
    await ports.db.insertInto('blobs').values({ sha256, size: f.bytes.byteLength, content: f.bytes }).onConflict((oc) => oc.column('sha256').doNothing()).execute()
    const ext = attachmentExtension(f.filename)
    const r = await ports.chorus.ajouterFichier(t.tech, {
      pieceJointeFichier: f.bytes,
      pieceJointeNom: f.filename,
      pieceJointeTypeMime: ACCEPTED_ATTACHMENTS[ext]!,
      pieceJointeExtension: ext.toUpperCase(),
    })
    sent.push({ filename: f.filename, sha256, size: f.bytes.byteLength, chorusId: r.pieceJointeId })
  }
  const pieces: PieceJointeComplementaire[] = sent.map((s) => ({ pieceJointeComplementaireId: s.chorusId, pieceJointeComplementaireDesignation: s.filename.slice(0, 100) }))
  const { answer, reconciled } = await writeOnce(
    ports,
    t,
    'complete',
    actor,
    () => ports.chorus.completer(t.tech, { identifiantFactureCPP: Number(t.invoice.chorus_invoice_id), ...(comment ? { commentaire: comment } : {}), ...(pieces.length ? { pieceJointeComplementaire: pieces } : {}) }),
    (status) => status !== 'SUSPENDUE',
  )
  const now = ports.now()
  const status = reconciled ?? 'COMPLETEE'
  await ports.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('invoices')
      .set({ status, status_at: now, status_comment: comment, final: false, unchanged_polls: 0, next_poll_at: now, updated_at: now })
      .where('id', '=', invoiceId)
      .execute()
    await recordAction(trx, invoiceId, 'complete', actor, { attachments: sent, reconciled: reconciled !== undefined, chorus: answer ?? null }, comment)
    await emitStatusEvents(ports, trx, { ...t.invoice, accountId: t.account.id }, t.invoice.status, status, now, comment, 'complete')
  })
  return (await getInvoice(ports.db, invoiceId))!
}
