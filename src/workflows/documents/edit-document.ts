import { now } from '../../db/sql-now'
import { sql } from 'kysely'
import { AppError } from '../../domain/app-error'
import { FIELD_NAMES, fieldLayer, type FieldName, type InvoiceFields } from '../../domain/invoice-fields'
import { amountFits, MAX_AMOUNT_WHOLE_DIGITS, normalizeAmount, parsePrintedAmount } from '../../domain/amount'
import { isCalendarDate, makeCalendarDate } from '../../domain/calendar-date'
import { compactIdentifier } from '../../domain/siret'
import { fieldLabel } from '../../domain/field-labels'
import { billingFrameworkOf, billingFrameworkProblem, OFFERED_BILLING_FRAMEWORKS } from '../../domain/billing-framework'
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

/** A typed value refused: the field named as a person reads it ("Montant HT : « 12,3,4 » n’est pas un montant…"). */
function refused(name: FieldName, fr: string, en: string, extra: Record<string, unknown> = {}): AppError {
  const label = fieldLabel(name)
  return new AppError(400, 'invalid_field', { fr: `${label.fr} : ${fr}`, en: `${label.en}: ${en}` }, { field: name, ...extra })
}

/**
 * Normalises what a person typed: amounts in French or English notation, dates as YYYY-MM-DD or
 * dd/mm/yyyy, SIRET with spaces. A value that cannot be read is refused with the field named.
 */
export function normalizeTypedValue(name: FieldName, raw: string): string {
  const v = raw.trim()
  if (AMOUNT_FIELDS.includes(name)) {
    const a = parsePrintedAmount(v)
    if (a === null) throw refused(name, `« ${raw} » n’est pas un montant (ex. 1234,56).`, `"${raw}" is not an amount (e.g. 1234.56).`)
    const amount = normalizeAmount(a)
    if (!amountFits(amount)) {
      throw refused(name, `« ${raw.slice(0, 40)}${raw.length > 40 ? '…' : ''} » dépasse ${MAX_AMOUNT_WHOLE_DIGITS} chiffres avant la virgule, plus que Chorus Pro n’accepte.`, `"${raw.slice(0, 40)}${raw.length > 40 ? '…' : ''}" has more than ${MAX_AMOUNT_WHOLE_DIGITS} digits before the decimal point, more than Chorus Pro takes.`, { maxWholeDigits: MAX_AMOUNT_WHOLE_DIGITS })
    }
    return amount
  }
  if (name === 'invoiceDate') {
    const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v)
    const d = m ? makeCalendarDate(Number(m[3]), Number(m[2]), Number(m[1])) : isCalendarDate(v) ? v : null
    if (!d) throw refused(name, `« ${raw} » n’est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ).`, `"${raw}" is not a date (DD/MM/YYYY or YYYY-MM-DD).`)
    return d
  }
  if (name === 'recipientSiret' || name === 'supplierSiret') return compactIdentifier(v)
  if (name === 'invoiceType') {
    const t = v.toUpperCase()
    if (t !== 'FACTURE' && t !== 'AVOIR') throw refused(name, 'FACTURE (facture) ou AVOIR (avoir).', 'FACTURE (invoice) or AVOIR (credit note).')
    return t
  }
  if (name === 'billingFramework') {
    // A choice among the frameworks the connector can submit (A1, A2): an unknown code, or one that needs data
    // the connector does not send (a validator structure, a works procedure), is refused with the choices.
    const problem = billingFrameworkProblem(v)
    if (problem) throw refused(name, problem.message.fr.replace(/^Le cadre/, 'le cadre'), problem.message.en.replace(/^Framework/, 'framework'), { reason: problem.code, allowed: OFFERED_BILLING_FRAMEWORKS.map((f) => f.code) })
    return billingFrameworkOf(v)!.code
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
  // Every value is read before any is refused: a person learns of every bad field at once, each named.
  const refusals: AppError[] = []
  for (const [name, value] of Object.entries(edit.fields ?? {}) as [FieldName, string | null][]) {
    try {
      person[name] = value === null ? null : normalizeTypedValue(name, value)
    } catch (e) {
      if (!(e instanceof AppError)) throw e
      refusals.push(e)
    }
  }
  if (refusals.length) {
    // details: one item per field, in the error shape's localised form (error-response.ts turns `messages` into `message`).
    const fields = refusals.map((r) => {
      const { field, ...extra } = r.details as { field: FieldName }
      return { field: `fields.${field}`, label: fieldLabel(field), messages: r.messages, ...extra }
    })
    const [only] = refusals
    throw new AppError(
      400,
      'invalid_field',
      refusals.length === 1 && only ? only.messages : { fr: `À corriger : ${refusals.map((r) => r.messages.fr.replace(/\.$/, '')).join(' ; ')}.`, en: `To fix: ${refusals.map((r) => r.messages.en.replace(/\.$/, '')).join('; ')}.` },
      fields,
    )
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
