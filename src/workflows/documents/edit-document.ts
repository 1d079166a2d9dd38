import { now } from '../../db/sql-now'
import { sql } from 'kysely'
import { AppError } from '../../domain/app-error'
import { FIELD_NAMES, fieldLayer, type FieldName, type InvoiceFields } from '../../domain/invoice-fields'
import { amountFits, MAX_AMOUNT_WHOLE_DIGITS, normalizeAmount, parsePrintedAmount } from '../../domain/amount'
import { isCalendarDate, makeCalendarDate } from '../../domain/calendar-date'
import { compactIdentifier } from '../../domain/siret'
import { getAccount } from '../../db/accounts'
import { audit } from '../../db/audit'
import type { DocumentRow } from '../../db/schema'
import { layersOf, type ExtractedLayers } from './document-form'
import { recheckDocument } from './recheck-document'
import type { DocumentDeps } from './document-deps'
import type { Ports } from '../ports'

export interface DocumentEdit {
  /** Field → new value; `null` clears a field on purpose (a wrongly read value does not come back). */
  readonly fields?: Partial<Record<FieldName, string | null>>
  /** Drop these person edits, so the read values show again. */
  readonly revert?: readonly FieldName[]
  readonly accountId?: string | null
}

const AMOUNT_FIELDS: readonly FieldName[] = ['amountNet', 'amountVat', 'amountGross', 'amountDue']

/**
 * Normalises what a person typed: amounts in French or English notation, dates as YYYY-MM-DD or
 * dd/mm/yyyy, SIRET with spaces. A value that cannot be read is refused with the field named.
 */
export function normalizeTypedValue(name: FieldName, raw: string): string {
  const v = raw.trim()
  if (AMOUNT_FIELDS.includes(name)) {
    const a = parsePrintedAmount(v)
    if (a === null) throw new AppError(400, 'invalid_field', { fr: `${name} : « ${raw} » n’est pas un montant (ex. 1234,56).`, en: `${name}: "${raw}" is not an amount (e.g. 1234.56).` }, { field: name })
    const amount = normalizeAmount(a)
    if (!amountFits(amount)) {
      throw new AppError(400, 'invalid_field', { fr: `${name} : « ${raw.slice(0, 40)}${raw.length > 40 ? '…' : ''} » dépasse ${MAX_AMOUNT_WHOLE_DIGITS} chiffres avant la virgule, plus que Chorus Pro n’accepte.`, en: `${name}: "${raw.slice(0, 40)}${raw.length > 40 ? '…' : ''}" has more than ${MAX_AMOUNT_WHOLE_DIGITS} digits before the decimal point, more than Chorus Pro takes.` }, { field: name, maxWholeDigits: MAX_AMOUNT_WHOLE_DIGITS })
    }
    return amount
  }
  if (name === 'invoiceDate') {
    const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v)
    const d = m ? makeCalendarDate(Number(m[3]), Number(m[2]), Number(m[1])) : isCalendarDate(v) ? v : null
    if (!d) throw new AppError(400, 'invalid_field', { fr: `invoiceDate : « ${raw} » n’est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA).`, en: `invoiceDate: "${raw}" is not a date (YYYY-MM-DD or DD/MM/YYYY).` }, { field: name })
    return d
  }
  if (name === 'recipientSiret' || name === 'supplierSiret') return compactIdentifier(v)
  if (name === 'invoiceType') {
    const t = v.toUpperCase()
    if (t !== 'FACTURE' && t !== 'AVOIR') throw new AppError(400, 'invalid_field', { fr: 'invoiceType : FACTURE ou AVOIR.', en: 'invoiceType: FACTURE or AVOIR.' }, { field: name })
    return t
  }
  if (name === 'currency') return v.toUpperCase()
  return v
}

/** A person's edit of the submission form: stored as the `person` layer, then the document is re-checked. */
export async function editDocument(ports: Ports, deps: DocumentDeps, doc: DocumentRow, edit: DocumentEdit, actor: string): Promise<void> {
  if (doc.stage !== 'to_submit') {
    throw new AppError(409, 'document_not_editable', {
      fr: doc.stage === 'submitted' || doc.stage === 'submitting' ? 'Ce document est déjà déposé dans Chorus Pro : il ne peut plus être modifié.' : doc.stage === 'removed' ? 'Ce document est retiré : restaurez-le d’abord.' : 'Ce document est en cours d’analyse : réessayez dans un instant.',
      en: doc.stage === 'submitted' || doc.stage === 'submitting' ? 'This document is already in Chorus Pro: it can no longer be changed.' : doc.stage === 'removed' ? 'This document is removed: restore it first.' : 'This document is being analysed: try again in a moment.',
    }, { stage: doc.stage })
  }
  if (edit.accountId) {
    const account = await getAccount(ports.db, edit.accountId)
    if (!account || account.disabled_at) throw new AppError(400, 'invalid_field', { fr: `Compte fournisseur ${edit.accountId} introuvable ou désactivé.`, en: `Supplier account ${edit.accountId} not found or disabled.` }, { field: 'accountId' })
  }
  const layers = layersOf(doc)
  const person: Partial<Record<FieldName, string | null>> = {}
  for (const name of FIELD_NAMES) {
    const current = layers.person?.[name]
    if (current && !edit.revert?.includes(name)) person[name] = current.value
  }
  for (const [name, value] of Object.entries(edit.fields ?? {}) as [FieldName, string | null][]) {
    person[name] = value === null ? null : normalizeTypedValue(name, value)
  }
  // fieldLayer skips null; keep deliberate clears.
  const clears = Object.fromEntries(Object.entries(person).filter(([, v]) => v === null).map(([name]) => [name, { value: null, origin: 'person', confidence: 1 }]))
  const personLayer: InvoiceFields = { ...fieldLayer('person', person), ...clears }
  // When a person last saved: automatic submission leaves the document to them for a while (person-edits.ts).
  const next: ExtractedLayers = { ...layers, person: personLayer, info: { ...layers.info, editedAt: ports.now().toISOString() } }
  await ports.db
    .updateTable('documents')
    .set({
      extracted: JSON.stringify(next),
      // A person acted: a previous refusal no longer blocks automatic submission (which still waits, see person-edits.ts).
      submit_error: null,
      ...(edit.accountId !== undefined ? { account_id: edit.accountId } : {}),
      updated_at: now(),
    })
    .where('id', '=', doc.id)
    .where('stage', '=', 'to_submit')
    .execute()
  await audit(ports.db, { actor, action: 'document.edit', targetType: 'document', targetId: doc.id, details: { fields: edit.fields ?? {}, revert: edit.revert ?? [], accountId: edit.accountId } })
  await recheckDocument(ports, deps, doc.id)
}
