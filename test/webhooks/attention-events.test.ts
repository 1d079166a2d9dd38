import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { invoicePdf } from '../support/invoice-pdf'

/**
 * Issue 16, item 3: a push source's host hears what the tabs show. A document left red in To submit
 * reaches the host as a signed `document.needs_attention` with its reasons (the password-expiry event
 * is proven with the daily account check in test/wiring/schedules.test.ts).
 */
describe.each(testEngines())('document.needs_attention on $name', (engine) => {
  let t: TestDatabase | undefined
  let s: TestService
  const received: Array<{ headers: IncomingMessage['headers']; body: any }> = []
  const host = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) })
      res.end('ok')
    })
  })
  beforeAll(async () => {
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()))
    t = engine.name === 'postgres' ? await engine.open() : undefined
    s = await startTestService({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', ...(t?.url ? { DATABASE_URL: t.url } : {}) })
  }, 60_000)
  afterAll(async () => {
    await s?.stop()
    await t?.close()
    await new Promise<void>((r) => host.close(() => r()))
  })

  it('sends the reasons of a document that needs a person, signed, to a host subscribed to it', async () => {
    const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/hooks`
    const hook = await s.api('/webhooks', { method: 'POST', json: { url, events: ['document.needs_attention'] } })
    expect(hook.status, await hook.clone().text()).toBe(201)
    // A recipient that requires a service code, and none printed.
    const { bytes } = await invoicePdf({ seed: 161, recipientIndex: 1, number: 'F-2026-0161', serviceCode: null, engagement: null, serviceLabel: null })
    const form = new FormData()
    form.set('file', new File([bytes], 'facture-161.pdf', { type: 'application/pdf' }))
    const pushed = await s.api('/documents', { method: 'POST', body: form })
    expect(pushed.status).toBe(201)
    const documentId = ((await pushed.json()) as any).document.id as string

    const got = await s.until(async () => received.find((r) => r.body.data?.documentId === documentId), 30_000, 'document.needs_attention delivered')
    expect(got.headers['x-chorus-event'] ?? got.body.event).toBe('document.needs_attention')
    expect(got.body.event).toBe('document.needs_attention')
    expect(got.body.data.filename).toBe('facture-161.pdf')
    const reason = got.body.data.reasons.find((r: any) => r.code === 'service_required')
    expect(reason).toMatchObject({ field: 'serviceCode', message: { fr: expect.any(String), en: expect.any(String) } })
    expect(Object.keys(got.headers).some((h) => /signature/i.test(h))).toBe(true)
    // Subscribed to this event only: the analysis event itself is not sent.
    expect(received.every((r) => r.body.event === 'document.needs_attention')).toBe(true)
  })
})
