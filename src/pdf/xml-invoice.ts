import { normalizeAmount, type Amount } from '../domain/amount'
import type { Localized } from '../domain/localized'
import { isCalendarDate } from '../domain/calendar-date'
import type { FieldName, InvoiceFields, InvoiceType } from '../domain/invoice-fields'
import { compactIdentifier, isValidSiren, isValidSiret } from '../domain/siret'
import { isAtLeastEn16931, type FacturxProfile, type InvoiceProfile } from './facturx-profile'

/** CII D16B (Factur-X, ZUGFeRD 2.x, XRechnung CII), UBL 2.1, or the ZUGFeRD 1.0 CrossIndustryDocument. */
export type XmlSyntax = 'CII' | 'UBL' | 'ZUGFERD1'

export interface VatBreakdownLine {
  /** VAT category code (S standard, Z zero, E exempt, AE reverse charge, ...). */
  readonly category: string | null
  /** Rate in percent as written ("20", "5.5"). */
  readonly rate: string | null
  readonly basis: Amount | null
  readonly amount: Amount | null
}

export interface PartyIdentifiers {
  readonly name: string | null
  readonly siret: string | null
  readonly siren: string | null
  readonly vatNumber: string | null
}

/** What an embedded CII or UBL invoice says, already in the form's units. */
export interface XmlInvoice {
  readonly syntax: XmlSyntax
  readonly profile: InvoiceProfile | null
  /** BT-24 as written (CII guideline id, UBL CustomizationID). */
  readonly guidelineId: string | null
  readonly fields: InvoiceFields
  readonly vatBreakdown: VatBreakdownLine[]
  readonly seller: PartyIdentifiers
  readonly buyer: PartyIdentifiers
  /** The raw type code (380, 381, ...). */
  readonly typeCode: string | null
  readonly validForStructuredRoute: boolean
  /** Why it is not valid for the structured route (empty when it is). */
  readonly structuredRouteProblems: string[]
  readonly warnings: string[]
}

/**
 * UNTDID 1001 codes used by EN16931. Credit notes (381 and the self-billed/factored variants) become
 * AVOIR; every other invoice code, including corrective 384, is a FACTURE for Chorus Pro.
 */
const CREDIT_NOTE_CODES = new Set(['381', '261', '262', '296', '308', '396', '420', '458', '532'])
const INVOICE_CODES = new Set(['380', '383', '384', '386', '389', '393', '394', '395', '326', '80', '82', '84', '130', '202', '203', '204', '211', '218', '219', '295', '325', '331', '382', '385', '387', '388', '390', '456', '457', '527', '575', '623', '633', '751', '780', '875', '876', '877', '935'])

export function invoiceTypeOfCode(code: string | null): InvoiceType | null {
  if (!code) return null
  if (CREDIT_NOTE_CODES.has(code)) return 'AVOIR'
  if (INVOICE_CODES.has(code)) return 'FACTURE'
  return null
}

/** Decimal as written in XML ("1200", "1200.5", "1200.504") to the form's two decimals; null when not a decimal. */
export function xmlAmount(v: string | null): Amount | null {
  if (!v) return null
  try {
    return normalizeAmount(v.replace(/^\+/, ''))
  } catch {
    return null
  }
}

/** CII dates use format 102 (YYYYMMDD); UBL dates are ISO. */
export function xmlDate(v: string | null): string | null {
  if (!v) return null
  const s = v.trim()
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(s)
  if (!m) return null
  const d = `${m[1]}-${m[2]}-${m[3]}`
  return isCalendarDate(d) ? d : null
}

/**
 * Collects identifiers from (scheme, value) pairs. ISO 6523 ICD 0009 is a SIRET and 0002 a SIREN;
 * an unlabelled 14-digit value that passes the SIRET check is taken too, because many French writers
 * leave the scheme out.
 */
export function partyFrom(name: string | null, ids: Array<{ scheme: string | null; value: string | null }>, vat: string | null): PartyIdentifiers {
  let siret: string | null = null
  let siren: string | null = null
  for (const { scheme, value } of ids) {
    if (!value) continue
    const v = compactIdentifier(value)
    if ((scheme === '0009' || scheme === null || scheme === 'SIRET') && /^\d{14}$/.test(v) && isValidSiret(v)) siret ??= v
    else if ((scheme === '0002' || scheme === null || scheme === 'SIREN') && /^\d{9}$/.test(v) && isValidSiren(v)) siren ??= v
  }
  if (!siren && siret) siren = siret.slice(0, 9)
  return { name, siret, siren, vatNumber: vat ? compactIdentifier(vat) : null }
}

/** Fields an invoice must carry for Chorus Pro to accept it on the structured route. */
const REQUIRED_FOR_STRUCTURED: readonly FieldName[] = [
  'invoiceNumber',
  'invoiceType',
  'invoiceDate',
  'currency',
  'supplierSiret',
  'recipientSiret',
  'amountNet',
  'amountVat',
  'amountGross',
  'amountDue',
]

export function structuredRouteProblems(syntax: XmlSyntax, profile: FacturxProfile | null, fields: InvoiceFields): string[] {
  const problems: string[] = []
  // deposer/flux with IN_DP_E2_CII_FACTURX takes a Factur-X PDF: CII only. A UBL attachment is read, not routed.
  if (syntax !== 'CII') problems.push('not_facturx_cii')
  if (!isAtLeastEn16931(profile)) problems.push(`profile_below_en16931:${profile ?? 'unknown'}`)
  for (const f of REQUIRED_FOR_STRUCTURED) if (!fields[f]?.value) problems.push(`missing:${f}`)
  return problems
}

/** What a structuredRouteProblems code means, for the person deciding how the invoice goes to Chorus Pro. */
export function describeStructuredRouteProblem(code: string): Localized {
  const [kind, detail] = [code.split(':')[0], code.split(':').slice(1).join(':')]
  switch (kind) {
    case 'zugferd1_not_accepted':
      return {
        fr: "La facture intégrée est au format ZUGFeRD 1.0, que le flux Factur-X de Chorus Pro n'accepte pas (il attend Factur-X / ZUGFeRD 2.x au profil EN 16931 ou plus riche) : elle est lue pour préremplir le formulaire et sera déposée par la voie PDF.",
        en: "The embedded invoice is ZUGFeRD 1.0, which Chorus Pro's Factur-X flow does not accept (it expects Factur-X / ZUGFeRD 2.x, EN 16931 profile or richer): it is read to fill in the form and goes through the PDF route.",
      }
    case 'not_facturx_cii':
      return {
        fr: "Le XML intégré n'est pas une facture Factur-X (CII) : seule la voie PDF est possible.",
        en: 'The embedded XML is not a Factur-X (CII) invoice: only the PDF route is possible.',
      }
    case 'profile_below_en16931':
      return {
        fr: `Le profil Factur-X ${detail} est en dessous d'EN 16931, que le flux Chorus Pro exige : la voie PDF est utilisée.`,
        en: `The Factur-X profile ${detail} is below EN 16931, which Chorus Pro's flow requires: the PDF route is used.`,
      }
    case 'missing':
      return {
        fr: `Le XML intégré n'indique pas ${detail}, nécessaire au flux Chorus Pro : la voie PDF est utilisée.`,
        en: `The embedded XML lacks ${detail}, which Chorus Pro's flow needs: the PDF route is used.`,
      }
    case 'not_an_invoice_xml':
      return {
        fr: "Le XML joint au PDF n'est pas une facture (ni CII, ni UBL, ni ZUGFeRD 1.0) : la voie PDF est utilisée.",
        en: 'The XML attached to the PDF is not an invoice (neither CII, UBL nor ZUGFeRD 1.0): the PDF route is used.',
      }
    default:
      return { fr: `Voie structurée impossible (${code}) : la voie PDF est utilisée.`, en: `Structured route not possible (${code}): the PDF route is used.` }
  }
}

/** Keeps only present values, all with origin xml and full confidence: nothing was guessed. */
export function xmlFields(values: Partial<Record<FieldName, string | null>>): InvoiceFields {
  const out: InvoiceFields = {}
  for (const [k, v] of Object.entries(values)) if (v) (out as Record<string, unknown>)[k] = { value: v, origin: 'xml', confidence: 1 }
  return out
}
