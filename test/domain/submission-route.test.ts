import { describe, expect, it } from 'vitest'
import { fieldLayer, mergeFields, type InvoiceFields } from '../../src/domain/invoice-fields'
import { chooseSubmissionRoute, fieldsNotInXml } from '../../src/domain/submission-route'

const xml = fieldLayer('xml', { invoiceNumber: 'FX-1', invoiceDate: '2026-11-20', recipientSiret: '21760000000019', supplierSiret: '98765432100015', amountNet: '100.00', amountVat: '20.00', amountGross: '120.00' })
const route = (form: InvoiceFields, over: Partial<Parameters<typeof chooseSubmissionRoute>[0]> = {}) =>
  chooseSubmissionRoute({ setting: 'auto', hasFacturx: true, validForStructuredRoute: true, xml, form, ...over })

describe('submission route', () => {
  it('auto and facturx: a valid, untouched Factur-X goes as a flow; pdf never', () => {
    const form = mergeFields([xml, fieldLayer('text', { recipientLabel: 'Mairie' })])
    expect(route(form)).toMatchObject({ route: 'facturx', reason: 'facturx' })
    expect(route(form, { setting: 'facturx' })).toMatchObject({ route: 'facturx' })
    expect(route(form, { setting: 'pdf' })).toMatchObject({ route: 'pdf', reason: 'account_pdf' })
    expect(route(form, { hasFacturx: false })).toMatchObject({ route: 'pdf', reason: 'no_facturx' })
    expect(route(form, { validForStructuredRoute: false })).toMatchObject({ route: 'pdf', reason: 'facturx_not_valid' })
  })

  it('a field set, changed or cleared outside the XML sends it by the PDF route, naming the fields', () => {
    const person = mergeFields([fieldLayer('person', { serviceCode: 'ACHATS', recipientSiret: '21760000000027' }), xml])
    expect(route(person)).toMatchObject({ route: 'pdf', reason: 'fields_not_in_xml', fields: ['recipientSiret', 'serviceCode'] })
    expect(route(person).message.en).toMatch(/recipient SIRET, service code differ from the embedded XML/)
    const mapping = mergeFields([fieldLayer('mapping', { engagementNumber: 'EJ-1' }), xml])
    expect(fieldsNotInXml(xml, mapping)).toEqual(['engagementNumber'])
    const cleared = mergeFields([{ recipientSiret: { value: null, origin: 'person', confidence: 1 } }, xml])
    expect(fieldsNotInXml(xml, cleared)).toEqual(['recipientSiret'])
    // A page value where the XML has none is a value the flow would not carry.
    expect(fieldsNotInXml(xml, mergeFields([xml, fieldLayer('text', { serviceCode: 'SERV_TECH' })]))).toEqual(['serviceCode'])
  })

  it('the same value said again is no difference: amounts by value, text without spaces or case', () => {
    const again = mergeFields([fieldLayer('person', { amountNet: '100', supplierSiret: '987 654 321 00015', invoiceNumber: 'fx-1' }), xml])
    expect(fieldsNotInXml(xml, again)).toEqual([])
    // An amount due absent from the XML is its gross amount; a page's amount due equal to it changes nothing.
    expect(fieldsNotInXml(xml, mergeFields([xml, fieldLayer('text', { amountDue: '120.00' })]))).toEqual([])
    expect(fieldsNotInXml(xml, mergeFields([xml, fieldLayer('text', { amountDue: '100.00' })]))).toEqual(['amountDue'])
  })
})
