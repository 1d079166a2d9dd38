import { describe, expect, it } from 'vitest'
import { FIELD_ORIGINS, fieldDisagreements, fieldLayer, mergeFields, type InvoiceFields } from '../../src/domain/invoice-fields'

describe('mergeFields', () => {
  const text: InvoiceFields = {
    invoiceNumber: { value: 'F-1', origin: 'text', confidence: 0.9 },
    amountNet: { value: '100.00', origin: 'text', confidence: 0.9 },
    engagementNumber: { value: 'WRONG', origin: 'text', confidence: 0.9 },
  }
  const xml = fieldLayer('xml', { invoiceNumber: 'F-1', amountNet: '100.50', serviceCode: undefined })
  const ocr: InvoiceFields = { recipientSiret: { value: '12345678900011', origin: 'chorus_ocr', confidence: 0.7 }, invoiceNumber: { value: 'F-7', origin: 'chorus_ocr', confidence: 1 } }

  it('keeps the most trusted origin per field, whatever the layer order', () => {
    for (const layers of [[text, xml, ocr], [ocr, xml, text]]) {
      const m = mergeFields(layers)
      expect(m.invoiceNumber).toEqual({ value: 'F-1', origin: 'xml', confidence: 1 })
      expect(m.amountNet?.value).toBe('100.50')
      expect(m.recipientSiret?.origin).toBe('chorus_ocr')
      expect(m.engagementNumber?.origin).toBe('text')
      expect(m.serviceCode).toBeUndefined()
    }
  })

  it('follows person > host > mapping > xml > text > chorus_ocr', () => {
    expect(FIELD_ORIGINS).toEqual(['person', 'host', 'mapping', 'xml', 'text', 'chorus_ocr'])
    const layers = FIELD_ORIGINS.map((o) => fieldLayer(o, { serviceCode: `S-${o}` }, o === 'person' ? 0.1 : 1))
    expect(mergeFields(layers).serviceCode?.value).toBe('S-person')
    expect(mergeFields(layers.slice(1)).serviceCode?.value).toBe('S-host')
    expect(mergeFields(layers.slice(2)).serviceCode?.value).toBe('S-mapping')
  })

  it('lets a person clear a field with null, so a guess does not come back', () => {
    const m = mergeFields([text, fieldLayer('person', { engagementNumber: null })])
    expect(m.engagementNumber).toEqual({ value: null, origin: 'person', confidence: 1 })
  })

  it('breaks ties inside one origin by confidence', () => {
    const a: InvoiceFields = { currency: { value: 'EUR', origin: 'text', confidence: 0.4 } }
    const b: InvoiceFields = { currency: { value: 'USD', origin: 'text', confidence: 0.8 } }
    expect(mergeFields([a, b]).currency?.value).toBe('USD')
  })

  it('reports what a less trusted reader read differently', () => {
    const d = fieldDisagreements([text, xml, ocr])
    expect(d.map((x) => [x.field, x.other.origin])).toEqual([
      ['invoiceNumber', 'chorus_ocr'],
      ['amountNet', 'text'],
    ])
  })
})
