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

export const CII_NS = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
} as const

const rsm = (n: string) => [CII_NS.rsm, n] as const
const ram = (n: string) => [CII_NS.ram, n] as const
const udt = (n: string) => [CII_NS.udt, n] as const

/** Reads a Factur-X / ZUGFeRD 2.x CrossIndustryInvoice (the root must already be checked). */
export function readCiiInvoice(root: XmlElement): XmlInvoice {
  const warnings: string[] = []
  const guidelineId = textIn(root, [rsm('ExchangedDocumentContext'), ram('GuidelineSpecifiedDocumentContextParameter'), ram('ID')])
  const profile = facturxProfileOf(guidelineId)
  // BT-23, the business process: Chorus Pro's framework ("A1", "A2"…) in its Factur-X profile.
  const businessProcess = textIn(root, [rsm('ExchangedDocumentContext'), ram('BusinessProcessSpecifiedDocumentContextParameter'), ram('ID')])
  const billingFramework = billingFrameworkFromXml(businessProcess)
  if (billingFramework && !billingFrameworkOf(billingFramework)) warnings.push(`xml_unknown_billing_framework:${billingFramework}`)
  const doc = findFirst(root, [rsm('ExchangedDocument')])
  const tx = findFirst(root, [rsm('SupplyChainTradeTransaction')])
  const agreement = findFirst(tx, [ram('ApplicableHeaderTradeAgreement')])
  const settlement = findFirst(tx, [ram('ApplicableHeaderTradeSettlement')])
  const sums = findFirst(settlement, [ram('SpecifiedTradeSettlementHeaderMonetarySummation')])

  const typeCode = textIn(doc, [ram('TypeCode')])
  const invoiceType = invoiceTypeOfCode(typeCode)
  if (typeCode && !invoiceType) warnings.push(`xml_unknown_type_code:${typeCode}`)
  const currency = textIn(settlement, [ram('InvoiceCurrencyCode')])

  // BT-110: the VAT total in the invoice currency; a second TaxTotalAmount may carry the accounting currency.
  const taxTotals = findAll(sums, [ram('TaxTotalAmount')])
  const vatTotal = taxTotals.find((t) => !t.getAttribute('currencyID') || t.getAttribute('currencyID') === currency) ?? taxTotals[0]

  const seller = party(findFirst(agreement, [ram('SellerTradeParty')]))
  const buyer = party(findFirst(agreement, [ram('BuyerTradeParty')]))

  const vatBreakdown: VatBreakdownLine[] = findAll(settlement, [ram('ApplicableTradeTax')]).map((t) => ({
    category: textIn(t, [ram('CategoryCode')]),
    rate: textIn(t, [ram('RateApplicablePercent')]),
    basis: xmlAmount(textIn(t, [ram('BasisAmount')])),
    amount: xmlAmount(textIn(t, [ram('CalculatedAmount')])),
  }))

  const net = xmlAmount(textIn(sums, [ram('TaxBasisTotalAmount')]))
  const gross = xmlAmount(textIn(sums, [ram('GrandTotalAmount')]))
  // BT-110 may be left out when no VAT is due; only then is it zero.
  const vat = xmlAmount(textIn(vatTotal)) ?? (net && gross && net === gross ? '0.00' : null)
  const fields = xmlFields({
    invoiceNumber: textIn(doc, [ram('ID')]),
    invoiceType,
    billingFramework,
    invoiceDate: xmlDate(textIn(doc, [ram('IssueDateTime'), udt('DateTimeString')])),
    currency,
    supplierSiret: seller.siret,
    recipientSiret: buyer.siret,
    serviceCode: textIn(agreement, [ram('BuyerReference')]),
    engagementNumber: textIn(agreement, [ram('BuyerOrderReferencedDocument'), ram('IssuerAssignedID')]),
    amountNet: net,
    amountVat: vat,
    amountGross: gross,
    amountDue: xmlAmount(textIn(sums, [ram('DuePayableAmount')])),
  })
  const problems = structuredRouteProblems('CII', profile, fields)
  return {
    syntax: 'CII',
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
    ...findAll(p, [ram('SpecifiedLegalOrganization'), ram('ID')]),
    ...findAll(p, [ram('GlobalID')]),
    ...findAll(p, [ram('ID')]),
  ].map((e) => ({ scheme: e.getAttribute('schemeID'), value: textIn(e) }))
  const vat = findAll(p, [ram('SpecifiedTaxRegistration'), ram('ID')]).find((e) => e.getAttribute('schemeID') === 'VA')
  return partyFrom(textIn(p, [ram('Name')]), ids, textIn(vat))
}
