import { describe, expect, it } from 'vitest'
import { analysePdfLocally } from '../../src/pdf/analyse-pdf-locally'
import { parseInvoiceXml } from '../../src/pdf/parse-invoice-xml'
import { PdfAnalysisError } from '../../src/pdf/pdf-analysis-error'
import { attachXml, ublXml } from './corpus/facturx'
import { makeSpec } from './corpus/invoice-spec'
import { cents, randomZf1Invoice, sample471102, totals, ZF1_GUIDELINE, zugferd1Pdf, zugferd1Xml, type Zf1Attach, type Zf1Profile, type Zf1Style } from './corpus/zugferd1'
import { PDFDocument } from 'pdf-lib'

const PROFILES: Zf1Profile[] = ['BASIC', 'COMFORT', 'EXTENDED']

describe('ZUGFeRD 1.0 embedded invoices (issue 15 item 10)', () => {
  it.each(PROFILES)('reads the specification-style %s sample (471102, 2013-03-05, 529.87) and keeps it off the structured route', async (profile) => {
    const r = await analysePdfLocally(await zugferd1Pdf(sample471102(), profile))
    const xml = r.xml!
    expect(xml.found).toBe(true)
    expect(xml.filename).toBe('ZUGFeRD-invoice.xml')
    expect(xml.syntax).toBe('ZUGFERD1')
    expect(xml.profile).toBe(`ZUGFeRD 1.0 ${profile}`)
    expect(xml.guidelineId).toBe(ZF1_GUIDELINE[profile])
    expect(xml.typeCode).toBe('380')
    const value = (k: keyof typeof xml.fields) => xml.fields[k]?.value
    expect(value('invoiceNumber')).toBe('471102')
    expect(value('invoiceDate')).toBe('2013-03-05')
    expect(value('invoiceType')).toBe('FACTURE')
    expect(value('currency')).toBe('EUR')
    expect(value('amountNet')).toBe('473.00')
    expect(value('amountVat')).toBe('56.87')
    expect(value('amountGross')).toBe('529.87')
    // BASIC has no DuePayableAmount in 1.0: nothing is guessed.
    expect(value('amountDue')).toBe(profile === 'BASIC' ? undefined : '529.87')
    expect(xml.fields.invoiceNumber?.origin).toBe('xml')
    expect(xml.seller).toEqual({ name: 'Lieferant GmbH', siret: null, siren: null, vatNumber: 'DE123456789' })
    expect(xml.buyer?.name).toBe('Kunden AG Mitte')
    expect(xml.vatBreakdown).toEqual([
      { category: profile === 'BASIC' ? null : 'S', rate: '19.00', basis: '198.00', amount: '37.62' },
      { category: profile === 'BASIC' ? null : 'S', rate: '7.00', basis: '275.00', amount: '19.25' },
    ])
    expect(xml.validForStructuredRoute).toBe(false)
    expect(xml.structuredRouteProblems).toEqual(['zugferd1_not_accepted'])
    expect(xml.structuredRouteMessages).toHaveLength(1)
    expect(xml.structuredRouteMessages[0]!.fr).toMatch(/ZUGFeRD 1\.0.*Chorus Pro.*voie PDF/)
    expect(xml.structuredRouteMessages[0]!.en).toMatch(/ZUGFeRD 1\.0.*Chorus Pro.*PDF route/)
    // Nothing about the XML itself is wrong: no warning.
    expect(r.warnings.filter((w) => w.startsWith('xml_'))).toEqual([])
  })

  it('reads SIRET, SIREN and VAT number of a French seller (GlobalID 0009) and public buyer (plain ID)', async () => {
    const inv = randomZf1Invoice(3) // every third seed: French parties
    expect(inv.seller.globalId?.scheme).toBe('0009')
    const r = await analysePdfLocally(await zugferd1Pdf(inv, 'COMFORT'))
    const xml = r.xml!
    expect(xml.seller).toEqual({ name: inv.seller.name, siret: inv.seller.globalId!.value, siren: inv.seller.globalId!.value.slice(0, 9), vatNumber: inv.seller.vat })
    expect(xml.buyer).toEqual({ name: inv.buyer.name, siret: inv.buyer.id, siren: inv.buyer.id!.slice(0, 9), vatNumber: null })
    expect(xml.fields.supplierSiret?.value).toBe(inv.seller.globalId!.value)
    expect(xml.fields.recipientSiret?.value).toBe(inv.buyer.id)
    expect(xml.validForStructuredRoute).toBe(false)
  })

  it('reads number, date and grand total exactly on 60 real-world-shaped files, every time', async () => {
    const styles: Zf1Style[] = [
      {},
      { prefixes: { rsm: null, ram: 'ns2', udt: 'ns3' } },
      { prefixes: { rsm: 'zf', ram: 'a', udt: 'b' }, padded: true },
      { decimals: 4 },
      { encoding: 'ISO-8859-1' },
      { padded: true, decimals: 4, encoding: 'ISO-8859-1' },
    ]
    const attaches: Zf1Attach[] = ['names_and_af', 'names', 'af', 'names_hex']
    const names = ['ZUGFeRD-invoice.xml', 'zugferd-invoice.xml', 'ZUGFeRD-Invoice.xml']
    for (let seed = 1; seed <= 60; seed++) {
      const inv = randomZf1Invoice(seed)
      const profile = PROFILES[seed % 3]!
      const style = styles[seed % styles.length]!
      const bytes = await zugferd1Pdf(inv, profile, style, attaches[seed % attaches.length], names[seed % names.length])
      for (let again = 0; again < 2; again++) {
        const r = await analysePdfLocally(bytes)
        const f = r.xml?.fields
        const t = totals(inv)
        const what = `seed ${seed} ${profile} ${JSON.stringify(style)}`
        expect(r.xml?.syntax, what).toBe('ZUGFERD1')
        expect(f?.invoiceNumber?.value, what).toBe(inv.number)
        expect(f?.invoiceDate?.value, what).toBe(inv.date)
        expect(f?.amountGross?.value, what).toBe(cents(t.gross))
        expect(f?.amountNet?.value, what).toBe(cents(t.net))
        expect(f?.amountVat?.value, what).toBe(cents(t.vat))
        expect(f?.amountDue?.value, what).toBe(profile === 'BASIC' ? undefined : cents(t.due))
        expect(f?.invoiceType?.value, what).toBe(inv.typeCode === '381' ? 'AVOIR' : 'FACTURE')
        if (profile !== 'BASIC') {
          expect(f?.serviceCode?.value, what).toBe(inv.buyerReference)
          expect(f?.engagementNumber?.value, what).toBe(inv.orderId)
        }
        expect(r.xml?.seller?.name, what).toBe(inv.seller.name)
        expect(r.xml?.buyer?.name, what).toBe(inv.buyer.name)
        expect(r.xml?.validForStructuredRoute, what).toBe(false)
      }
    }
  }, 60_000)

  it('prefers ZUGFeRD-invoice.xml over another invoice XML attached to the same PDF', async () => {
    const doc = await PDFDocument.load(await zugferd1Pdf(sample471102(), 'COMFORT'))
    await attachXml(doc, ublXml(makeSpec(11)), 'annexe-commande.xml', 'af')
    const r = await analysePdfLocally(await doc.save())
    expect(r.attachments.map((a) => a.filename).sort()).toEqual(['ZUGFeRD-invoice.xml', 'annexe-commande.xml'])
    expect(r.xml?.filename).toBe('ZUGFeRD-invoice.xml')
    expect(r.xml?.fields.invoiceNumber?.value).toBe('471102')
  })

  it('refuses a DOCTYPE in a ZUGFeRD 1.0 document like in any other invoice XML', () => {
    const text = Buffer.from(zugferd1Xml(sample471102(), 'COMFORT')).toString('utf8').replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    expect(() => parseInvoiceXml(new TextEncoder().encode(text))).toThrow(PdfAnalysisError)
  })

  it('reads umlauts right when the XML is declared ISO-8859-1', () => {
    const inv = sample471102()
    const xml = parseInvoiceXml(zugferd1Xml(inv, 'EXTENDED', { encoding: 'ISO-8859-1' }))!
    expect(xml.seller.name).toBe('Lieferant GmbH')
    expect(xml.fields.invoiceNumber?.value).toBe('471102')
    const withUmlaut = parseInvoiceXml(zugferd1Xml({ ...inv, seller: { ...inv.seller, name: 'Großhandel Weiß AG' } }, 'COMFORT', { encoding: 'ISO-8859-1' }))!
    expect(withUmlaut.seller.name).toBe('Großhandel Weiß AG')
  })
})
