import { sql } from 'kysely'
import type { Database } from '../../db/database'
import type { InvoiceRow } from '../../db/schema'
import { getInvoice, recordAction } from '../../db/invoices'
import { AppError } from '../../domain/app-error'
import { loadActionTarget, requireStatus } from './invoice-action'
import type { Ports } from '../ports'

export interface HandleInput {
  readonly creditNoteNumber?: string | null
  readonly replacementInvoiceNumber?: string | null
  readonly note?: string | null
}

/**
 * A rejected invoice cannot be fixed in Chorus Pro (reference §2.3): the supplier issues a credit note
 * and/or a replacement invoice. Handling records those numbers and a note; the invoice leaves "to
 * process" and is no longer polled. The replacement (and credit note) are linked as soon as they exist
 * as invoices of the same account (now, or later through linkReplacements after a submission or a sync).
 */
export async function handleRejection(ports: Ports, invoiceId: string, input: HandleInput, actor: string): Promise<InvoiceRow> {
  const creditNoteNumber = input.creditNoteNumber?.trim() || null
  const replacementInvoiceNumber = input.replacementInvoiceNumber?.trim() || null
  const note = input.note?.trim() || null
  if (!creditNoteNumber && !replacementInvoiceNumber && !note) {
    throw new AppError(400, 'handling_empty', {
      fr: 'Indiquez le numéro de l’avoir, celui de la facture de remplacement, ou au moins une note expliquant le traitement.',
      en: 'Give the credit note number, the replacement invoice number, or at least a note saying how it was handled.',
    })
  }
  const t = await loadActionTarget(ports, invoiceId)
  if (t.invoice.handled) {
    throw new AppError(409, 'already_handled', { fr: `La facture ${t.invoice.invoice_number} a déjà été traitée.`, en: `Invoice ${t.invoice.invoice_number} was already handled.` }, { handling: t.invoice.handling })
  }
  await requireStatus(ports, t, 'REJETEE', 'traiter le rejet / handle the rejection')
  const now = ports.now()
  const handling = { creditNoteNumber, replacementInvoiceNumber, note }
  await ports.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('invoices')
      .set({ status: 'REJETEE', handled: true, handled_at: now, handled_by: actor, handling: JSON.stringify(handling), final: true, next_poll_at: null, updated_at: now })
      .where('id', '=', invoiceId)
      .execute()
    await recordAction(trx, invoiceId, 'handle', actor, handling, note)
  })
  await linkReplacements(ports.db, t.account.id)
  return (await getInvoice(ports.db, invoiceId))!
}

/**
 * Links handled rejections of an account to their replacement invoice and credit note once those exist
 * as invoices (`handling.replacementInvoiceId`, `handling.creditNoteInvoiceId`), with an event on the
 * rejected invoice. Cheap: only handled rows not linked yet are looked at (partial index in 0003).
 */
export async function linkReplacements(db: Database, accountId: string): Promise<number> {
  let n = 0
  for (const [numberKey, idKey] of [
    ['replacementInvoiceNumber', 'replacementInvoiceId'],
    ['creditNoteNumber', 'creditNoteInvoiceId'],
  ] as const) {
    const r = await sql<{ id: string; linked: string }>`
      update invoices r set handling = r.handling || jsonb_build_object(${idKey}::text, n.id::text), updated_at = now()
      from invoices n
      where r.account_id = ${accountId} and r.handled and r.handling is not null
        and r.handling ->> ${numberKey} is not null and r.handling ->> ${idKey} is null
        and n.account_id = r.account_id and n.invoice_number = r.handling ->> ${numberKey} and n.id <> r.id
      returning r.id, n.id as linked`.execute(db)
    for (const row of r.rows) {
      await recordAction(db, row.id, 'link', 'system', { [idKey]: row.linked })
      n++
    }
  }
  return n
}
