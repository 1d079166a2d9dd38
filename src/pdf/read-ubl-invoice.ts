import { facturxProfileOf } from './facturx-profile'
import { billingFrameworkFromXml, billingFrameworkOf } from '../domain/billing-framework'
import { findAll, findFirst, textIn, type XmlElement } from './xml-elements'
import {
  invoiceTypeOfCode,
  partyFrom,
  structuredRouteProblems,
  xmlAmount,
  xmlDate,
  xmlFields,
  type PartyIdentifiers,
  type VatBreakdownLine,
  type XmlInvoice,
} from './xml-invoice'

export const UBL_NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
} as const

const cac = (n: string) => [UBL_NS.cac, n] as const
const cbc = (n: string) => [UBL_NS.cbc, n] as const

/** Reads a UBL 2.1 Invoice or CreditNote (EN16931 syntax binding). */
export function readUblInvoice(root: XmlElement): XmlInvoice {
  const warnings: string[] = []
  const isCreditNote = root.localName === 'CreditNote'
  const guidelineId = textIn(root, [cbc('CustomizationID')])
  const profile = facturxProfileOf(guidelineId)
  // BT-23 (cbc:ProfileID): Chorus Pro's framework when it is one ("A1"); a Peppol process URN says nothing of it.
  const billingFramework = billingFrameworkFromXml(textIn(root, [cbc('ProfileID')]))
  if (billingFramework && !billingFrameworkOf(billingFramework)) warnings.push(`xml_unknown_billing_framework:${billingFramework}`)
  const typeCode = textIn(root, [cbc(isCreditNote ? 'CreditNoteTypeCode' : 'InvoiceTypeCode')]) ?? (isCreditNote ? '381' : '380')
  const invoiceType = invoiceTypeOfCode(typeCode)
  if (!invoiceType) warnings.push(`xml_unknown_type_code:${typeCode}`)
  const currency = textIn(root, [cbc('DocumentCurrencyCode')])
  const totals = findFirst(root, [cac('LegalMonetaryTotal')])
  const taxTotals = findAll(root, [cac('TaxTotal')])
  const mainTax = taxTotals.find((t) => findAll(t, [cac('TaxSubtotal')]).length > 0) ?? taxTotals[0]
  const seller = party(findFirst(root, [cac('AccountingSupplierParty'), cac('Party')]))
  const buyer = party(findFirst(root, [cac('AccountingCustomerParty'), cac('Party')]))
  const vatBreakdown: VatBreakdownLine[] = findAll(mainTax, [cac('TaxSubtotal')]).map((s) => ({
    category: textIn(s, [cac('TaxCategory'), cbc('ID')]),
    rate: textIn(s, [cac('TaxCategory'), cbc('Percent')]),
    basis: xmlAmount(textIn(s, [cbc('TaxableAmount')])),
    amount: xmlAmount(textIn(s, [cbc('TaxAmount')])),
  }))
  const fields = xmlFields({
    invoiceNumber: textIn(root, [cbc('ID')]),
    invoiceType,
    billingFramework,
    invoiceDate: xmlDate(textIn(root, [cbc('IssueDate')])),
    currency,
    supplierSiret: seller.siret,
    recipientSiret: buyer.siret,
    serviceCode: textIn(root, [cbc('BuyerReference')]),
    engagementNumber: textIn(root, [cac('OrderReference'), cbc('ID')]),
    amountNet: xmlAmount(textIn(totals, [cbc('TaxExclusiveAmount')])),
    amountVat: xmlAmount(textIn(mainTax, [cbc('TaxAmount')])),
    amountGross: xmlAmount(textIn(totals, [cbc('TaxInclusiveAmount')])),
    amountDue: xmlAmount(textIn(totals, [cbc('PayableAmount')])),
  })
  const problems = structuredRouteProblems('UBL', profile, fields)
  return {
    syntax: 'UBL',
    profile,
    guidelineId,
    fields,
    vatBreakdown,
    seller,
    buyer,
    typeCode,
    validForStructuredRoute: problems.length === 0,
    structuredRouteProblems: problems,
    warnings,
  }
}

function party(p: XmlElement | undefined): PartyIdentifiers {
  const ids = [
    ...findAll(p, [cac('PartyLegalEntity'), cbc('CompanyID')]),
    ...findAll(p, [cac('PartyIdentification'), cbc('ID')]),
    ...findAll(p, [cbc('EndpointID')]),
  ].map((e) => ({ scheme: e.getAttribute('schemeID'), value: textIn(e) }))
  const vat = findAll(p, [cac('PartyTaxScheme')]).find((t) => textIn(t, [cac('TaxScheme'), cbc('ID')]) === 'VAT')
  return partyFrom(
    textIn(p, [cac('PartyLegalEntity'), cbc('RegistrationName')]) ?? textIn(p, [cac('PartyName'), cbc('Name')]),
    ids,
    textIn(vat, [cbc('CompanyID')]),
  )
}
