import { toCents } from './amount'
import { billingFrameworkOf, DEFAULT_BILLING_FRAMEWORK } from './billing-framework'
import { FIELD_NAMES, type FieldName, type InvoiceFields } from './invoice-fields'
import type { Localized } from './localized'

/**
 * How a supplier account sends its invoices. `auto` (the default): a PDF carrying a valid Factur-X (CII)
 * invoice goes as a flow (deposer/flux, IN_DP_E2_CII_FACTURX: reference "Updates checked 2026-11", a
 * Factur-X file is safest on the flow route), any other by the PDF route (deposer/pdf + soumettre).
 * `pdf`: always the PDF route. `facturx`: the flow route whenever the document allows it; today it routes
 * exactly as `auto` does, but it is the person's explicit choice, kept if the automatic rule changes.
 */
export const SUBMISSION_ROUTE_SETTINGS = ['auto', 'pdf', 'facturx'] as const
export type SubmissionRouteSetting = (typeof SUBMISSION_ROUTE_SETTINGS)[number]
export type SubmissionRoute = 'pdf' | 'facturx'

/**
 * Fields Chorus Pro reads from the embedded XML on the flow route (everything of the form but the
 * recipient label, which only finds a recipient mapping). If the form's value differs from the XML's, the
 * flow would carry the XML's, not the one checked and shown to the person.
 */
export const FLOW_FIELDS: readonly FieldName[] = FIELD_NAMES.filter((f) => f !== 'recipientLabel')

export type RouteReason = 'account_pdf' | 'no_facturx' | 'facturx_not_valid' | 'fields_not_in_xml' | 'facturx'

export interface RouteDecision {
  readonly route: SubmissionRoute
  readonly reason: RouteReason
  /** For `fields_not_in_xml`: the fields a layer other than the XML set or changed. */
  readonly fields?: readonly FieldName[]
  readonly message: Localized
}

const AMOUNTS: readonly FieldName[] = ['amountNet', 'amountVat', 'amountGross', 'amountDue']

function valueIn(fields: InvoiceFields | undefined, name: FieldName): string | undefined {
  const v = fields?.[name]?.value
  return v === null || v === undefined || v.trim() === '' ? undefined : v.trim()
}

function same(name: FieldName, a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (AMOUNTS.includes(name)) {
    try {
      return toCents(a) === toCents(b)
    } catch {
      // not a plain amount: compared as text below
    }
  }
  const norm = (v: string) => v.replace(/[\s\u00a0\u202f]/g, '').toUpperCase()
  return norm(a) === norm(b)
}

/**
 * The fields where the submission form (what was checked, and what a person saw or corrected) says
 * something else than the embedded XML: a value set where the XML has none, changed, or cleared. The
 * amount due counts as the gross amount when absent, and no framework as A1, on both sides (as Chorus Pro reads them).
 */
export function fieldsNotInXml(xml: InvoiceFields | undefined, form: InvoiceFields): FieldName[] {
  const out: FieldName[] = []
  for (const name of FLOW_FIELDS) {
    let f = valueIn(form, name)
    let x = valueIn(xml, name)
    if (name === 'amountDue') {
      f ??= valueIn(form, 'amountGross')
      x ??= valueIn(xml, 'amountGross')
    }
    // No framework is Chorus Pro's A1, on both sides; an XML writes it short (A2), the form as the API code.
    if (name === 'billingFramework') {
      f = billingFrameworkOf(f ?? DEFAULT_BILLING_FRAMEWORK)?.code ?? f
      x = billingFrameworkOf(x ?? DEFAULT_BILLING_FRAMEWORK)?.code ?? x
    }
    if (!same(name, f, x)) out.push(name)
  }
  return out
}

const FIELD_WORDS: Record<FieldName, Localized> = {
  invoiceNumber: { fr: 'numéro de facture', en: 'invoice number' },
  invoiceType: { fr: 'type de facture', en: 'invoice type' },
  billingFramework: { fr: 'cadre de facturation', en: 'billing framework' },
  invoiceDate: { fr: 'date de facture', en: 'invoice date' },
  currency: { fr: 'devise', en: 'currency' },
  supplierSiret: { fr: 'SIRET du fournisseur', en: 'supplier SIRET' },
  recipientSiret: { fr: 'SIRET du destinataire', en: 'recipient SIRET' },
  recipientLabel: { fr: 'libellé du destinataire', en: 'recipient label' },
  serviceCode: { fr: 'code service', en: 'service code' },
  engagementNumber: { fr: 'numéro d’engagement', en: 'engagement number' },
  amountNet: { fr: 'montant HT', en: 'net amount' },
  amountVat: { fr: 'montant de TVA', en: 'VAT amount' },
  amountGross: { fr: 'montant TTC', en: 'gross amount' },
  amountDue: { fr: 'net à payer', en: 'amount due' },
}

/**
 * The route of one submission. The flow route sends the embedded XML unchanged, so a document whose form
 * was completed or corrected outside the XML (a person's edit, host metadata, a recipient mapping, a value
 * read from the page where the XML had none) goes by the PDF route, which sends the form's fields.
 */
export function chooseSubmissionRoute(input: {
  readonly setting: string
  readonly hasFacturx: boolean
  readonly validForStructuredRoute: boolean
  readonly xml: InvoiceFields | undefined
  readonly form: InvoiceFields
}): RouteDecision {
  if (input.setting === 'pdf') return { route: 'pdf', reason: 'account_pdf', message: { fr: 'Voie PDF : choisie sur le compte fournisseur.', en: 'PDF route: chosen on the supplier account.' } }
  if (!input.hasFacturx) return { route: 'pdf', reason: 'no_facturx', message: { fr: 'Voie PDF : le document ne contient pas de facture Factur-X (CII).', en: 'PDF route: the document carries no Factur-X (CII) invoice.' } }
  if (!input.validForStructuredRoute) {
    return { route: 'pdf', reason: 'facturx_not_valid', message: { fr: 'Voie PDF : la facture Factur-X intégrée ne convient pas au dépôt de flux.', en: 'PDF route: the embedded Factur-X invoice does not suit a flow deposit.' } }
  }
  const fields = fieldsNotInXml(input.xml, input.form)
  if (fields.length) {
    const fr = fields.map((f) => FIELD_WORDS[f].fr).join(', ')
    const en = fields.map((f) => FIELD_WORDS[f].en).join(', ')
    return {
      route: 'pdf',
      reason: 'fields_not_in_xml',
      fields,
      message: {
        fr: `Voie PDF au lieu du flux Factur-X : ${fr} ${fields.length > 1 ? 'diffèrent' : 'diffère'} du XML intégré (complété ou corrigé hors du XML), et un flux enverrait le XML inchangé ; le dépôt PDF envoie les valeurs du formulaire.`,
        en: `PDF route instead of the Factur-X flow: ${en} ${fields.length > 1 ? 'differ' : 'differs'} from the embedded XML (completed or corrected outside the XML), and a flow would send the XML unchanged; the PDF route sends the form's values.`,
      },
    }
  }
  return { route: 'facturx', reason: 'facturx', message: { fr: 'Flux Factur-X (IN_DP_E2_CII_FACTURX) : le XML intégré porte toutes les valeurs du formulaire.', en: 'Factur-X flow (IN_DP_E2_CII_FACTURX): the embedded XML carries every value of the form.' } }
}
