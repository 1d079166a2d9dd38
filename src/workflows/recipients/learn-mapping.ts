import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema'
import { audit } from '../../db/audit'
import { findMapping, mappingInScope, upsertLearnedMapping, type RecipientMapping } from '../../db/recipient-mappings'
import { normalizeLabel, RESERVED_SERVICE_CODE } from '../../domain/recipient-label'
import type { InvoiceFields } from '../../domain/invoice-fields'
import type { DocumentRow } from '../../db/schema'
import { valueOf } from '../documents/document-form'
import type { Ports } from '../ports'
import { recheckAffectedDocuments } from './recheck-affected-documents'

export interface LearnInput {
  readonly accountId: string | number
  readonly label: string
  readonly recipientSiret: string
  readonly serviceCode: string | null | undefined
  /**
   * Accepted, never stored: an engagement number usually belongs to one order, and a stale one
   * applied to the next invoice is a rejection (or a payment on the wrong commitment). A default
   * engagement number is set by a person.
   */
  readonly engagementNumber?: string | null | undefined
}

export type LearnResult =
  | { readonly action: 'created' | 'updated'; readonly mapping: RecipientMapping; readonly recheckedDocuments: number }
  | { readonly action: 'unchanged'; readonly mapping: RecipientMapping; readonly recheckedDocuments: 0 }
  | { readonly action: 'kept'; readonly mapping: RecipientMapping; readonly recheckedDocuments: 0; readonly reason: 'manual_or_imported_mapping' }
  | { readonly action: 'skipped'; readonly mapping: null; readonly recheckedDocuments: 0; readonly reason: 'empty_label' | 'reserved_service' }

/**
 * Called after every successful submission, in the submission's transaction: remembers which
 * recipient and service the account's invoices with this label went to, as a `learned` mapping of
 * the account. A `manual` or `imported` mapping that applies (the account's or a global one) is never
 * overwritten nor shadowed; an existing learned one is updated. The documents waiting in "to submit"
 * with this label are re-checked (jobs enqueued in the same transaction). Audited as
 * `recipient_mapping.learn`.
 */
export async function learnMapping(ports: Pick<Ports, 'jobs'>, db: Kysely<DB> | Transaction<DB>, input: LearnInput): Promise<LearnResult> {
  const accountId = String(input.accountId)
  const label = input.label.trim()
  const labelNormalized = normalizeLabel(label)
  if (!labelNormalized) return { action: 'skipped', mapping: null, recheckedDocuments: 0, reason: 'empty_label' }
  const serviceCode = input.serviceCode?.trim() || null
  if (serviceCode === RESERVED_SERVICE_CODE) return { action: 'skipped', mapping: null, recheckedDocuments: 0, reason: 'reserved_service' }
  const recipientSiret = input.recipientSiret.replace(/[\s.\-\u00a0\u202f]/g, '')

  const applies = await findMapping(db, accountId, label)
  if (applies && applies.mapping.origin !== 'learned') return { action: 'kept', mapping: applies.mapping, recheckedDocuments: 0, reason: 'manual_or_imported_mapping' }
  if (applies && applies.mapping.recipientSiret === recipientSiret && applies.mapping.serviceCode === serviceCode) {
    return { action: 'unchanged', mapping: applies.mapping, recheckedDocuments: 0 }
  }
  const written = await upsertLearnedMapping(db, { accountId, label, labelNormalized, recipientSiret, serviceCode })
  if (!written) {
    // A person's mapping was written meanwhile: it stands.
    const kept = (await mappingInScope(db, accountId, labelNormalized))!
    return { action: 'kept', mapping: kept, recheckedDocuments: 0, reason: 'manual_or_imported_mapping' }
  }
  const { mapping } = written
  const action = written.inserted ? 'created' : 'updated'
  await audit(db, {
    actor: 'system',
    action: 'recipient_mapping.learn',
    targetType: 'recipient_mapping',
    targetId: mapping.id,
    details: {
      action,
      accountId,
      label,
      recipientSiret,
      serviceCode,
      ...(applies ? { before: { recipientSiret: applies.mapping.recipientSiret, serviceCode: applies.mapping.serviceCode } } : {}),
    },
  })
  const recheckedDocuments = await recheckAffectedDocuments(ports, db, [{ accountId, labelNormalized }])
  return { action, mapping, recheckedDocuments }
}

/** After a successful submission, remember where this label's invoices go (a `learned` mapping). */
export async function learnFromSubmission(ports: Pick<Ports, 'jobs'>, trx: Transaction<DB>, doc: DocumentRow, fields: InvoiceFields): Promise<void> {
  const label = valueOf(fields, 'recipientLabel')
  const siret = valueOf(fields, 'recipientSiret')
  if (!label || !siret || !doc.account_id) return
  await learnMapping(ports, trx, { accountId: doc.account_id, label, recipientSiret: siret, serviceCode: valueOf(fields, 'serviceCode') ?? null })
}
