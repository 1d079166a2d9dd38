import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { invoicePdf } from '../support/invoice-pdf'
import { SEED_STRUCTURES } from '../../src/sandbox'

async function push(s: TestService, bytes: Uint8Array<ArrayBuffer>, filename: string, metadata?: Record<string, unknown>) {
  const form = new FormData()
  form.set('file', new File([bytes], filename, { type: 'application/pdf' }))
  if (metadata) form.set('metadata', JSON.stringify(metadata))
  const res = await s.api('/documents', { method: 'POST', body: form })
  expect(res.status, await res.clone().text()).toBe(201)
  return ((await res.json()) as any).document.id as string
}

const doc = async (s: TestService, id: string) => (await (await s.api(`/documents/${id}`)).json()) as any

/**
 * The whole "to submit" path on the real service and sandbox: a PDF pushed by the host is read
 * (text + Chorus OCR), checked against the directory, auto-submitted when complete, or completed by a
 * person and validated; every submission reaches Chorus Pro exactly once.
 */
describe.each(testEngines())('document pipeline on $name', (engine) => {
  let t: TestDatabase | undefined
  let s: TestService
  beforeAll(async () => {
    t = engine.name === 'postgres' ? await engine.open() : undefined
    s = await startTestService(t?.url ? { DATABASE_URL: t.url } : {})
  }, 60_000)
  afterAll(async () => {
    await s?.stop()
    await t?.close()
  })

  it('auto-submits a complete invoice of the demo account and tracks it', async () => {
    const { bytes, spec } = await invoicePdf({ seed: 11, recipientIndex: 0, number: 'F-2026-0011', serviceCode: null, engagement: null })
    const id = await push(s, bytes, 'facture 11.pdf')
    const submitted = await s.until(async () => {
      const d = await doc(s, id)
      return d.state === 'submitted' || d.state === 'error' || d.state === 'incomplete' ? d : undefined
    }, 30_000, 'document submitted')
    expect(submitted.problems, JSON.stringify(submitted)).toEqual([])
    expect(submitted.state).toBe('submitted')
    expect(submitted.fields.invoiceNumber).toMatchObject({ value: 'F-2026-0011' })
    expect(submitted.fields.recipientSiret.value).toBe(spec.recipient.siret)
    expect(submitted.fields.amountGross.value).toBe(spec.gross)
    expect(submitted.invoiceId).toBeTruthy()
    const calls = (await (await s.sandbox('/calls')).json()) as Record<string, number>
    expect(calls['factures/v1/deposer/pdf']).toBeGreaterThanOrEqual(1)
    expect(calls['factures/v1/soumettre']).toBe(1)
  })

  it('shows what is missing, takes a person’s edit, and Validate submits and points to the next document', async () => {
    // The "service required" structure, and no service code printed.
    const { bytes } = await invoicePdf({ seed: 12, recipientIndex: 1, number: 'F-2026-0012', serviceCode: null, engagement: null, serviceLabel: null })
    const id = await push(s, bytes, 'facture-12.pdf')
    const incomplete = await s.until(async () => {
      const d = await doc(s, id)
      return d.state === 'incomplete' || d.state === 'error' || d.state === 'submitted' ? d : undefined
    }, 30_000, 'document analysed')
    expect(incomplete.state).toBe('incomplete')
    expect(incomplete.problems.map((p: any) => p.code)).toContain('service_required')
    expect(incomplete.problems.find((p: any) => p.code === 'service_required').field).toBe('serviceCode')

    const notReady = await s.api(`/documents/${id}/validate`, { method: 'POST' })
    expect(notReady.status).toBe(409)

    const wrong = await s.api(`/documents/${id}`, { method: 'PATCH', json: { fields: { serviceCode: 'ANCIENS_ACHATS' } } })
    expect(wrong.status).toBe(200)
    expect(((await wrong.json()) as any).problems.map((p: any) => p.code)).toContain('service_inactive')

    const before = (await (await s.sandbox('/calls')).json()) as Record<string, number>
    const res = await s.api(`/documents/${id}/validate`, { method: 'POST', json: { fields: { serviceCode: 'ACHATS' } } })
    const body = (await res.json()) as any
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.document.state).toBe('submitted')
    expect(body.document.fields.serviceCode).toMatchObject({ value: 'ACHATS', origin: 'person' })
    expect('nextDocumentId' in body).toBe(true)
    const after = (await (await s.sandbox('/calls')).json()) as Record<string, number>
    expect(after['factures/v1/soumettre']! - (before['factures/v1/soumettre'] ?? 0)).toBe(1)

    // Validating a submitted document again answers it as it is: nothing goes to Chorus Pro twice.
    const again = await s.api(`/documents/${id}/validate`, { method: 'POST' })
    expect(again.status).toBe(200)
    const last = (await (await s.sandbox('/calls')).json()) as Record<string, number>
    expect(last['factures/v1/soumettre']).toBe(after['factures/v1/soumettre'])
  })

  it('refuses a duplicate invoice number before sending it', async () => {
    const { bytes } = await invoicePdf({ seed: 13, recipientIndex: 0, number: 'F-2026-0011', serviceCode: null, engagement: null })
    const id = await push(s, bytes, 'facture-13-doublon.pdf')
    const d = await s.until(async () => {
      const x = await doc(s, id)
      return x.state !== 'analysing' ? x : undefined
    }, 30_000, 'document analysed')
    expect(d.state).toBe('incomplete')
    expect(d.problems.map((p: any) => p.code)).toContain('invoice_number_duplicate')
  })

  it('lists an inactive recipient as a problem with the directory’s words', async () => {
    const { bytes } = await invoicePdf({ seed: 14, recipientIndex: 5, number: 'F-2026-0014' })
    const id = await push(s, bytes, 'facture-14.pdf')
    const d = await s.until(async () => {
      const x = await doc(s, id)
      return x.state !== 'analysing' ? x : undefined
    }, 30_000, 'document analysed')
    expect(d.problems.map((p: any) => p.code)).toContain('recipient_inactive')
    expect(SEED_STRUCTURES[5]!.active).toBe(false)
  })

  it('checks engagement numbers with Chorus Pro when the account asks for it', async () => {
    const accounts = (await (await s.api('/accounts')).json()) as any
    const demo = accounts.items.find((a: any) => a.isDemo)
    expect((await s.api(`/accounts/${demo.id}`, { method: 'PATCH', json: { checkEngagements: true, autoSubmit: false } })).status).toBe(200)
    try {
      const unknown = await invoicePdf({ seed: 15, recipientIndex: 2, number: 'F-2026-0015', serviceCode: null, engagement: 'EJ-2026-9999' })
      const known = await invoicePdf({ seed: 16, recipientIndex: 2, number: 'F-2026-0016', serviceCode: null, engagement: 'EJ-2026-0001' })
      const [a, b] = [await push(s, unknown.bytes, 'ej-inconnu.pdf'), await push(s, known.bytes, 'ej-connu.pdf')]
      const settled = (id: string) => s.until(async () => { const x = await doc(s, id); return x.state !== 'analysing' ? x : undefined }, 30_000, 'document analysed')
      const da = await settled(a)
      const db = await settled(b)
      expect(da.fields.engagementNumber.value).toBe('EJ-2026-9999')
      expect(da.problems.map((p: any) => p.code)).toEqual(['engagement_unknown'])
      expect(db.state, JSON.stringify(db.problems)).toBe('ready')
    } finally {
      await s.api(`/accounts/${demo.id}`, { method: 'PATCH', json: { checkEngagements: false, autoSubmit: true } })
    }
  })

  it('answers the directory by SIRET, from the cache or fresh on demand, and keeps an audit trail', async () => {
    const siret = SEED_STRUCTURES[1]!.siret
    const fresh = (await (await s.api(`/structures/${siret}?refresh=true`)).json()) as any
    expect(fresh).toMatchObject({ siret, found: true, active: true, serviceRequired: true, fromCache: false })
    expect(fresh.services.map((x: any) => x.code)).toContain('ACHATS')
    const cached = (await (await s.api(`/structures/${siret}`)).json()) as any
    expect(cached.fromCache).toBe(true)
    const bad = await s.api('/structures/12345678901234')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.code).toBe('invalid_siret')
    const audit = (await (await s.api('/audit?action=document.edit')).json()) as any
    expect(audit.total).toBeGreaterThanOrEqual(1)
    expect(audit.items[0].targetType).toBe('document')
  })
})

