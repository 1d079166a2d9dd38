import { sql } from 'kysely'
import type { InvoiceRow } from '../../db/schema'
import { getInvoice, recordAction } from '../../db/invoices'
import { AppError } from '../../domain/app-error'
import { compactIdentifier, isValidSiret } from '../../domain/siret'
import { normalizeLabel } from '../../domain/recipient-label'
import { acceptableServices, serviceChoiceText } from '../../domain/service-choices'
import { lookupStructure, type DirectoryStructure } from '../directory/directory-lookup'
import { loadActionTarget, requireStatus, writeOnce } from './invoice-action'
import { emitStatusEvents } from './sync-statuses'
import type { Ports } from '../ports'

export interface RecycleInput {
  readonly recipientSiret: string
  readonly serviceCode?: string | null
  readonly engagementNumber?: string | null
  readonly comment?: string | null
  /** Also save the new routing as a recipient mapping for this label (the document's printed label by default). */
  readonly saveMapping?: boolean
  readonly mappingLabel?: string | null
}

/** FACTURES_PUBLIQUES is for invoices between public entities only (reference §2.4, user need #11). */
const RESERVED_SERVICES = new Set(['FACTURES_PUBLIQUES'])

const invalid = (code: string, fr: string, en: string, details?: unknown) => new AppError(422, code, { fr, en }, details)

/** The services a refusal offers instead: only those Chorus Pro would accept, each saying what it needs. */
function choicesText(s: DirectoryStructure, lang: 'fr' | 'en'): string {
  const list = acceptableServices(s).map((c) => serviceChoiceText(c)[lang])
  return list.length ? list.join(' ; ') : lang === 'fr' ? 'aucun' : 'none'
}

/** Checks new routing data against the directory, as Chorus Pro will; every refusal says what to change. */
export function checkRouting(s: DirectoryStructure, siret: string, serviceCode: string | null, engagementNumber: string | null): void {
  if (!s.found) throw invalid('recipient_not_found', `Aucune structure publique avec le SIRET ${siret} dans l’annuaire Chorus Pro. Vérifiez le SIRET du destinataire.`, `No public structure with SIRET ${siret} in the Chorus Pro directory. Check the recipient's SIRET.`)
  if (!s.active) throw invalid('recipient_inactive', `La structure ${s.name ?? siret} est inactive dans Chorus Pro : elle ne reçoit plus de factures. Demandez au destinataire sa nouvelle structure.`, `Structure ${s.name ?? siret} is inactive in Chorus Pro and no longer receives invoices. Ask the recipient for its new structure.`)
  const service = serviceCode ? s.services.find((v) => v.code === serviceCode) : undefined
  if (serviceCode && RESERVED_SERVICES.has(serviceCode)) throw invalid('service_reserved', `Le service ${serviceCode} est réservé aux factures entre entités publiques : choisissez un autre service.`, `Service ${serviceCode} is reserved for invoices between public entities: choose another service.`)
  if (serviceCode && !service) {
    throw invalid('service_unknown', `Le service ${serviceCode} n’existe pas pour ${s.name ?? siret}. Services possibles : ${choicesText(s, 'fr')}.`, `Service ${serviceCode} does not exist for ${s.name ?? siret}. Possible services: ${choicesText(s, 'en')}.`, { services: acceptableServices(s) })
  }
  if (service && !service.active) throw invalid('service_inactive', `Le service ${serviceCode} de ${s.name ?? siret} est inactif. Services possibles : ${choicesText(s, 'fr')}.`, `Service ${serviceCode} of ${s.name ?? siret} is inactive. Possible services: ${choicesText(s, 'en')}.`, { services: acceptableServices(s) })
  if (s.serviceRequired && !serviceCode) throw invalid('service_required', `${s.name ?? siret} exige un code service. Services possibles : ${choicesText(s, 'fr')}.`, `${s.name ?? siret} requires a service code. Possible services: ${choicesText(s, 'en')}.`, { services: acceptableServices(s) })
  if ((s.engagementRequired || service?.engagementRequired) && !engagementNumber) {
    throw invalid('engagement_required', `Un numéro d’engagement est obligatoire pour ${service ? `le service ${service.code} de ` : ''}${s.name ?? siret}.`, `An engagement number is required for ${service ? `service ${service.code} of ` : ''}${s.name ?? siret}.`)
  }
  if (s.serviceOrEngagement && !serviceCode && !engagementNumber) throw invalid('service_or_engagement_required', `${s.name ?? siret} exige un code service ou un numéro d’engagement.`, `${s.name ?? siret} requires a service code or an engagement number.`)
}

/**
 * Recycles an A_RECYCLER invoice with new routing data: checked against the directory first (cache while
 * fresh), then `recycler` once; an unknown outcome is settled by reading the status back. The invoice
 * goes back to DEPOSEE and is polled at the next sync. Optionally saves the routing as a recipient mapping.
 */
export async function recycleInvoice(ports: Ports, invoiceId: string, input: RecycleInput, actor: string): Promise<InvoiceRow> {
  const siret = compactIdentifier(input.recipientSiret)
  if (!isValidSiret(siret)) throw new AppError(400, 'invalid_siret', { fr: `SIRET invalide : ${input.recipientSiret} (14 chiffres, clé de contrôle comprise).`, en: `Invalid SIRET: ${input.recipientSiret} (14 digits, check digit included).` })
  const serviceCode = input.serviceCode?.trim() || null
  const engagementNumber = input.engagementNumber?.trim() || null
  const comment = input.comment?.trim() || null
  if (engagementNumber && engagementNumber.length > 50) throw new AppError(400, 'engagement_too_long', { fr: 'Le numéro d’engagement dépasse 50 caractères.', en: 'The engagement number is longer than 50 characters.' })
  const t = await loadActionTarget(ports, invoiceId)
  await requireStatus(ports, t, 'A_RECYCLER', 'recycler / recycle')

  let mappingLabel: string | null = null
  if (input.saveMapping) {
    mappingLabel = input.mappingLabel?.trim() || (await printedLabel(ports, t.invoice.document_id))
    if (!mappingLabel) {
      throw new AppError(400, 'mapping_label_required', { fr: 'Pour enregistrer la correspondance, indiquez le libellé du destinataire tel qu’imprimé (mappingLabel).', en: 'To save the mapping, give the recipient label as printed (mappingLabel).' })
    }
  }

  const structure = await lookupStructure(ports, t.account, siret, {})
  checkRouting(structure, siret, serviceCode, engagementNumber)

  const { answer, reconciled } = await writeOnce(
    ports,
    t,
    'recycle',
    actor,
    () =>
      ports.chorus.recycler(t.tech, {
        identifiantFactureCPP: Number(t.invoice.chorus_invoice_id),
        destinataire: { codeDestinataire: siret, ...(serviceCode ? { codeServiceExecutant: serviceCode } : {}) },
        ...(comment ? { commentaire: comment } : {}),
        ...(engagementNumber ? { references: { numeroBonCommande: engagementNumber } } : {}),
      }),
    (status) => status !== 'A_RECYCLER',
  )
  const now = ports.now()
  const status = reconciled ?? answer?.statutFacture ?? 'DEPOSEE'
  await ports.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('invoices')
      .set({
        recipient_siret: siret,
        recipient_name: structure.name ?? t.invoice.recipient_name,
        service_code: serviceCode,
        engagement_number: engagementNumber,
        status,
        status_at: now,
        status_comment: comment,
        final: false,
        unchanged_polls: 0,
        next_poll_at: now,
        updated_at: now,
      })
      .where('id', '=', invoiceId)
      .execute()
    await recordAction(
      trx,
      invoiceId,
      'recycle',
      actor,
      {
        before: { recipientSiret: t.invoice.recipient_siret, serviceCode: t.invoice.service_code, engagementNumber: t.invoice.engagement_number },
        after: { recipientSiret: siret, serviceCode, engagementNumber },
        reconciled: reconciled !== undefined,
        chorus: answer ?? null,
        mappingLabel,
      },
      comment,
    )
    if (mappingLabel) {
      await sql`
        insert into recipient_mappings (account_id, label, label_normalized, recipient_siret, service_code, engagement_number, origin, created_by)
        values (${t.account.id}, ${mappingLabel}, ${normalizeLabel(mappingLabel)}, ${siret}, ${serviceCode}, ${engagementNumber}, 'manual', ${actor})
        on conflict (coalesce(account_id, 0), label_normalized) do update set recipient_siret = excluded.recipient_siret,
          service_code = excluded.service_code, engagement_number = excluded.engagement_number, updated_at = now()`.execute(trx)
    }
    await emitStatusEvents(ports, trx, { ...t.invoice, accountId: t.account.id }, t.invoice.status, status, now, comment, 'recycle')
  })
  return (await getInvoice(ports.db, invoiceId))!
}

/** The recipient label printed on the invoice's document, when the connector has it. */
async function printedLabel(ports: Ports, documentId: string | null): Promise<string | null> {
  if (!documentId) return null
  const d = await ports.db.selectFrom('documents').select('fields').where('id', '=', documentId).executeTakeFirst()
  const f = (d?.fields as Record<string, { value?: unknown }> | undefined)?.recipientLabel
  return typeof f?.value === 'string' && f.value.trim() ? f.value.trim() : null
}
