import { createHash } from 'node:crypto'
import type { InvoiceRow } from '../../db/schema'
import { getInvoice, recordAction } from '../../db/invoices'
import { AppError } from '../../domain/app-error'
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
/** Per file, as Chorus Pro (and the sandbox) accept (reference §2.1). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
export const MAX_ATTACHMENTS = 20

/** Extensions Chorus Pro accepts for attachments (its "formats de pièces jointes" list), with their MIME type. */
export const ACCEPTED_ATTACHMENTS: Readonly<Record<string, string>> = {
  pdf: 'application/pdf', xml: 'application/xml', txt: 'text/plain', csv: 'text/csv', rtf: 'application/rtf',
  htm: 'text/html', html: 'text/html', xhtml: 'application/xhtml+xml',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', bmp: 'image/bmp', tif: 'image/tiff', tiff: 'image/tiff', svg: 'image/svg+xml',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text', ods: 'application/vnd.oasis.opendocument.spreadsheet', odp: 'application/vnd.oasis.opendocument.presentation',
  zip: 'application/zip', gz: 'application/gzip', p7s: 'application/pkcs7-signature',
}

function extensionOf(filename: string): string {
  return /\.([A-Za-z0-9]{1,5})$/.exec(filename)?.[1]?.toLowerCase() ?? ''
}

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
  for (const f of files) {
    const ext = extensionOf(f.filename)
    if (!ACCEPTED_ATTACHMENTS[ext]) {
      throw new AppError(400, 'attachment_type', { fr: `Type de pièce jointe refusé par Chorus Pro : ${f.filename}. Formats acceptés : ${Object.keys(ACCEPTED_ATTACHMENTS).join(', ')}.`, en: `Attachment type refused by Chorus Pro: ${f.filename}. Accepted: ${Object.keys(ACCEPTED_ATTACHMENTS).join(', ')}.` }, { filename: f.filename })
    }
    if (f.bytes.byteLength === 0) throw new AppError(400, 'attachment_empty', { fr: `La pièce jointe ${f.filename} est vide.`, en: `Attachment ${f.filename} is empty.` })
    if (f.bytes.byteLength > MAX_ATTACHMENT_BYTES) {
      throw new AppError(400, 'attachment_too_large', { fr: `La pièce jointe ${f.filename} dépasse 10 Mo, la limite de Chorus Pro.`, en: `Attachment ${f.filename} is larger than 10 MB, Chorus Pro's limit.` }, { filename: f.filename, size: f.bytes.byteLength })
    }
  }
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
  await requireStatus(ports, t, 'SUSPENDUE', 'compléter / complete')

  const sent: Array<{ filename: string; sha256: string; size: number; chorusId: number }> = []
  for (const f of input.attachments ?? []) {
    const sha256 = createHash('sha256').update(f.bytes).digest('hex')
    // Every byte sent to Chorus is kept (DESIGN.md "blobs").
    await ports.db.insertInto('blobs').values({ sha256, size: f.bytes.byteLength, content: f.bytes }).onConflict((oc) => oc.column('sha256').doNothing()).execute()
    const ext = extensionOf(f.filename)
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
