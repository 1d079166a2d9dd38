import type { FieldName, InvoiceFields } from './invoice-fields'
import type { Localized } from './localized'
import { isValidSiret } from './siret'
import { isAmount, sameAmount, addAmounts, toCents } from './amount'
import { isCalendarDate, type CalendarDate } from './calendar-date'
import { billingFrameworkOf, billingFrameworkProblem, PAID_BILLING_FRAMEWORK } from './billing-framework'

/** One reason a document cannot be submitted yet: a stable code, the field concerned, and what to do. */
export interface Problem {
  readonly code: string
  readonly field: FieldName | 'account' | 'file' | null
  readonly message: Localized
}

/** What the Chorus Pro directory says of a recipient (cached structures + services). */
export interface RecipientDirectory {
  readonly found: boolean
  readonly active: boolean
  readonly name?: string | null
  readonly serviceRequired: boolean
  readonly engagementRequired: boolean
  readonly serviceOrEngagement: boolean
  readonly services: ReadonlyArray<{ readonly code: string; readonly label?: string | null; readonly active: boolean; readonly engagementRequired: boolean }>
}

export interface CompletenessInput {
  readonly fields: InvoiceFields
  readonly hasAccount: boolean
  /** undefined: the directory could not be reached (the check is then a problem that clears itself on the next recheck). */
  readonly directory: RecipientDirectory | undefined
  readonly pdfSize: number
  readonly today: CalendarDate
  /** The same invoice number already submitted by this supplier this year: here or found in Chorus Pro. */
  readonly duplicate?: { readonly where: 'here' | 'chorus'; readonly chorusInvoiceId?: string } | null
  /** When the account checks engagement numbers with Chorus: false = unknown to Chorus, undefined = not checked. */
  readonly engagementKnown?: boolean
}

/** Chorus Pro refuses PDFs over 10 MB (reference §2.1, ajouter/fichier; the OCR deposit has the same limit). */
export const MAX_PDF_BYTES = 10 * 1024 * 1024
/** Engagement numbers (EJ) longer than 50 characters are refused (reference §2.4, OCA). */
export const MAX_ENGAGEMENT_LENGTH = 50
/**
 * numeroFactureSaisi: 20 characters at most in the Chorus Pro specifications ("Spécifications externes
 * – annexe API", field lengths) [uncertain: not in ../shared/reference; kept as the widely cited limit].
 */
export const MAX_INVOICE_NUMBER_LENGTH = 20
/** Reserved for public-to-public invoices; a supplier using it is rejected (reference §2.4, OCA #178). */
export const RESERVED_SERVICE = 'FACTURES_PUBLIQUES'

const p = (code: string, field: Problem['field'], fr: string, en: string): Problem => ({ code, field, message: { fr, en } })
const v = (fields: InvoiceFields, name: FieldName): string | undefined => {
  const value = fields[name]?.value
  return value === null || value === undefined || value.trim() === '' ? undefined : value.trim()
}

/**
 * Everything Chorus Pro would refuse, caught before sending. Pure: the caller gathers the directory,
 * duplicate and engagement facts. An empty list means ready (green).
 */
export function checkCompleteness(input: CompletenessInput): Problem[] {
  const f = input.fields
  const out: Problem[] = []

  if (!input.hasAccount) out.push(p('account_missing', 'account', 'Aucun compte fournisseur n’est associé à ce document : choisissez-en un (ou ajoutez une règle de classement qui le désigne).', 'No supplier account is associated with this document: choose one (or add a filing rule that names it).'))
  if (input.pdfSize > MAX_PDF_BYTES) out.push(p('pdf_too_large', 'file', `Le PDF fait ${(input.pdfSize / 1048576).toFixed(1)} Mo ; Chorus Pro refuse plus de 10 Mo. Compressez-le ou réduisez la résolution des images.`, `The PDF is ${(input.pdfSize / 1048576).toFixed(1)} MB; Chorus Pro refuses more than 10 MB. Compress it or lower its image resolution.`))

  // Invoice number.
  const number = v(f, 'invoiceNumber')
  if (!number) out.push(p('invoice_number_missing', 'invoiceNumber', 'Le numéro de facture est absent : saisissez-le.', 'The invoice number is missing: enter it.'))
  else if (number.length > MAX_INVOICE_NUMBER_LENGTH) out.push(p('invoice_number_too_long', 'invoiceNumber', `Le numéro de facture dépasse ${MAX_INVOICE_NUMBER_LENGTH} caractères, limite de Chorus Pro.`, `The invoice number exceeds ${MAX_INVOICE_NUMBER_LENGTH} characters, Chorus Pro's limit.`))
  else if (/^(\d{4}-\d{2}-\d{2}|\d{2}[/.-]\d{2}[/.-]\d{4}|\d{8})$/.test(number)) out.push(p('invoice_number_is_date', 'invoiceNumber', 'Un numéro de facture ne peut pas être une simple date : Chorus Pro le refuse.', 'An invoice number cannot be a bare date: Chorus Pro refuses it.'))
  if (number && input.duplicate) {
    out.push(input.duplicate.where === 'here'
      ? p('invoice_number_duplicate', 'invoiceNumber', `La facture ${number} a déjà été déposée cette année par ce fournisseur (ici). Corrigez le numéro ou retirez ce document.`, `Invoice ${number} was already submitted this year by this supplier (here). Correct the number or remove this document.`)
      : p('invoice_number_duplicate', 'invoiceNumber', `Chorus Pro connaît déjà une facture ${number} de ce fournisseur cette année${input.duplicate.chorusInvoiceId ? ` (n° ${input.duplicate.chorusInvoiceId})` : ''}. Corrigez le numéro ou retirez ce document.`, `Chorus Pro already has an invoice ${number} from this supplier this year${input.duplicate.chorusInvoiceId ? ` (id ${input.duplicate.chorusInvoiceId})` : ''}. Correct the number or remove this document.`))
  }

  // Invoice date: a calendar date, not in the future (Europe/Paris).
  const date = v(f, 'invoiceDate')
  if (!date) out.push(p('invoice_date_missing', 'invoiceDate', 'La date de facture est absente : saisissez-la.', 'The invoice date is missing: enter it.'))
  else if (!isCalendarDate(date)) out.push(p('invoice_date_invalid', 'invoiceDate', `La date de facture « ${date} » n’est pas une date valide (AAAA-MM-JJ).`, `The invoice date "${date}" is not a valid date (YYYY-MM-DD).`))
  else if (date > input.today) out.push(p('invoice_date_future', 'invoiceDate', `La date de facture ${date} est dans le futur : Chorus Pro la refuse.`, `The invoice date ${date} is in the future: Chorus Pro refuses it.`))

  const type = v(f, 'invoiceType')
  if (type && type !== 'FACTURE' && type !== 'AVOIR') out.push(p('invoice_type_invalid', 'invoiceType', `Type « ${type} » inconnu : FACTURE ou AVOIR.`, `Unknown type "${type}": FACTURE or AVOIR.`))

  // Billing framework (cadre de facturation): one Chorus Pro knows and the connector can submit (domain/billing-framework.ts).
  const framework = v(f, 'billingFramework')
  const frameworkProblem = framework ? billingFrameworkProblem(framework) : null
  if (frameworkProblem) out.push({ code: frameworkProblem.code, field: 'billingFramework', message: frameworkProblem.message })

  // Amounts: present, decimal, coherent.
  const net = v(f, 'amountNet')
  const vat = v(f, 'amountVat')
  const gross = v(f, 'amountGross')
  const due = v(f, 'amountDue')
  for (const [name, value, fr, en] of [['amountNet', net, 'Le montant HT', 'The net amount'], ['amountVat', vat, 'Le montant de TVA', 'The VAT amount'], ['amountGross', gross, 'Le montant TTC', 'The gross amount']] as const) {
    if (value === undefined) out.push(p('amount_missing', name, `${fr} est absent : saisissez-le.`, `${en} is missing: enter it.`))
    else if (!isAmount(value)) out.push(p('amount_invalid', name, `${fr} « ${value} » n’est pas un montant (ex. 1234.56).`, `${en} "${value}" is not an amount (e.g. 1234.56).`))
  }
  if (due !== undefined && !isAmount(due)) out.push(p('amount_invalid', 'amountDue', `Le montant à payer « ${due} » n’est pas un montant.`, `The amount due "${due}" is not an amount.`))
  if (net && vat && gross && isAmount(net) && isAmount(vat) && isAmount(gross) && !sameAmount(addAmounts(net, vat), gross)) {
    out.push(p('amounts_inconsistent', 'amountGross', `HT ${net} + TVA ${vat} = ${addAmounts(net, vat)}, différent du TTC ${gross} : Chorus Pro refuserait la synthèse d’en-tête.`, `Net ${net} + VAT ${vat} = ${addAmounts(net, vat)}, not the gross ${gross}: Chorus Pro would refuse the header totals.`))
  }
  if (gross && due && isAmount(gross) && isAmount(due) && (toCents(due) < 0n || toCents(due) > toCents(gross))) {
    out.push(p('amount_due_inconsistent', 'amountDue', `Le montant à payer ${due} dépasse le TTC ${gross}.`, `The amount due ${due} exceeds the gross ${gross}.`))
  }
  // An invoice already paid (A2) leaves nothing to pay: amount due 0 (gobl's Chorus Pro rule "must be paid in
  // full for framework A2"; the French e-invoicing rule BR-FR-CO-09 says the same of its "already paid" frame).
  // Without an amount due, Chorus Pro reads the gross amount.
  const payable = due ?? gross
  if (billingFrameworkOf(framework)?.code === PAID_BILLING_FRAMEWORK && payable && isAmount(payable) && toCents(payable) !== 0n) {
    out.push(p('amount_due_not_zero_when_paid', 'amountDue', `Facture déjà payée (cadre A2) : le net à payer doit être 0 (il est de ${payable}). Saisissez 0, ou choisissez le cadre A1 si elle reste à payer.`, `Invoice already paid (framework A2): the amount due must be 0 (it is ${payable}). Enter 0, or choose framework A1 if it is still to be paid.`))
  }

  // Recipient and routing.
  const siret = v(f, 'recipientSiret')
  const service = v(f, 'serviceCode')
  const ej = v(f, 'engagementNumber')
  if (ej && ej.length > MAX_ENGAGEMENT_LENGTH) out.push(p('engagement_too_long', 'engagementNumber', `Le numéro d’engagement dépasse ${MAX_ENGAGEMENT_LENGTH} caractères.`, `The engagement number exceeds ${MAX_ENGAGEMENT_LENGTH} characters.`))
  if (service === RESERVED_SERVICE) out.push(p('service_reserved', 'serviceCode', 'Le service FACTURES_PUBLIQUES est réservé aux factures entre entités publiques : indiquez le service exécutant de votre client.', 'The FACTURES_PUBLIQUES service is reserved for invoices between public entities: give your customer\'s executing service.'))
  if (!siret) {
    out.push(p('recipient_missing', 'recipientSiret', 'Le SIRET du destinataire est absent : saisissez-le ou associez le libellé du destinataire dans la gestion des destinataires.', 'The recipient SIRET is missing: enter it, or map the recipient label in recipient management.'))
    return out
  }
  if (!isValidSiret(siret)) {
    out.push(p('recipient_siret_invalid', 'recipientSiret', `Le SIRET destinataire ${siret} n’est pas valide (14 chiffres, clé de contrôle).`, `The recipient SIRET ${siret} is not valid (14 digits, check digit).`))
    return out
  }
  const d = input.directory
  if (!d) {
    out.push(p('directory_unavailable', 'recipientSiret', 'L’annuaire Chorus Pro n’a pas pu être consulté : la vérification sera refaite automatiquement.', 'The Chorus Pro directory could not be reached: the check will run again automatically.'))
    return out
  }
  if (!d.found || !d.active) {
    out.push(p(d.found ? 'recipient_inactive' : 'recipient_unknown', 'recipientSiret', `Le destinataire ${siret} est ${d.found ? 'inactif' : 'introuvable'} dans l’annuaire Chorus Pro : vérifiez le SIRET auprès de votre client.`, `Recipient ${siret} is ${d.found ? 'inactive' : 'not found'} in the Chorus Pro directory: check the SIRET with your customer.`))
    return out
  }
  let chosen: RecipientDirectory['services'][number] | undefined
  if (service && service !== RESERVED_SERVICE) {
    chosen = d.services.find((s) => s.code === service)
    if (!chosen) out.push(p('service_unknown', 'serviceCode', `Le service ${service} n’existe pas chez ce destinataire${d.services.length ? ` (services actifs : ${d.services.filter((s) => s.active && s.code !== RESERVED_SERVICE).map((s) => s.code).slice(0, 8).join(', ')})` : ''}.`, `Service ${service} does not exist for this recipient${d.services.length ? ` (active services: ${d.services.filter((s) => s.active && s.code !== RESERVED_SERVICE).map((s) => s.code).slice(0, 8).join(', ')})` : ''}.`))
    else if (!chosen.active) out.push(p('service_inactive', 'serviceCode', `Le service ${service} est inactif chez ce destinataire : demandez le service à jour à votre client.`, `Service ${service} is inactive for this recipient: ask your customer for the current service.`))
  }
  if (d.serviceOrEngagement && !service && !ej) out.push(p('service_or_engagement_required', 'serviceCode', 'Ce destinataire exige un code service ou un numéro d’engagement : renseignez l’un des deux.', 'This recipient requires a service code or an engagement number: give one of them.'))
  if (d.serviceRequired && !service) out.push(p('service_required', 'serviceCode', 'Le code service est obligatoire pour ce destinataire.', 'A service code is required for this recipient.'))
  if ((d.engagementRequired || chosen?.engagementRequired) && !ej) out.push(p('engagement_required', 'engagementNumber', chosen?.engagementRequired ? `Le numéro d’engagement est obligatoire pour le service ${service}.` : 'Le numéro d’engagement est obligatoire pour ce destinataire.', chosen?.engagementRequired ? `An engagement number is required for service ${service}.` : 'An engagement number is required for this recipient.'))
  if (ej && input.engagementKnown === false) out.push(p('engagement_unknown', 'engagementNumber', `Le numéro d’engagement ${ej} est inconnu de Chorus Pro pour ce fournisseur.`, `Engagement number ${ej} is unknown to Chorus Pro for this supplier.`))
  return out
}
