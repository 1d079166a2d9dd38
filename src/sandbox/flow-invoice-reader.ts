import { normalizeAmount, type Amount } from '../domain/amount'

/** The fields a flow carries that the sandbox checks, read from CII (Factur-X) or UBL XML. */
export interface FlowInvoice {
  readonly numeroFacture?: string
  readonly dateFacture?: string
  readonly typeFacture: 'FACTURE' | 'AVOIR'
  readonly supplierSiret?: string
  readonly recipientSiret?: string
  readonly codeServiceExecutant?: string
  readonly numeroBonCommande?: string
  readonly montantHtTotal?: Amount
  readonly montantTVA?: Amount
  readonly montantTtcTotal?: Amount
  readonly montantAPayer?: Amount
  /** BT-23 when it names a Chorus Pro framework (A and a number: "A2"); other process ids are not read. */
  readonly cadreDeFacturation?: string
}

/** The XML paths Chorus names in libelleErreurDP when a flow lacks the service or the EJ (reference §4, OCA #414/#612). */
export const FLOW_PATHS = {
  service: 'FichierXml.SupplyChainTradeTransaction.ApplicableHeaderTradeAgreement.BuyerReference.value',
  engagement: 'FichierXml.SupplyChainTradeTransaction.ApplicableHeaderTradeAgreement.BuyerOrderReferencedDocument.IssuerAssignedID.value',
} as const

/** Text of the first element with this local name (any prefix), inside `scope` when given. */
function first(xml: string, localName: string): string | undefined {
  const m = new RegExp(String.raw`<(?:[\w-]+:)?${localName}(?:\s[^>]*)?>([^<]*)</(?:[\w-]+:)?${localName}>`).exec(xml)
  return m ? decode(m[1]!.trim()) : undefined
}

function block(xml: string, localName: string): string | undefined {
  const m = new RegExp(String.raw`<(?:[\w-]+:)?${localName}(?:\s[^>]*)?>([\s\S]*?)</(?:[\w-]+:)?${localName}>`).exec(xml)
  return m?.[1]
}

function decode(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')
}

function amount(v: string | undefined): Amount | undefined {
  if (!v) return undefined
  try {
    return normalizeAmount(v)
  } catch {
    return undefined
  }
}

function siretIn(party: string | undefined): string | undefined {
  if (!party) return undefined
  // SIRET as a legal-organisation or global id with scheme 0002 (or 1 in E1 CII16B/UBL, reference §6).
  const m = /<(?:[\w-]+:)?(?:ID|GlobalID|CompanyID)\s+schemeID="(?:0002|1)"[^>]*>\s*(\d{14})\s*</.exec(party)
  return m?.[1] ?? /(?<!\d)(\d{14})(?!\d)/.exec(party)?.[1]
}

function isoDate(v: string | undefined): string | undefined {
  if (!v) return undefined
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(v.trim())
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined
}

function framework(v: string | undefined): string | undefined {
  return v && /^A\d{1,2}(_[A-Z_]+)?$/i.test(v) ? v : undefined
}

/** Null when the XML is neither CII nor UBL (the flow is then IRRECEVABLE). */
export function readFlowInvoice(xml: string): FlowInvoice | null {
  if (/CrossIndustryInvoice/.test(xml)) {
    const doc = block(xml, 'ExchangedDocument') ?? ''
    const agreement = block(xml, 'ApplicableHeaderTradeAgreement') ?? ''
    const summation = block(xml, 'SpecifiedTradeSettlementHeaderMonetarySummation') ?? ''
    const typeCode = first(doc, 'TypeCode')
    return {
      numeroFacture: first(doc, 'ID'),
      dateFacture: isoDate(first(doc, 'DateTimeString')),
      typeFacture: typeCode === '381' ? 'AVOIR' : 'FACTURE',
      supplierSiret: siretIn(block(agreement, 'SellerTradeParty')),
      recipientSiret: siretIn(block(agreement, 'BuyerTradeParty')),
      codeServiceExecutant: first(agreement, 'BuyerReference'),
      numeroBonCommande: first(block(agreement, 'BuyerOrderReferencedDocument') ?? '', 'IssuerAssignedID'),
      montantHtTotal: amount(first(summation, 'TaxBasisTotalAmount')),
      montantTVA: amount(first(summation, 'TaxTotalAmount')),
      montantTtcTotal: amount(first(summation, 'GrandTotalAmount')),
      montantAPayer: amount(first(summation, 'DuePayableAmount')),
      cadreDeFacturation: framework(first(block(xml, 'BusinessProcessSpecifiedDocumentContextParameter') ?? '', 'ID')),
    }
  }
  if (/<(?:[\w-]+:)?(Invoice|CreditNote)[\s>]/.test(xml)) {
    const total = block(xml, 'LegalMonetaryTotal') ?? ''
    const tax = block(xml, 'TaxTotal') ?? ''
    return {
      numeroFacture: first(xml, 'ID'),
      dateFacture: isoDate(first(xml, 'IssueDate')),
      typeFacture: /<(?:[\w-]+:)?CreditNote[\s>]/.test(xml) ? 'AVOIR' : 'FACTURE',
      supplierSiret: siretIn(block(xml, 'AccountingSupplierParty')),
      recipientSiret: siretIn(block(xml, 'AccountingCustomerParty')),
      codeServiceExecutant: first(block(xml, 'AccountingCustomerParty') ?? '', 'ID') === undefined ? undefined : first(xml, 'BuyerReference'),
      numeroBonCommande: first(block(xml, 'OrderReference') ?? '', 'ID'),
      montantHtTotal: amount(first(total, 'TaxExclusiveAmount')),
      montantTVA: amount(first(tax, 'TaxAmount')),
      montantTtcTotal: amount(first(total, 'TaxInclusiveAmount')),
      montantAPayer: amount(first(total, 'PayableAmount')),
      cadreDeFacturation: framework(first(xml, 'ProfileID')),
    }
  }
  return null
}
