/**
 * ZUGFeRD 1.0 test invoices, shaped like the 2014 specification's samples (and the files writers
 * made from them): a CrossIndustryDocument with SpecifiedExchangedDocumentContext,
 * HeaderExchangedDocument and SpecifiedSupplyChainTradeTransaction, CEFACT namespaces ram:12 and
 * udt:15, dates as udt:DateTimeString format 102, totals in SpecifiedTradeSettlementMonetarySummation,
 * embedded as `ZUGFeRD-invoice.xml` in a PDF. Profiles BASIC, COMFORT and EXTENDED.
 */
import { AFRelationship, PDFDocument, PDFHexString, PDFName, PDFString, StandardFonts } from 'pdf-lib'
import { create } from 'xmlbuilder2'
import { withLuhnDigit } from '../../../src/domain/siret'
import { prng } from './invoice-spec'

export type Zf1Profile = 'BASIC' | 'COMFORT' | 'EXTENDED'
export const ZF1_GUIDELINE: Record<Zf1Profile, string> = {
  BASIC: 'urn:ferd:CrossIndustryDocument:invoice:1p0:basic',
  COMFORT: 'urn:ferd:CrossIndustryDocument:invoice:1p0:comfort',
  EXTENDED: 'urn:ferd:CrossIndustryDocument:invoice:1p0:extended',
}
export const ZF1_NS = {
  rsm: 'urn:ferd:CrossIndustryDocument:invoice:1p0',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15',
}

export interface Zf1Party {
  readonly name: string
  /** ram:GlobalID with its scheme (0088 GLN, 0009 SIRET). */
  readonly globalId?: { readonly scheme: string; readonly value: string }
  /** ram:ID (the buyer's customer number, or a SIRET written without scheme). */
  readonly id?: string
  readonly taxNumber?: string
  readonly vat?: string
  readonly address: readonly [postcode: string, line: string, city: string, country: string]
}

export interface Zf1Line {
  readonly name: string
  readonly qty: number
  /** Cents. */
  readonly unit: number
  readonly rate: number
}

export interface Zf1Invoice {
  readonly number: string
  /** YYYY-MM-DD. */
  readonly date: string
  readonly typeCode: '380' | '381'
  readonly currency: 'EUR'
  readonly seller: Zf1Party
  readonly buyer: Zf1Party
  readonly lines: readonly Zf1Line[]
  readonly buyerReference?: string
  readonly orderId?: string
  readonly prepaid?: number
  readonly notes: readonly string[]
  readonly dueDate: string
}

/** Cents per VAT rate and the totals, rounded per rate as German writers do. */
export function totals(inv: Zf1Invoice) {
  const byRate = new Map<number, number>()
  for (const l of inv.lines) byRate.set(l.rate, (byRate.get(l.rate) ?? 0) + l.qty * l.unit)
  const taxes = [...byRate].map(([rate, basis]) => ({ rate, basis, amount: Math.round((basis * rate) / 100) }))
  const net = taxes.reduce((n, t) => n + t.basis, 0)
  const vat = taxes.reduce((n, t) => n + t.amount, 0)
  const gross = net + vat
  return { taxes, net, vat, gross, due: gross - (inv.prepaid ?? 0) }
}

export const cents = (c: number, decimals = 2) => (c / 100).toFixed(decimals)

/** The specification's COMFORT sample: invoice 471102 of 5 March 2013, 529.87 EUR. */
export function sample471102(): Zf1Invoice {
  return {
    number: '471102',
    date: '2013-03-05',
    typeCode: '380',
    currency: 'EUR',
    seller: {
      name: 'Lieferant GmbH',
      globalId: { scheme: '0088', value: '4000001123452' },
      taxNumber: '201/113/40209',
      vat: 'DE123456789',
      address: ['80333', 'Lieferantenstraße 20', 'München', 'DE'],
    },
    buyer: { name: 'Kunden AG Mitte', id: 'GE2020211', address: ['69876', 'Kundenstraße 15', 'Frankfurt', 'DE'] },
    lines: [
      { name: 'Trennblätter A4', qty: 20, unit: 990, rate: 19 },
      { name: 'Joghurt Banane', qty: 50, unit: 550, rate: 7 },
    ],
    notes: ['Rechnung gemäß Bestellung vom 01.03.2013.', 'Lieferant GmbH\nLieferantenstraße 20\n80333 München\nDeutschland\nGeschäftsführer: Hans Muster\nHandelsregisternummer: H A 123'],
    dueDate: '2013-04-04',
  }
}

const CITIES: ReadonlyArray<readonly [string, string, string]> = [
  ['10115', 'Invalidenstraße 44', 'Berlin'],
  ['50667', 'Hohe Straße 12', 'Köln'],
  ['20095', 'Mönckebergstraße 7', 'Hamburg'],
  ['70173', 'Königstraße 28', 'Stuttgart'],
]
const ITEMS = ['Trennblätter A4', 'Joghurt Banane', 'Kopierpapier 80 g', 'Wartung Drucker (Std.)', 'Büroklammern 100 St.', 'Lieferung frei Haus', 'Toner schwarz']

/** A German-style invoice with computed totals; every few seeds a French public buyer identified by SIRET. */
export function randomZf1Invoice(seed: number): Zf1Invoice {
  const r = prng(seed * 7919 + 3)
  const year = r.int(2014, 2019)
  const date = `${year}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`
  const french = seed % 3 === 0
  const [pc, street, city] = r.pick(CITIES)
  const lines = Array.from({ length: r.int(1, 6) }, () => ({ name: r.pick(ITEMS), qty: r.int(1, 120), unit: r.int(15, 250_000), rate: r.pick([7, 19]) }))
  const sellerSiret = withLuhnDigit(String(r.int(1, 9)) + r.digits(12))
  const buyerSiret = withLuhnDigit('1' + r.digits(12))
  return {
    number: r.pick([`${r.int(100000, 999999)}`, `RE-${year}/${r.int(1, 9999)}`, `${year}-${r.digits(5)}`]),
    date,
    typeCode: r.int(0, 9) === 0 ? '381' : '380',
    currency: 'EUR',
    seller: french
      ? { name: 'Müller & Fils SARL', globalId: { scheme: '0009', value: sellerSiret }, vat: `FR00${sellerSiret.slice(0, 9)}`, address: ['67000', '3 rue du Dôme', 'Strasbourg', 'FR'] }
      : { name: r.pick(['Lieferant GmbH', 'Schreibwaren Kühn KG', 'Großhandel Weiß AG']), globalId: { scheme: '0088', value: `40${r.digits(11)}` }, taxNumber: `${r.int(100, 299)}/${r.int(100, 999)}/${r.digits(5)}`, vat: `DE${r.digits(9)}`, address: [pc, street, city, 'DE'] },
    buyer: french
      ? { name: 'Communauté de communes du Ried', id: buyerSiret, address: ['67600', '1 place de la Mairie', 'Sélestat', 'FR'] }
      : { name: r.pick(['Kunden AG Mitte', 'Stadtwerke Süd GmbH', 'Müller Bau e.K.']), id: `GE${r.digits(7)}`, address: ['69876', 'Kundenstraße 15', 'Frankfurt', 'DE'] },
    lines,
    ...(r.int(0, 1) ? { buyerReference: `BR-${r.digits(4)}` } : {}),
    ...(r.int(0, 1) ? { orderId: `B-${r.digits(6)}` } : {}),
    ...(r.int(0, 4) === 0 ? { prepaid: 5000 } : {}),
    notes: ['Vielen Dank für Ihren Auftrag.'],
    dueDate: `${year + 1}-01-15`,
  }
}

export interface Zf1Style {
  /** Element prefixes; `null` for rsm puts the root namespace as the default one. */
  readonly prefixes?: { readonly rsm: string | null; readonly ram: string; readonly udt: string }
  /** Values written on their own lines inside the element (as some Java writers did). */
  readonly padded?: boolean
  /** Decimals of amounts (2 in most files, 4 in some). */
  readonly decimals?: 2 | 4
  readonly encoding?: 'UTF-8' | 'ISO-8859-1'
}

/** The XML bytes, in the declared encoding. */
export function zugferd1Xml(inv: Zf1Invoice, profile: Zf1Profile, style: Zf1Style = {}): Uint8Array {
  const p = style.prefixes ?? { rsm: 'rsm', ram: 'ram', udt: 'udt' }
  const enc = style.encoding ?? 'UTF-8'
  const dec = style.decimals ?? 2
  const t = totals(inv)
  const R = (n: string) => `${p.ram}:${n}`
  const rootName = p.rsm ? `${p.rsm}:CrossIndustryDocument` : 'CrossIndustryDocument'
  const v = (s: string) => (style.padded ? `\n          ${s}\n        ` : s)
  const amount = (c: number) => v(cents(c, dec))
  const doc = create({ version: '1.0', encoding: enc }).ele(ZF1_NS.rsm, rootName, {
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    [`xmlns:${p.ram}`]: ZF1_NS.ram,
    [`xmlns:${p.udt}`]: ZF1_NS.udt,
  })
  const rsm = (n: string) => (p.rsm ? doc.ele(ZF1_NS.rsm, `${p.rsm}:${n}`) : doc.ele(ZF1_NS.rsm, n))
  const ctx = rsm('SpecifiedExchangedDocumentContext')
  if (profile !== 'BASIC') ctx.ele(R('TestIndicator')).ele(`${p.udt}:Indicator`).txt('false')
  ctx.ele(R('GuidelineSpecifiedDocumentContextParameter')).ele(R('ID')).txt(v(ZF1_GUIDELINE[profile]))
  const header = rsm('HeaderExchangedDocument')
  header.ele(R('ID')).txt(v(inv.number))
  header.ele(R('Name')).txt(inv.typeCode === '381' ? 'GUTSCHRIFT' : 'RECHNUNG')
  header.ele(R('TypeCode')).txt(inv.typeCode)
  header.ele(R('IssueDateTime')).ele(`${p.udt}:DateTimeString`, { format: '102' }).txt(v(inv.date.replace(/-/g, '')))
  for (const n of inv.notes) {
    const note = header.ele(R('IncludedNote'))
    note.ele(R('Content')).txt(n)
    if (n.includes('Geschäftsführer')) note.ele(R('SubjectCode')).txt('REG')
  }
  const tx = rsm('SpecifiedSupplyChainTradeTransaction')
  const agreement = tx.ele(R('ApplicableSupplyChainTradeAgreement'))
  if (inv.buyerReference && profile !== 'BASIC') agreement.ele(R('BuyerReference')).txt(inv.buyerReference)
  const party = (tag: string, pt: Zf1Party) => {
    const e = agreement.ele(R(tag))
    if (pt.id && profile !== 'BASIC') e.ele(R('ID')).txt(v(pt.id))
    if (pt.globalId && profile !== 'BASIC') e.ele(R('GlobalID'), { schemeID: pt.globalId.scheme }).txt(v(pt.globalId.value))
    e.ele(R('Name')).txt(pt.name)
    const a = e.ele(R('PostalTradeAddress'))
    a.ele(R('PostcodeCode')).txt(pt.address[0])
    a.ele(R('LineOne')).txt(pt.address[1])
    a.ele(R('CityName')).txt(pt.address[2])
    a.ele(R('CountryID')).txt(pt.address[3])
    if (pt.taxNumber) e.ele(R('SpecifiedTaxRegistration')).ele(R('ID'), { schemeID: 'FC' }).txt(pt.taxNumber)
    if (pt.vat) e.ele(R('SpecifiedTaxRegistration')).ele(R('ID'), { schemeID: 'VA' }).txt(v(pt.vat))
  }
  party('SellerTradeParty', inv.seller)
  party('BuyerTradeParty', inv.buyer)
  if (inv.orderId && profile !== 'BASIC') agreement.ele(R('BuyerOrderReferencedDocument')).ele(R('ID')).txt(inv.orderId)
  tx.ele(R('ApplicableSupplyChainTradeDelivery')).ele(R('ActualDeliverySupplyChainEvent')).ele(R('OccurrenceDateTime')).ele(`${p.udt}:DateTimeString`, { format: '102' }).txt(inv.date.replace(/-/g, ''))
  const st = tx.ele(R('ApplicableSupplyChainTradeSettlement'))
  st.ele(R('PaymentReference')).txt(inv.number)
  st.ele(R('InvoiceCurrencyCode')).txt(inv.currency)
  const means = st.ele(R('SpecifiedTradeSettlementPaymentMeans'))
  means.ele(R('TypeCode')).txt('31')
  means.ele(R('Information')).txt('Überweisung')
  means.ele(R('PayeePartyCreditorFinancialAccount')).ele(R('IBANID')).txt('DE08700901001234567890')
  means.ele(R('PayeeSpecifiedCreditorFinancialInstitution')).ele(R('BICID')).txt('GENODEF1M04')
  for (const tax of t.taxes) {
    const e = st.ele(R('ApplicableTradeTax'))
    e.ele(R('CalculatedAmount'), { currencyID: inv.currency }).txt(amount(tax.amount))
    e.ele(R('TypeCode')).txt('VAT')
    e.ele(R('BasisAmount'), { currencyID: inv.currency }).txt(amount(tax.basis))
    if (profile !== 'BASIC') e.ele(R('CategoryCode')).txt('S')
    e.ele(R('ApplicablePercent')).txt(cents(tax.rate * 100))
  }
  if (profile !== 'BASIC') {
    const terms = st.ele(R('SpecifiedTradePaymentTerms'))
    terms.ele(R('Description')).txt('Zahlbar innerhalb 30 Tagen netto bis 04.04.2013, 3% Skonto innerhalb 10 Tagen bis 15.03.2013')
    terms.ele(R('DueDateDateTime')).ele(`${p.udt}:DateTimeString`, { format: '102' }).txt(inv.dueDate.replace(/-/g, ''))
  }
  const sum = st.ele(R('SpecifiedTradeSettlementMonetarySummation'))
  sum.ele(R('LineTotalAmount'), { currencyID: inv.currency }).txt(amount(t.net))
  sum.ele(R('ChargeTotalAmount'), { currencyID: inv.currency }).txt(amount(0))
  sum.ele(R('AllowanceTotalAmount'), { currencyID: inv.currency }).txt(amount(0))
  sum.ele(R('TaxBasisTotalAmount'), { currencyID: inv.currency }).txt(amount(t.net))
  sum.ele(R('TaxTotalAmount'), { currencyID: inv.currency }).txt(amount(t.vat))
  sum.ele(R('GrandTotalAmount'), { currencyID: inv.currency }).txt(amount(t.gross))
  if (profile !== 'BASIC') {
    if (inv.prepaid) sum.ele(R('TotalPrepaidAmount'), { currencyID: inv.currency }).txt(amount(inv.prepaid))
    sum.ele(R('DuePayableAmount'), { currencyID: inv.currency }).txt(amount(t.due))
  }
  inv.lines.forEach((l, i) => {
    const li = tx.ele(R('IncludedSupplyChainTradeLineItem'))
    li.ele(R('AssociatedDocumentLineDocument')).ele(R('LineID')).txt(String(i + 1))
    if (profile !== 'BASIC') li.ele(R('SpecifiedSupplyChainTradeAgreement')).ele(R('NetPriceProductTradePrice')).ele(R('ChargeAmount'), { currencyID: inv.currency }).txt(cents(l.unit, 4))
    li.ele(R('SpecifiedSupplyChainTradeDelivery')).ele(R('BilledQuantity'), { unitCode: 'C62' }).txt(l.qty.toFixed(4))
    const ls = li.ele(R('SpecifiedSupplyChainTradeSettlement'))
    if (profile !== 'BASIC') {
      const lt = ls.ele(R('ApplicableTradeTax'))
      lt.ele(R('TypeCode')).txt('VAT')
      lt.ele(R('CategoryCode')).txt('S')
      lt.ele(R('ApplicablePercent')).txt(cents(l.rate * 100))
    }
    ls.ele(R('SpecifiedTradeSettlementMonetarySummation')).ele(R('LineTotalAmount'), { currencyID: inv.currency }).txt(cents(l.qty * l.unit))
    li.ele(R('SpecifiedTradeProduct')).ele(R('Name')).txt(l.name)
  })
  const text = doc.end({ prettyPrint: true })
  return new Uint8Array(enc === 'ISO-8859-1' ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8'))
}

export type Zf1Attach = 'names_and_af' | 'names' | 'af' | 'names_hex'

/** A one-page German invoice PDF with the XML embedded as ZUGFeRD 1.0 writers did. */
export async function zugferd1Pdf(inv: Zf1Invoice, profile: Zf1Profile, style: Zf1Style = {}, attach: Zf1Attach = 'names_and_af', filename = 'ZUGFeRD-invoice.xml'): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595, 842])
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const t = totals(inv)
  const [y, m, d] = inv.date.split('-')
  const lines = [
    inv.seller.name,
    `${inv.seller.address[1]}, ${inv.seller.address[0]} ${inv.seller.address[2]}`,
    '',
    inv.buyer.name,
    '',
    `${inv.typeCode === '381' ? 'Gutschrift' : 'Rechnung'} Nr. ${inv.number} vom ${d}.${m}.${y}`,
    ...inv.lines.map((l) => `${l.qty} x ${l.name}  ${cents(l.qty * l.unit).replace('.', ',')} EUR`),
    `Nettobetrag ${cents(t.net).replace('.', ',')} EUR`,
    `Umsatzsteuer ${cents(t.vat).replace('.', ',')} EUR`,
    `Gesamtbetrag ${cents(t.gross).replace('.', ',')} EUR`,
  ]
  lines.forEach((l, i) => page.drawText(l, { x: 50, y: 790 - i * 16, size: 10, font }))
  const bytes = zugferd1Xml(inv, profile, style)
  if (attach === 'names_and_af') {
    await doc.attach(bytes, filename, { mimeType: 'text/xml', description: 'ZUGFeRD Rechnung', afRelationship: AFRelationship.Alternative })
    return doc.save()
  }
  const ctx = doc.context
  const stream = ctx.register(ctx.flateStream(bytes, { Type: 'EmbeddedFile', Subtype: 'text/xml', Params: { Size: bytes.length } }))
  const spec = ctx.register(
    ctx.obj({
      Type: 'Filespec',
      F: attach === 'names_hex' ? PDFHexString.fromText(filename) : PDFString.of(filename),
      ...(attach === 'names_hex' ? {} : { UF: PDFHexString.fromText(filename) }),
      EF: { F: stream },
      Desc: PDFString.of('ZUGFeRD Rechnung'),
      AFRelationship: 'Alternative',
    }),
  )
  if (attach === 'af') doc.catalog.set(PDFName.of('AF'), ctx.obj([spec]))
  else doc.catalog.set(PDFName.of('Names'), ctx.obj({ EmbeddedFiles: ctx.obj({ Names: [PDFString.of(filename), spec] }) }))
  return doc.save()
}
