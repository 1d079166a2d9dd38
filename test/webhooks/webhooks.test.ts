import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { emitWebhookEvent } from '../../src/workflows/webhooks/emit-webhook-event'
import { deliverWebhook, verifyWebhook } from '../../src/workflows/webhooks/deliver-webhook'
import { PermanentJobError } from '../../src/workflows/jobs'
import { json, trackingWorld, type TrackingWorld } from '../tracking/tracking-harness'

interface Received {
  headers: IncomingMessage['headers']
  body: string
}

/** A host receiving webhooks on loopback; answers with the statuses queued in `answers` (200 when empty). */
async function startReceiver() {
  const received: Received[] = []
  const answers: number[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.statusCode = answers.shift() ?? 200
      res.end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, answers, close: () => new Promise<void>((r) => server.close(() => r())) }
}

describe.each(testEngines())('webhooks on $name', (engine) => {
  let t: TestDatabase
  let w: TrackingWorld
  let host: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    t = await engine.open()
    w = await trackingWorld(t)
    host = await startReceiver()
  })
  afterAll(async () => {
    await host?.close()
    await w?.close()
    await t?.close()
  })

  it('is configured by an admin: secret generated and shown once, stored encrypted, events validated', async () => {
    expect((await w.call('operator', '/api/v1/webhooks')).status).toBe(403)
    const bad = await w.call('admin', '/api/v1/webhooks', json({ url: 'ftp://x', events: ['invoice.paid'] }))
    expect(bad.status).toBe(400)
    const res = await w.call('admin', '/api/v1/webhooks', json({ url: host.url, events: ['invoice.status_changed', 'invoice.to_process'] }))
    expect(res.status).toBe(201)
    const hook = await res.json() as any
    expect(hook.secret).toMatch(/^whsec_/)
    const row = await t.db.selectFrom('webhooks').selectAll().where('id', '=', hook.id).executeTakeFirstOrThrow()
    expect(row.secret_enc).not.toContain(hook.secret)
    expect(w.ports.secrets.open(row.secret_enc)).toBe(hook.secret)
    const listed = await (await w.call('admin', '/api/v1/webhooks')).json() as any
    expect(listed.items[0].secret).toBeUndefined()
  })

  it('delivers signed events, retries failures through the queue, and logs every attempt', async () => {
    const hook = (await (await w.call('admin', '/api/v1/webhooks')).json() as any).items[0]
    const secret = w.ports.secrets.open((await t.db.selectFrom('webhooks').select('secret_enc').where('id', '=', hook.id).executeTakeFirstOrThrow()).secret_enc)
    // Not subscribed: no delivery.
    expect(await emitWebhookEvent(w.ports, t.db, 'document.analysed', { documentId: '1' })).toBe(0)
    expect(await emitWebhookEvent(w.ports, t.db, 'invoice.status_changed', { invoiceId: '42', status: 'MISE_EN_PAIEMENT' })).toBe(1)
    const job = await t.db.selectFrom('jobs').selectAll().where('kind', '=', 'webhook.deliver').orderBy('id', 'desc').executeTakeFirstOrThrow()
    const deliveryId = String(job.payload.deliveryId)
    const handler = (attempt: number) => deliverWebhook(w.ports, deliveryId, { lastAttempt: attempt >= job.max_attempts })

    host.answers.push(500)
    await expect(handler(1)).rejects.toThrow(/HTTP 500/)
    let d = await t.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow()
    expect(d).toMatchObject({ state: 'pending', attempts: 1, response_status: 500 })

    await handler(2)
    d = await t.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow()
    expect(d).toMatchObject({ state: 'delivered', attempts: 2, response_status: 200, error: null })
    expect(d.delivered_at).not.toBeNull()

    const got = host.received.at(-1)!
    expect(got.headers['content-type']).toBe('application/json')
    expect(got.headers['x-chorus-event']).toBe('invoice.status_changed')
    expect(got.headers['x-chorus-delivery']).toBe(deliveryId)
    const ts = String(got.headers['x-chorus-timestamp'])
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60)
    expect(verifyWebhook(secret, ts, got.body, String(got.headers['x-chorus-signature']))).toBe(true)
    expect(verifyWebhook(secret, ts, got.body.replace('42', '43'), String(got.headers['x-chorus-signature']))).toBe(false)
    expect(verifyWebhook('wrong-secret-wrong', ts, got.body, String(got.headers['x-chorus-signature']))).toBe(false)
    expect(JSON.parse(got.body)).toMatchObject({ id: deliveryId, event: 'invoice.status_changed', data: { invoiceId: '42', status: 'MISE_EN_PAIEMENT' } })

    // Delivered once: running the job again sends nothing.
    const count = host.received.length
    await handler(3)
    expect(host.received.length).toBe(count)

    const log = await (await w.call('admin', `/api/v1/webhooks/${hook.id}/deliveries`)).json() as any
    expect(log.items[0]).toMatchObject({ id: deliveryId, state: 'delivered', attempts: 2 })
  })

  it('gives up at the last attempt or on 410 Gone, and can be redelivered by an admin', async () => {
    await emitWebhookEvent(w.ports, t.db, 'invoice.to_process', { invoiceId: '7' })
    const job = await t.db.selectFrom('jobs').selectAll().where('kind', '=', 'webhook.deliver').orderBy('id', 'desc').executeTakeFirstOrThrow()
    const id = String(job.payload.deliveryId)
    host.answers.push(503)
    expect(await deliverWebhook(w.ports, id, { lastAttempt: true })).toBe('failed')
    expect((await t.db.selectFrom('webhook_deliveries').select(['state', 'error']).where('id', '=', id).executeTakeFirstOrThrow())).toMatchObject({ state: 'failed', error: expect.stringMatching(/HTTP 503/) })

    const re = await w.call('admin', `/api/v1/webhooks/deliveries/${id}/redeliver`, { method: 'POST' })
    expect(re.status).toBe(202)
    host.answers.push(410)
    await expect(deliverWebhook(w.ports, id, { lastAttempt: false })).rejects.toBeInstanceOf(PermanentJobError)
    expect((await t.db.selectFrom('webhook_deliveries').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('failed')

    // A receiver that is down: a network error is recorded, and retried.
    await emitWebhookEvent(w.ports, t.db, 'invoice.to_process', { invoiceId: '8' })
    const j2 = await t.db.selectFrom('jobs').selectAll().where('kind', '=', 'webhook.deliver').orderBy('id', 'desc').executeTakeFirstOrThrow()
    const hook = (await (await w.call('admin', '/api/v1/webhooks')).json() as any).items[0]
    await w.call('admin', `/api/v1/webhooks/${hook.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'http://127.0.0.1:9/nothing-listens' }) })
    await expect(deliverWebhook(w.ports, String(j2.payload.deliveryId), { lastAttempt: false })).rejects.toThrow(/network error/)
    await w.call('admin', `/api/v1/webhooks/${hook.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: host.url, enabled: false }) })
    expect(await deliverWebhook(w.ports, String(j2.payload.deliveryId), { lastAttempt: false })).toBe('skipped')
  })

  it('sends a test event and removes a webhook with its log', async () => {
    const hook = (await (await w.call('admin', '/api/v1/webhooks')).json() as any).items[0]
    await w.call('admin', `/api/v1/webhooks/${hook.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: true }) })
    const test = await w.call('admin', `/api/v1/webhooks/${hook.id}/test`, { method: 'POST' })
    expect(test.status).toBe(202)
    const d = await test.json() as any
    expect(await deliverWebhook(w.ports, d.id, { lastAttempt: false })).toBe('delivered')
    expect(host.received.at(-1)!.headers['x-chorus-event']).toBe('webhook.test')
    expect((await w.call('admin', `/api/v1/webhooks/${hook.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await w.call('admin', `/api/v1/webhooks/${hook.id}`)).status).toBe(404)
    expect(await t.db.selectFrom('webhook_deliveries').select('id').execute()).toHaveLength(0)
  })
})
