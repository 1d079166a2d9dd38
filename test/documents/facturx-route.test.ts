import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../support/in-process-service'
import { facturxPdf } from '../support/invoice-pdf'

/**
 * An account on the structured route: a valid EN16931 Factur-X goes through deposer/flux
 * (IN_DP_E2_CII_FACTURX), and the flow report then the supplier search give the invoice id.
 */
describe('Factur-X route', () => {
  let s: TestService
  beforeAll(async () => {
    s = await startTestService()
    // The sandbox integrates flows in a few clock steps; make a step short.
    expect((await s.sandbox('/clock', { method: 'POST', json: { stepMs: 200 } })).status).toBe(200)
  }, 60_000)
  afterAll(() => s?.stop())

  it('deposits the Factur-X as a flow, follows it and tracks the invoice', async () => {
    const accounts = (await (await s.api('/accounts')).json()) as any
    const demo = accounts.items.find((a: any) => a.isDemo)
    expect((await s.api(`/accounts/${demo.id}`, { method: 'PATCH', json: { submissionRoute: 'facturx' } })).status).toBe(200)
    const { bytes, spec } = await facturxPdf({ seed: 41, recipientIndex: 0, number: 'FX-2026-0041', serviceCode: null, engagement: null })
    const form = new FormData()
    form.set('file', new File([bytes], 'facturx-41.pdf', { type: 'application/pdf' }))
    const pushed = await s.api('/documents', { method: 'POST', body: form })
    expect(pushed.status).toBe(201)
    const id = ((await pushed.json()) as any).document.id
    const doc = await s.until(async () => {
      const d = (await (await s.api(`/documents/${id}`)).json()) as any
      return d.state === 'submitted' || d.state === 'error' || d.state === 'incomplete' ? d : undefined
    }, 40_000, 'Factur-X submitted')
    expect(doc.state, JSON.stringify(doc)).toBe('submitted')
    expect(doc.hasFacturX).toBe(true)
    expect(doc.fields.invoiceNumber).toMatchObject({ value: 'FX-2026-0041', origin: 'xml' })
    expect(doc.fields.amountGross.value).toBe(spec.gross)
    const calls = (await (await s.sandbox('/calls')).json()) as Record<string, number>
    expect(calls['factures/v1/deposer/flux']).toBe(1)
    expect(calls['factures/v1/soumettre'] ?? 0).toBe(0)
    // The structured route needs no OCR deposit.
    expect(calls['factures/v1/deposer/pdf'] ?? 0).toBe(0)
    expect(calls['transverses/v1/consulterCRDetaille']).toBeGreaterThanOrEqual(1)
    const invoice = (await (await s.api(`/invoices/${doc.invoiceId}`)).json()) as any
    expect(invoice.invoiceNumber).toBe('FX-2026-0041')
  }, 60_000)
})
