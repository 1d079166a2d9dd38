import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { invoicePdf } from '../support/invoice-pdf'
import { ACCOUNT, sandboxClient } from '../chorus/sandbox-harness'
import { makeSpec, type InvoiceSpec } from '../pdf/corpus/invoice-spec'
import { paint } from '../pdf/corpus/build-corpus'
import { renderWithPdfLib } from '../pdf/corpus/painting'
import { attachXml, ciiXml } from '../pdf/corpus/facturx'
import { SANDBOX_SUPPLIER_NAME, SANDBOX_SUPPLIER_SIRET, SEED_STRUCTURES } from '../../src/sandbox'

async function push(s: TestService, bytes: Uint8Array<ArrayBuffer>, filename: string) {
  const form = new FormData()
  form.set('file', new File([bytes], filename, { type: 'application/pdf' }))
  const res = await s.api('/documents', { method: 'POST', body: form })
  expect(res.status, await res.clone().text()).toBe(201)
  return ((await res.json()) as any).document.id as string
}

const doc = async (s: TestService, id: string) => (await (await s.api(`/documents/${id}`)).json()) as any
const settled = (s: TestService, id: string) =>
  s.until(async () => {
    const d = await doc(s, id)
    return d.state !== 'analysing' ? d : undefined
  }, 30_000, 'document analysed')

/**
 * A Factur-X PDF from the demo supplier to the open structure, every field in its XML, already paid (nothing
 * left to pay), with BT-23 (the business process, Chorus Pro's framework) when given.
 */
async function paidFacturx(seed: number, number: string, bt23: string | null): Promise<Uint8Array<ArrayBuffer>> {
  const s = SEED_STRUCTURES[0]!
  const base = makeSpec(seed, { lang: 'fr' })
  const spec: InvoiceSpec = {
    ...base,
    number,
    date: '2026-10-15',
    supplier: { name: SANDBOX_SUPPLIER_NAME, siret: SANDBOX_SUPPLIER_SIRET, address: ['1 rue du Test', '75001 Paris'] },
    recipient: { name: s.name, siret: s.siret, address: ['Hôtel de ville', '00000 Sandbox'] },
    serviceCode: undefined,
    engagement: undefined,
    serviceLabel: undefined,
    prepaid: base.gross,
    due: '0.00',
  }
  let xml = ciiXml(spec, 'EN16931')
  if (bt23) xml = xml.replace('<ram:GuidelineSpecifiedDocumentContextParameter>', `<ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>${bt23}</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter><ram:GuidelineSpecifiedDocumentContextParameter>`)
  const pdf = await renderWithPdfLib(paint({ seed, layout: 'frClassic', family: 'Helvetica', writer: 'pdf-lib', oddOrder: false, spec }))
  await attachXml(pdf, xml, 'factur-x.xml', 'names_and_af')
  return new Uint8Array(await pdf.save())
}

/**
 * The billing framework (cadre de facturation, issue 17) from the form to Chorus Pro, on the real service and
 * its sandbox over HTTP: chosen by a person (validated, refused in their language when wrong), read from a
 * Factur-X's BT-23, and kept by Chorus Pro as sent.
 */
describe.each(testEngines())('billing framework on $name', (engine) => {
  let t: TestDatabase | undefined
  let s: TestService
  let demoId: string
  const chorus = () => sandboxClient(`${s.url}/sandbox`)
  const chorusFramework = async (documentId: string) => {
    const d = await doc(s, documentId)
    const invoice = (await (await s.api(`/invoices/${d.invoiceId}`)).json()) as any
    const r = await chorus().consulterFactureFournisseur(ACCOUNT, { identifiantFactureCPP: Number(invoice.chorusInvoiceId) })
    return (r.facture.cadreDeFacturation as { codeCadreFacturation?: string } | null | undefined)?.codeCadreFacturation
  }
  const calls = async () => (await (await s.sandbox('/calls')).json()) as Record<string, number>

  beforeAll(async () => {
    t = engine.name === 'postgres' ? await engine.open() : undefined
    s = await startTestService(t?.url ? { DATABASE_URL: t.url } : {})
    expect((await s.sandbox('/clock', { method: 'POST', json: { stepMs: 200 } })).status).toBe(200)
    const accounts = (await (await s.api('/accounts')).json()) as any
    demoId = accounts.items.find((a: any) => a.isDemo).id
    // Documents wait for Validate: each test decides when one goes.
    expect((await s.api(`/accounts/${demoId}`, { method: 'PATCH', json: { autoSubmit: false, submissionRoute: 'auto' } })).status).toBe(200)
  }, 60_000)
  afterAll(async () => {
    await s?.stop()
    await t?.close()
  })

  it('a person’s framework is checked, refused in their language when wrong, and reaches Chorus Pro (PDF route)', async () => {
    const { bytes } = await invoicePdf({ seed: 2311, recipientIndex: 1, number: 'F-CADRE-1', serviceCode: null, engagement: null, serviceLabel: null })
    const id = await push(s, bytes, 'cadre-1.pdf')
    const first = await settled(s, id)
    expect(first.fields.billingFramework).toBeUndefined()

    // An unknown code, and one the connector cannot submit: 400 in the API's error shape, the field named, never a 500.
    const unknown = await s.api(`/documents/${id}`, { method: 'PATCH', json: { fields: { billingFramework: 'A99' } } })
    expect(unknown.status).toBe(400)
    const u = (await unknown.json()) as any
    expect(u.error.code).toBe('invalid_field')
    expect(u.error.message).toBe('Cadre de facturation : « A99 » n’est pas un cadre de facturation de Chorus Pro : choisissez A1 (facture fournisseur) ou A2 (facture déjà payée).')
    expect(u.error.details[0]).toMatchObject({ field: 'fields.billingFramework', reason: 'billing_framework_invalid' })
    const sub = await s.api(`/documents/${id}?lang=en`, { method: 'PATCH', headers: { 'accept-language': 'en' }, json: { fields: { billingFramework: 'A9_FACTURE_SOUSTRAITANT' } } })
    expect(sub.status).toBe(400)
    expect(((await sub.json()) as any).error.message).toMatch(/^Billing framework: framework A9 \(subcontractor invoice\) is not supported by the connector: Chorus Pro then requires the validating structure/)
    expect((await doc(s, id)).fields.billingFramework).toBeUndefined()

    // A2, short as a person may type it: kept as Chorus Pro's code; an invoice already paid must leave nothing to pay.
    const saved = await s.api(`/documents/${id}`, { method: 'PATCH', json: { fields: { billingFramework: 'a2', serviceCode: 'ACHATS' } } })
    expect(saved.status).toBe(200)
    const afterSave = (await saved.json()) as any
    expect(afterSave.fields.billingFramework).toMatchObject({ value: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE', origin: 'person' })
    expect(afterSave.problems.map((p: any) => [p.code, p.field])).toEqual([['amount_due_not_zero_when_paid', 'amountDue']])

    const before = await calls()
    const res = await s.api(`/documents/${id}/validate`, { method: 'POST', json: { fields: { amountDue: '0' } } })
    const body = (await res.json()) as any
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.document.state).toBe('submitted')
    const after = await calls()
    expect(after['factures/v1/soumettre']! - (before['factures/v1/soumettre'] ?? 0)).toBe(1)
    // The raw bodies Chorus Pro received, oldest first.
    const requests = (await (await s.sandbox('/requests?operation=factures/v1/soumettre')).json()) as string[]
    const sent = requests.map((r) => JSON.parse(r)).find((r: any) => r.numeroFactureSaisi === 'F-CADRE-1')
    expect(sent?.cadreDeFacturation).toEqual({ codeCadreFacturation: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE' })
    expect(await chorusFramework(id)).toBe('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
  }, 60_000)

  it('a document left alone goes as A1, Chorus Pro’s default', async () => {
    const { bytes } = await invoicePdf({ seed: 2312, recipientIndex: 0, number: 'F-CADRE-2', serviceCode: 'SERV_TECH', engagement: null })
    const id = await push(s, bytes, 'cadre-2.pdf')
    expect((await settled(s, id)).state).toBe('ready')
    const res = await s.api(`/documents/${id}/validate`, { method: 'POST' })
    expect(res.status).toBe(200)
    expect(await chorusFramework(id)).toBe('A1_FACTURE_FOURNISSEUR')
  }, 60_000)

  it('a Factur-X naming A2 prefills it from its XML and goes as a flow, which carries it', async () => {
    const id = await push(s, await paidFacturx(2313, 'FX-CADRE-3', 'A2'), 'cadre-3-facturx.pdf')
    const d = await settled(s, id)
    expect(d.fields.billingFramework).toMatchObject({ value: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE', origin: 'xml' })
    expect(d.state, JSON.stringify(d.problems)).toBe('ready')
    const before = await calls()
    expect((await s.api(`/documents/${id}/validate`, { method: 'POST' })).status).toBe(200)
    await s.until(async () => (await doc(s, id)).state === 'submitted', 40_000, 'flow integrated')
    const after = await calls()
    expect(after['factures/v1/deposer/flux']! - (before['factures/v1/deposer/flux'] ?? 0)).toBe(1)
    expect((after['factures/v1/soumettre'] ?? 0) - (before['factures/v1/soumettre'] ?? 0)).toBe(0)
    expect(await chorusFramework(id)).toBe('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
  }, 60_000)

  it('a framework a person changed on a Factur-X is an edit: the PDF route sends it', async () => {
    const id = await push(s, await paidFacturx(2314, 'FX-CADRE-4', null), 'cadre-4-facturx.pdf')
    const d = await settled(s, id)
    expect(d.hasFacturX).toBe(true)
    expect(d.fields.billingFramework).toBeUndefined()
    expect(d.state, JSON.stringify(d.problems)).toBe('ready')
    const patched = await s.api(`/documents/${id}`, { method: 'PATCH', json: { fields: { billingFramework: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE' } } })
    expect(patched.status).toBe(200)
    expect(((await patched.json()) as any).state).toBe('ready')
    const before = await calls()
    expect((await s.api(`/documents/${id}/validate`, { method: 'POST' })).status).toBe(200)
    const after = await calls()
    expect(after['factures/v1/soumettre']! - (before['factures/v1/soumettre'] ?? 0)).toBe(1)
    expect((after['factures/v1/deposer/flux'] ?? 0) - (before['factures/v1/deposer/flux'] ?? 0)).toBe(0)
    expect(await chorusFramework(id)).toBe('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
    // The submission says why it took the PDF route.
    const invoice = (await (await s.api(`/invoices/${(await doc(s, id)).invoiceId}`)).json()) as any
    const submission = invoice.history.find((e: any) => e.kind === 'submission')
    expect(submission.comment).toMatch(/cadre de facturation diffère du XML intégré/)
  }, 60_000)
})
