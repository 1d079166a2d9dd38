import { zugferd1ProfileOf } from './facturx-profile'
import { billingFrameworkFromXml, billingFrameworkOf } from '../domain/billing-framework'
import { findAll, findFirst, textIn, type XmlElement } from './xml-elements'
import { invoiceTypeOfCode, partyFrom, xmlAmount, xmlDate, xmlFields, type PartyIdentifiers, type VatBreakdownLine, type XmlInvoice } from './xml-invoice'

/**
 * ZUGFeRD 1.0 namespaces. rsm is what identifies the document; ram and udt are those of the 1.0
 * schemas (CEFACT versions 12 and 15), but the reader takes them from the document itself, so a
 * writer that declared other versions is still read.
 */
export const ZUGFERD1_NS = {
  rsm: 'urn:ferd:CrossIndustryDocument:invoice:1p0',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15',
} as const

const rsm = (n: string) => [ZUGFERD1_NS.rsm, n] as const

/**
 * Reads a ZUGFeRD 1.0 CrossIndustryDocument (root already checked): where CII D16B has
 * ExchangedDocument, SupplyChainTradeTransaction and ApplicableHeaderTrade*, 1.0 has
 * HeaderExchangedDocument, SpecifiedSupplyChainTradeTransaction and ApplicableSupplyChainTrade*, its
 * totals are in SpecifiedTradeSettlementMonetarySummation and its VAT rates in ApplicablePercent.
 * Every field is read as for Factur-X; the structured route is never open to it (Chorus Pro's
 * Factur-X flow does not take ZUGFeRD 1.0).
 */
export function readZugferd1Invoice(root: XmlElement): XmlInvoice {
  const warnings: string[] = []
  const context = findFirst(root, [rsm('SpecifiedExchangedDocumentContext')])
  const doc = findFirst(root, [rsm('HeaderExchangedDocument')])
  const tx = findFirst(root, [rsm('SpecifiedSupplyChainTradeTransaction')])
  const ramNs = firstChildElement(doc)?.namespaceURI ?? firstChildElement(tx)?.namespaceURI ?? ZUGFERD1_NS.ram
  const ram = (n: string) => [ramNs, n] as const

  const guidelineId = textIn(context, [ram('GuidelineSpecifiedDocumentContextParameter'), ram('ID')])
  const profile = zugferd1ProfileOf(guidelineId)
  // BT-23 as in Factur-X: the business process, Chorus Pro's framework when it is one ("A1").
  const billingFramework = billingFrameworkFromXml(textIn(context, [ram('BusinessProcessSpecifiedDocumentContextParameter'), ram('ID')]))
  if (billingFramework && !billingFrameworkOf(billingFramework)) warnings.push(`xml_unknown_billing_framework:${billingFramework}`)
  const agreement = findFirst(tx, [ram('ApplicableSupplyChainTradeAgreement')])
  const settlement = findFirst(tx, [ram('ApplicableSupplyChainTradeSettlement')])
  const sums = findFirst(settlement, [ram('SpecifiedTradeSettlementMonetarySummation')])

  const typeCode = textIn(doc, [ram('TypeCode')])
  const invoiceType = invoiceTypeOfCode(typeCode)
  if (typeCode && !invoiceType) warnings.push(`xml_unknown_type_code:${typeCode}`)
  const currency = textIn(settlement, [ram('InvoiceCurrencyCode')])

  const taxTotals = findAll(sums, [ram('TaxTotalAmount')])
  const vatTotal = taxTotals.find((t) => !t.getAttribute('currencyID') || t.getAttribute('currencyID') === currency) ?? taxTotals[0]

  const party = (p: XmlElement | undefined): PartyIdentifiers => {
    const ids = [...findAll(p, [ram('SpecifiedLegalOrganization'), ram('ID')]), ...findAll(p, [ram('GlobalID')]), ...findAll(p, [ram('ID')])].map((e) => ({
      scheme: e.getAttribute('schemeID'),
      value: textIn(e),
    }))
    const vat = findAll(p, [ram('SpecifiedTaxRegistration'), ram('ID')]).find((e) => e.getAttribute('schemeID') === 'VA')
    return partyFrom(textIn(p, [ram('Name')]), ids, textIn(vat))
  }
  const seller = party(findFirst(agreement, [ram('SellerTradeParty')]))
  const buyer = party(findFirst(agreement, [ram('BuyerTradeParty')]))

  const vatBreakdown: VatBreakdownLine[] = findAll(settlement, [ram('ApplicableTradeTax')]).map((t) => ({
    category: textIn(t, [ram('CategoryCode')]),
    rate: textIn(t, [ram('ApplicablePercent')]) ?? textIn(t, [ram('RateApplicablePercent')]),
    basis: xmlAmount(textIn(t, [ram('BasisAmount')])),
    amount: xmlAmount(textIn(t, [ram('CalculatedAmount')])),
  }))

  const net = xmlAmount(textIn(sums, [ram('TaxBasisTotalAmount')]))
  const gross = xmlAmount(textIn(sums, [ram('GrandTotalAmount')]))
  const vat = xmlAmount(textIn(vatTotal)) ?? (net && gross && net === gross ? '0.00' : null)
  // The date: udt:DateTimeString (format 102) in whatever namespace the writer declared for udt.
  const issue = findFirst(doc, [ram('IssueDateTime')])
  const order = findFirst(agreement, [ram('BuyerOrderReferencedDocument')])
  const fields = xmlFields({
    invoiceNumber: textIn(doc, [ram('ID')]),
    invoiceType,
    billingFramework,
    invoiceDate: xmlDate(textIn(firstChildElement(issue)) ?? textIn(issue)),
    currency,
    supplierSiret: seller.siret,
    recipientSiret: buyer.siret,
    serviceCode: textIn(agreement, [ram('BuyerReference')]),
    // 1.0 names the order number ram:ID; D16B renamed it IssuerAssignedID.
    engagementNumber: textIn(order, [ram('ID')]) ?? textIn(order, [ram('IssuerAssignedID')]),
    amountNet: net,
    amountVat: vat,
    amountGross: gross,
    amountDue: xmlAmount(textIn(sums, [ram('DuePayableAmount')])),
  })
  return {
    syntax: 'ZUGFERD1',
    profile,
    guidelineId,
    fields,
    vatBreakdown,
    seller,
    buyer,
    typeCode,
    validForStructuredRoute: false,
    structuredRouteProblems: ['zugferd1_not_accepted'],
    warnings,
  }
}

function firstChildElement(el: XmlElement | undefined): XmlElement | undefined {
  if (!el) return undefined
  for (let i = 0; i < el.childNodes.length; i++) if (el.childNodes[i]!.nodeType === 1) return el.childNodes[i]
  return undefined
}
