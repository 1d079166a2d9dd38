import { describe, expect, it } from 'vitest'
import { extractTextFields } from '../../src/pdf/extract-text-fields'
import { findPrintedDates } from '../../src/pdf/find-printed-dates'
import { findPrintedIdentifiers } from '../../src/pdf/find-printed-identifiers'
import type { TextLine } from '../../src/pdf/read-page-lines'
import { laPosteSiret } from './corpus/invoice-spec'

/** Lines as the layout reader gives them: each string is one line, tabs separate cells. */
function lines(...rows: string[]): TextLine[] {
  return rows.map((row, i) => {
    const cells = row.split('\t').map((text, j) => ({ x: 50 + j * 250, x2: 50 + j * 250 + text.length * 5, text, size: 10 }))
    return { page: 1, y: 50 + i * 14, cells, text: row }
  })
}

describe('printed dates', () => {
  it.each([
    ['Date : 12/03/2026', '2026-03-12'],
    ['le 1er mars 2026', '2026-03-01'],
    ['12 févr. 2026', '2026-02-12'],
    ['Invoice date: March 12, 2026', '2026-03-12'],
    ['Issued 2026-03-12', '2026-03-12'],
    ['12 March 2026', '2026-03-12'],
  ])('%s', (text, iso) => expect(findPrintedDates(text)[0]?.date).toBe(iso))
  it('ignores impossible dates', () => expect(findPrintedDates('31/02/2026')).toEqual([]))
})

describe('printed identifiers', () => {
  it('keeps SIRETs with a valid check digit, grouped or not, and the La Poste exception', () => {
    const lp = laPosteSiret()
    const found = findPrintedIdentifiers(`SIRET 732 829 320 00074 / 73282932000075 / ${lp}`).map((i) => i.value)
    expect(found).toEqual(['73282932000074', lp])
  })
})

describe('text fields', () => {
  const base = [
    'ACME SAS',
    'SIRET : 732 829 320 00074',
    'Facturé à',
    'Mairie de Lyon',
    'Service : Direction des achats',
    'SIRET : 217 506 830 00017',
    'FACTURE N° F-2026-001',
    'Date de facture : 12 mars 2026',
    "N° d'engagement : 1300012345",
    'Code service : FIN01',
  ]
  it('reads a French invoice and tells the two SIRETs apart by context', () => {
    const r = extractTextFields(lines(...base, 'Total HT\t1 000,00 €', 'TVA 20 %\t200,00 €', 'Total TTC\t1 200,00 €'), { supplierSirets: [] })
    const v = Object.fromEntries(Object.entries(r.fields).map(([k, f]) => [k, f.value]))
    expect(v).toMatchObject({
      invoiceNumber: 'F-2026-001',
      invoiceType: 'FACTURE',
      invoiceDate: '2026-03-12',
      supplierSiret: '73282932000074',
      recipientSiret: '21750683000017',
      recipientLabel: 'Direction des achats',
      engagementNumber: '1300012345',
      serviceCode: 'FIN01',
      amountNet: '1000.00',
      amountVat: '200.00',
      amountGross: '1200.00',
      amountDue: '1200.00',
      currency: 'EUR',
    })
    expect(r.warnings).toEqual([])
  })

  it('warns and lowers confidence when net + VAT ≠ gross', () => {
    const r = extractTextFields(lines(...base, 'Total HT\t1 000,00 €', 'TVA 20 %\t200,00 €', 'Total TTC\t1 300,00 €'), { supplierSirets: [] })
    expect(r.warnings).toContain('amounts_inconsistent')
    expect(r.fields.amountGross?.confidence).toBeLessThan(0.5)
  })

  it('uses the account SIRET to know which one is ours', () => {
    const r = extractTextFields(lines('SIRET 217 506 830 00017', 'SIRET 732 829 320 00074'), { supplierSirets: ['73282932000074'] })
    expect(r.fields.supplierSiret?.value).toBe('73282932000074')
    expect(r.fields.recipientSiret?.value).toBe('21750683000017')
  })

  it('reads a credit note without taking the credited invoice number', () => {
    const r = extractTextFields(lines('Avoir sur facture n° F-2026-001', 'AVOIR N° AV-2026-007'), { supplierSirets: [] })
    expect(r.fields.invoiceType?.value).toBe('AVOIR')
    expect(r.fields.invoiceNumber?.value).toBe('AV-2026-007')
  })

  it('reads English labels and number formats', () => {
    const r = extractTextFields(lines('INVOICE', 'Invoice No.: INV-77', 'PO number: PO-123456', 'Subtotal\t€1,234.50', 'VAT 20%\t€246.90', 'Total\t€1,481.40', 'Amount due\t€1,481.40'), { supplierSirets: [] })
    expect(r.fields.invoiceNumber?.value).toBe('INV-77')
    expect(r.fields.engagementNumber?.value).toBe('PO-123456')
    expect([r.fields.amountNet?.value, r.fields.amountVat?.value, r.fields.amountGross?.value, r.fields.amountDue?.value]).toEqual(['1234.50', '246.90', '1481.40', '1481.40'])
  })
})
