import { audit } from '../../db/audit'
import { createMapping, deleteMapping, updateMapping, type MappingValues, type RecipientMapping } from '../../db/recipient-mappings'
import { lookupStructure } from '../directory/directory-lookup'
import type { Ports } from '../ports'
import { recheckAffectedDocuments } from './recheck-affected-documents'

/**
 * A person's changes to the recipient mappings (the admin's Recipients page and API). Each is audited
 * and re-checks, in the same transaction, every document waiting with a label the change affects.
 * DuplicateMappingError comes through unchanged for the route to explain.
 */
export interface MappingChange {
  readonly mapping: RecipientMapping
  readonly recheckedDocuments: number
}

function auditValues(m: RecipientMapping) {
  return { accountId: m.accountId, label: m.label, recipientSiret: m.recipientSiret, serviceCode: m.serviceCode, engagementNumber: m.engagementNumber, origin: m.origin }
}

export function createRecipientMapping(ports: Ports, values: MappingValues, actor: string): Promise<MappingChange> {
  return ports.db.transaction().execute(async (trx) => {
    const mapping = await createMapping(trx, { ...values, origin: 'manual', createdBy: actor })
    await audit(trx, { actor, action: 'recipient_mapping.create', targetType: 'recipient_mapping', targetId: mapping.id, details: { after: auditValues(mapping) } })
    const recheckedDocuments = await recheckAffectedDocuments(ports, trx, [{ accountId: mapping.accountId, labelNormalized: mapping.labelNormalized }])
    return { mapping, recheckedDocuments }
  })
}

/** The mapping becomes manual: learning never overwrites it. Undefined when there is no such mapping. */
export function updateRecipientMapping(ports: Ports, id: string, patch: Partial<MappingValues>, actor: string): Promise<MappingChange | undefined> {
  return ports.db.transaction().execute(async (trx) => {
    const r = await updateMapping(trx, id, { ...patch, origin: 'manual' })
    if (!r) return undefined
    await audit(trx, { actor, action: 'recipient_mapping.update', targetType: 'recipient_mapping', targetId: id, details: { before: auditValues(r.before), after: auditValues(r.after) } })
    const recheckedDocuments = await recheckAffectedDocuments(ports, trx, [
      { accountId: r.before.accountId, labelNormalized: r.before.labelNormalized },
      { accountId: r.after.accountId, labelNormalized: r.after.labelNormalized },
    ])
    return { mapping: r.after, recheckedDocuments }
  })
}

export function deleteRecipientMapping(ports: Ports, id: string, actor: string): Promise<MappingChange | undefined> {
  return ports.db.transaction().execute(async (trx) => {
    const m = await deleteMapping(trx, id)
    if (!m) return undefined
    await audit(trx, { actor, action: 'recipient_mapping.delete', targetType: 'recipient_mapping', targetId: id, details: { before: auditValues(m) } })
    const recheckedDocuments = await recheckAffectedDocuments(ports, trx, [{ accountId: m.accountId, labelNormalized: m.labelNormalized }])
    return { mapping: m, recheckedDocuments }
  })
}

/**
 * Refreshes the cached directory entry of a SIRET when older than a day, with the given account's
 * technical account (or the first enabled account of this environment: any of them may read the
 * directory). Without an account there is nothing to call Chorus Pro with, and the cache is read as is.
 */
export async function refreshRecipientDirectory(ports: Ports, accountId: string | null, siret: string): Promise<void> {
  let q = ports.db.selectFrom('accounts').selectAll().where('environment', '=', ports.chorusEnv).where('disabled_at', 'is', null)
  if (accountId) q = q.where('id', '=', accountId)
  const account = await q.orderBy('id').executeTakeFirst()
  if (!account) return
  await lookupStructure(ports, account, siret, { maxAgeMs: 24 * 3600_000 })
}
