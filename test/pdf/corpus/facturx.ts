import { AFRelationship, PDFDocument, PDFName, PDFString, PDFHexString, type PDFRef } from 'pdf-lib'
import { create } from 'xmlbuilder2'
import type { InvoiceSpec } from './invoice-spec'

export type CiiProfile = 'MINIMUM' | 'BASIC WL' | 'BASIC' | 'EN16931' | 'EXTENDED'
export const GUIDELINE_IDS: Record<CiiProfile, string> = {
  MINIMUM: 'urn:factur-x.eu:1p0:minimum',
  'BASIC WL': 'urn:factur-x.eu:1p0:basicwl',
  BASIC: 'urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic',
  EN16931: 'urn:cen.eu:en16931:2017',
  EXTENDED: 'urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended',
}

/**
 * A Factur-X CII document for the spec. Prefixes are chosen by the caller, so a test can prove the
 * reader ignores them (the namespaces are what count).
 */
export function ciiXml(s: InvoiceSpec, profile: CiiProfile, prefixes = { rsm: 'rsm', ram: 'ram', udt: 'udt' }): string {
  const { rsm, ram, udt } = prefixes
  const R = (n: string) => `${ram}:${n}`
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele(`${rsm}:CrossIndustryInvoice`, {
    [`xmlns:${rsm}`]: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
    [`xmlns:${ram}`]: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
    [`xmlns:${udt}`]: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
  })
  doc.ele(`${rsm}:ExchangedDocumentContext`).ele(R('GuidelineSpecifiedDocumentContextParameter')).ele(R('ID')).txt(GUIDELINE_IDS[profile])
  const ed = doc.ele(`${rsm}:ExchangedDocument`)
  ed.ele(R('ID')).txt(s.number)
  ed.ele(R('TypeCode')).txt(s.type === 'AVOIR' ? '381' : '380')
  ed.ele(R('IssueDateTime')).ele(`${udt}:DateTimeString`, { format: '102' }).txt(s.date.replace(/-/g, ''))
  const tx = doc.ele(`${rsm}:SupplyChainTradeTransaction`)
  if (profile !== 'MINIMUM' && profile !== 'BASIC WL') {
    s.lines.forEach((l, i) => {
      const li = tx.ele(R('IncludedSupplyChainTradeLineItem'))
      li.ele(R('AssociatedDocumentLineDocument')).ele(R('LineID')).txt(String(i + 1))
      li.ele(R('SpecifiedTradeProduct')).ele(R('Name')).txt(l.label)
      li.ele(R('SpecifiedLineTradeAgreement')).ele(R('NetPriceProductTradePrice')).ele(R('ChargeAmount')).txt(l.unit)
      li.ele(R('SpecifiedLineTradeDelivery')).ele(R('BilledQuantity'), { unitCode: 'C62' }).txt(String(l.qty))
      const ls = li.ele(R('SpecifiedLineTradeSettlement'))
      const lt = ls.ele(R('ApplicableTradeTax'))
      lt.ele(R('TypeCode')).txt('VAT')
      lt.ele(R('CategoryCode')).txt('S')
      lt.ele(R('RateApplicablePercent')).txt(s.vatRate)
      ls.ele(R('SpecifiedTradeSettlementLineMonetarySummation')).ele(R('LineTotalAmount')).txt(l.net)
    })
  }
  const ag = tx.ele(R('ApplicableHeaderTradeAgreement'))
  if (s.serviceCode) ag.ele(R('BuyerReference')).txt(s.serviceCode)
  const seller = ag.ele(R('SellerTradeParty'))
  seller.ele(R('Name')).txt(s.supplier.name)
  seller.ele(R('SpecifiedLegalOrganization')).ele(R('ID'), { schemeID: '0009' }).txt(s.supplier.siret)
  seller.ele(R('PostalTradeAddress')).ele(R('CountryID')).txt('FR')
  seller.ele(R('SpecifiedTaxRegistration')).ele(R('ID'), { schemeID: 'VA' }).txt(`FR00${s.supplier.siret.slice(0, 9)}`)
  const buyer = ag.ele(R('BuyerTradeParty'))
  buyer.ele(R('Name')).txt(s.recipient.name)
  buyer.ele(R('SpecifiedLegalOrganization')).ele(R('ID'), { schemeID: '0009' }).txt(s.recipient.siret)
  if (s.engagement) ag.ele(R('BuyerOrderReferencedDocument')).ele(R('IssuerAssignedID')).txt(s.engagement)
  tx.ele(R('ApplicableHeaderTradeDelivery'))
  const st = tx.ele(R('ApplicableHeaderTradeSettlement'))
  st.ele(R('InvoiceCurrencyCode')).txt('EUR')
  if (profile !== 'MINIMUM') {
    const tax = st.ele(R('ApplicableTradeTax'))
    tax.ele(R('CalculatedAmount')).txt(s.vat)
    tax.ele(R('TypeCode')).txt('VAT')
    tax.ele(R('BasisAmount')).txt(s.net)
    tax.ele(R('CategoryCode')).txt('S')
    tax.ele(R('RateApplicablePercent')).txt(s.vatRate)
  }
  const sum = st.ele(R('SpecifiedTradeSettlementHeaderMonetarySummation'))
  if (profile !== 'MINIMUM') sum.ele(R('LineTotalAmount')).txt(s.net)
  sum.ele(R('TaxBasisTotalAmount')).txt(s.net)
  sum.ele(R('TaxTotalAmount'), { currencyID: 'EUR' }).txt(s.vat)
  sum.ele(R('GrandTotalAmount')).txt(s.gross)
  if (s.prepaid) sum.ele(R('TotalPrepaidAmount')).txt(s.prepaid)
  sum.ele(R('DuePayableAmount')).txt(s.due)
  return doc.end({ prettyPrint: true })
}

/** A UBL 2.1 invoice (default namespace for the root, cac/cbc prefixes renamed to prove prefix-independence). */
export function ublXml(s: InvoiceSpec): string {
  const A = (n: string) => `a:${n}`
  const B = (n: string) => `b:${n}`
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('urn:oasis:names:specification:ubl:schema:xsd:Invoice-2', 'Invoice', {
    'xmlns:a': 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
    'xmlns:b': 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  })
  root.ele(B('CustomizationID')).txt('urn:cen.eu:en16931:2017')
  root.ele(B('ID')).txt(s.number)
  root.ele(B('IssueDate')).txt(s.date)
  root.ele(B('InvoiceTypeCode')).txt('380')
  root.ele(B('DocumentCurrencyCode')).txt('EUR')
  if (s.serviceCode) root.ele(B('BuyerReference')).txt(s.serviceCode)
  if (s.engagement) root.ele(A('OrderReference')).ele(B('ID')).txt(s.engagement)
  const party = (tag: string, p: InvoiceSpec['supplier']) => {
    const pe = root.ele(A(tag)).ele(A('Party'))
    pe.ele(B('EndpointID'), { schemeID: '0009' }).txt(p.siret)
    pe.ele(A('PartyName')).ele(B('Name')).txt(p.name)
    const le = pe.ele(A('PartyLegalEntity'))
    le.ele(B('RegistrationName')).txt(p.name)
    le.ele(B('CompanyID'), { schemeID: '0009' }).txt(p.siret)
  }
  party('AccountingSupplierParty', s.supplier)
  party('AccountingCustomerParty', s.recipient)
  const tt = root.ele(A('TaxTotal'))
  tt.ele(B('TaxAmount'), { currencyID: 'EUR' }).txt(s.vat)
  const sub = tt.ele(A('TaxSubtotal'))
  sub.ele(B('TaxableAmount'), { currencyID: 'EUR' }).txt(s.net)
  sub.ele(B('TaxAmount'), { currencyID: 'EUR' }).txt(s.vat)
  const cat = sub.ele(A('TaxCategory'))
  cat.ele(B('ID')).txt('S')
  cat.ele(B('Percent')).txt(s.vatRate)
  cat.ele(A('TaxScheme')).ele(B('ID')).txt('VAT')
  const lm = root.ele(A('LegalMonetaryTotal'))
  lm.ele(B('LineExtensionAmount'), { currencyID: 'EUR' }).txt(s.net)
  lm.ele(B('TaxExclusiveAmount'), { currencyID: 'EUR' }).txt(s.net)
  lm.ele(B('TaxInclusiveAmount'), { currencyID: 'EUR' }).txt(s.gross)
  lm.ele(B('PayableAmount'), { currencyID: 'EUR' }).txt(s.due)
  return root.end({ prettyPrint: true })
}

export type AttachMode = 'names' | 'kids' | 'af' | 'names_and_af'

/**
 * Embeds the XML the way different writers do: pdf-lib's attach() (name tree + /AF, as Factur-X
 * asks), a name tree whose entries sit only under /Kids, or only an /AF entry on the catalog.
 */
export async function attachXml(doc: PDFDocument, xml: string, filename: string, mode: AttachMode): Promise<void> {
  const bytes = new TextEncoder().encode(xml)
  if (mode === 'names_and_af' || mode === 'names') {
    await doc.attach(bytes, filename, { mimeType: 'text/xml', description: 'Factur-X', afRelationship: AFRelationship.Data })
    if (mode === 'names') {
      // Keep only the name tree: drop the catalog /AF pdf-lib adds.
      await doc.save() // attach() is lazy; saving once materialises it
      doc.catalog.delete(PDFName.of('AF'))
    }
    return
  }
  const ctx = doc.context
  const stream = ctx.flateStream(bytes, { Type: 'EmbeddedFile', Subtype: 'text/xml', Params: { Size: bytes.length } })
  const streamRef = ctx.register(stream)
  const spec = ctx.obj({
    Type: 'Filespec',
    F: PDFString.of(filename),
    UF: PDFHexString.fromText(filename),
    EF: { F: streamRef, UF: streamRef },
    AFRelationship: 'Data',
    Desc: PDFString.of('Factur-X'),
  })
  const specRef: PDFRef = ctx.register(spec)
  if (mode === 'af') {
    doc.catalog.set(PDFName.of('AF'), ctx.obj([specRef]))
    return
  }
  // /Kids: root -> intermediate -> leaf, the entry only in the leaf (with /Limits as the spec requires).
  const otherXml = ctx.register(ctx.flateStream(new TextEncoder().encode('<note>not an invoice</note>'), { Type: 'EmbeddedFile' }))
  const otherSpec = ctx.register(ctx.obj({ Type: 'Filespec', F: PDFString.of('aaa-readme.xml'), EF: { F: otherXml } }))
  const leaf1 = ctx.register(ctx.obj({ Limits: [PDFString.of('aaa-readme.xml'), PDFString.of('aaa-readme.xml')], Names: [PDFString.of('aaa-readme.xml'), otherSpec] }))
  const leaf2 = ctx.register(ctx.obj({ Limits: [PDFString.of(filename), PDFString.of(filename)], Names: [PDFString.of(filename), specRef] }))
  const mid = ctx.register(ctx.obj({ Kids: [leaf2], Limits: [PDFString.of(filename), PDFString.of(filename)] }))
  const root = ctx.register(ctx.obj({ Kids: [leaf1, mid] }))
  doc.catalog.set(PDFName.of('Names'), ctx.obj({ EmbeddedFiles: root }))
}
