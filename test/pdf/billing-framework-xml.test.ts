import { describe, expect, it } from 'vitest'
import { PDFDocument } from 'pdf-lib'
import { analysePdfLocally } from '../../src/pdf/analyse-pdf-locally'
import { parseInvoiceXml } from '../../src/pdf/parse-invoice-xml'
import { attachXml, ciiXml, ublXml } from './corpus/facturx'
import { makeSpec } from './corpus/invoice-spec'
import { sample471102, zugferd1Xml } from './corpus/zugferd1'

const spec = makeSpec(2301, { lang: 'fr' })
const enc = (s: string) => new TextEncoder().encode(s)

/** The CII of the corpus with BT-23 (the business process) before BT-24, as the CII schema orders them. */
function ciiWith(bt23: string, prefixes = { rsm: 'rsm', ram: 'ram', udt: 'udt' }): string {
  const xml = ciiXml(spec, 'EN16931', prefixes)
  const r = prefixes.ram
  const out = xml.replace(`<${r}:GuidelineSpecifiedDocumentContextParameter>`, `<${r}:BusinessProcessSpecifiedDocumentContextParameter><${r}:ID>${bt23}</${r}:ID></${r}:BusinessProcessSpecifiedDocumentContextParameter><${r}:GuidelineSpecifiedDocumentContextParameter>`)
  expect(out).not.toBe(xml)
  return out
}

function ublWith(profileId: string): string {
  const xml = ublXml(spec)
  const out = xml.replace(/(<b:CustomizationID>[^<]*<\/b:CustomizationID>)/, `$1<b:ProfileID>${profileId}</b:ProfileID>`)
  expect(out).not.toBe(xml)
  return out
}

describe('the billing framework read from an embedded invoice (BT-23)', () => {
  it('Factur-X / CII: "A2" in BusinessProcessSpecifiedDocumentContextParameter prefills A2 with origin xml, whatever the prefixes', () => {
    for (const prefixes of [{ rsm: 'rsm', ram: 'ram', udt: 'udt' }, { rsm: 'x', ram: 'y', udt: 'z' }]) {
      const r = parseInvoiceXml(enc(ciiWith('A2', prefixes)))!
      expect(r.syntax).toBe('CII')
      expect(r.fields.billingFramework).toEqual({ value: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE', origin: 'xml', confidence: 1 })
      expect(r.warnings).toEqual([])
      // The framework does not change what the flow route needs.
      expect(r.validForStructuredRoute).toBe(true)
    }
  })

  it('CII without BT-23, or with another scheme’s process, says nothing of the framework', () => {
    expect(parseInvoiceXml(enc(ciiXml(spec, 'EN16931')))!.fields.billingFramework).toBeUndefined()
    expect(parseInvoiceXml(enc(ciiWith('urn:fdc:peppol.eu:2017:poacc:billing:01:1.0')))!.fields.billingFramework).toBeUndefined()
    expect(parseInvoiceXml(enc(ciiWith('S1')))!.fields.billingFramework).toBeUndefined()
  })

  it('CII with a framework Chorus Pro does not know keeps it as written, with a warning, so the form shows it refused', () => {
    const r = parseInvoiceXml(enc(ciiWith('A26')))!
    expect(r.fields.billingFramework?.value).toBe('A26')
    expect(r.warnings).toContain('xml_unknown_billing_framework:A26')
    // A known one the connector does not submit is read as it is (completeness says why it cannot go).
    expect(parseInvoiceXml(enc(ciiWith('A9')))!.fields.billingFramework?.value).toBe('A9_FACTURE_SOUSTRAITANT')
  })

  it('UBL: cbc:ProfileID "A2" is the framework; a Peppol process is not', () => {
    const r = parseInvoiceXml(enc(ublWith('A2')))!
    expect(r.syntax).toBe('UBL')
    expect(r.fields.billingFramework).toMatchObject({ value: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE', origin: 'xml' })
    expect(parseInvoiceXml(enc(ublWith('urn:fdc:peppol.eu:2017:poacc:billing:01:1.0')))!.fields.billingFramework).toBeUndefined()
    expect(parseInvoiceXml(enc(ublXml(spec)))!.fields.billingFramework).toBeUndefined()
  })

  it('ZUGFeRD 1.0: the same business process in SpecifiedExchangedDocumentContext', () => {
    const text = new TextDecoder().decode(zugferd1Xml(sample471102(), 'COMFORT'))
    const withBt23 = text.replace('<ram:GuidelineSpecifiedDocumentContextParameter>', '<ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>A1</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter><ram:GuidelineSpecifiedDocumentContextParameter>')
    expect(withBt23).not.toBe(text)
    const r = parseInvoiceXml(enc(withBt23))!
    expect(r.syntax).toBe('ZUGFERD1')
    expect(r.fields.billingFramework).toMatchObject({ value: 'A1_FACTURE_FOURNISSEUR', origin: 'xml' })
  })

  it('a Factur-X PDF carrying A2 gives the framework to the local analysis', async () => {
    const doc = await PDFDocument.create()
    doc.addPage([595, 842])
    await attachXml(doc, ciiWith('A2'), 'factur-x.xml', 'names_and_af')
    const r = await analysePdfLocally(await doc.save())
    expect(r.xml?.found).toBe(true)
    expect(r.xml?.fields.billingFramework?.value).toBe('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
  })
})
