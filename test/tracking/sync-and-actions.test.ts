import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { syncStatuses, nextPollDelayMs } from '../../src/workflows/tracking/sync-statuses'
import { lookupStructure } from '../../src/workflows/directory/directory-lookup'
import { SEED_STRUCTURES } from '../../src/sandbox'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { ACCOUNT, saisie, sandboxClient } from '../chorus/sandbox-harness'
import { json, OPEN_RECIPIENT, trackingWorld, type TrackingWorld } from './tracking-harness'

const SERVICE_STRUCTURE = SEED_STRUCTURES.find((s) => s.serviceRequired && s.active && !s.engagementRequired)!
const INACTIVE_STRUCTURE = SEED_STRUCTURES.find((s) => !s.active)!

describe.each(testEngines())('status sync and to-process actions on $name', (engine) => {
  let t: TestDatabase
  let w: TrackingWorld
  beforeAll(async () => {
    t = await engine.open()
    w = await trackingWorld(t)
  })
  afterAll(async () => {
    await w?.close()
    await t?.close()
  })

  const inv = (id: string) => t.db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const events = (id: string) => t.db.selectFrom('invoice_events').selectAll().where('invoice_id', '=', id).orderBy('id').execute()

  it('stores the history, emits webhook events, discovers invoices submitted elsewhere, and stops polling final ones', async () => {
    await t.db.insertInto('webhooks').values({ url: 'http://127.0.0.1:9/hook', secret_enc: w.ports.secrets.seal('s'.repeat(20)), events: JSON.stringify([]) }).execute()
    const a = await w.submit('SYNC-A')
    const b = await w.submit('SYNC-B')
    // Submitted through the Chorus portal, not through us.
    const elsewhere = await w.chorus.soumettre(ACCOUNT, saisie(OPEN_RECIPIENT.siret, { numero: 'ELSEWHERE-1' }))
    await w.sandbox.setStatus(a.chorusId, 'MISE_A_DISPOSITION')
    await w.sandbox.setStatus(a.chorusId, 'SUSPENDUE', 'Pièce justificative manquante')
    await w.sandbox.setStatus(b.chorusId, 'MISE_EN_PAIEMENT')

    const r1 = await syncStatuses(w.ports)
    expect(r1.errors).toEqual([])
    expect(r1.discovered).toBe(1)
    expect(r1.polled).toBe(3)
    const ia = await inv(a.id)
    expect(ia.status).toBe('SUSPENDUE')
    expect(ia.status_comment).toBe('Pièce justificative manquante')
    expect(ia.to_process).toBe(true)
    expect((await events(a.id)).filter((e) => e.kind === 'status').map((e) => e.status)).toEqual(expect.arrayContaining(['DEPOSEE', 'MISE_A_DISPOSITION', 'SUSPENDUE']))
    const ib = await inv(b.id)
    expect(ib.final).toBe(true)
    expect(ib.next_poll_at).toBeNull()
    const found = await t.db.selectFrom('invoices').selectAll().where('chorus_invoice_id', '=', String(elsewhere.identifiantFactureCPP)).executeTakeFirstOrThrow()
    expect(found.document_id).toBeNull()
    expect(found.invoice_number).toBe('ELSEWHERE-1')
    expect(found.amount_gross).toBe('120.00')

    const deliveries = await t.db.selectFrom('webhook_deliveries').select(['event', 'payload']).execute()
    expect(deliveries.filter((d) => d.event === 'invoice.status_changed').length).toBe(2)
    const toProcess = deliveries.filter((d) => d.event === 'invoice.to_process')
    expect(toProcess).toHaveLength(1)
    expect((toProcess[0]!.payload as any).data).toMatchObject({ invoiceId: a.id, status: 'SUSPENDUE', previousStatus: 'DEPOSEE' })
    expect(await t.db.selectFrom('jobs').select('id').where('kind', '=', 'webhook.deliver').execute()).toHaveLength(3)

    // A second run right away: nothing is due (changed ones wait the base interval), history is not duplicated.
    const before = (await events(a.id)).length
    const r2 = await syncStatuses(w.ports)
    expect(r2.polled).toBe(0)
    // Later: the paid one is never polled again; the others are, and unchanged ones back off.
    w.ports.clock.offsetMs = 26 * 60_000
    const r3 = await syncStatuses(w.ports)
    expect(r3.polled).toBe(2)
    expect(r3.changed).toBe(0)
    expect((await events(a.id)).length).toBe(before)
    expect((await inv(a.id)).unchanged_polls).toBe(1)
    expect(nextPollDelayMs(1, 1000, 10_000)).toBe(1000)
    expect(nextPollDelayMs(3, 1000, 10_000)).toBe(4000)
    expect(nextPollDelayMs(30, 1000, 10_000)).toBe(10_000)
    w.ports.clock.offsetMs = 0
  })

  it('completes a suspended invoice with a comment and attachments (multipart)', async () => {
    const a = await w.submit('SUSPEN-1')
    await w.sandbox.setStatus(a.chorusId, 'SUSPENDUE', 'Bon de commande manquant')
    const form = new FormData()
    form.set('comment', 'Voici le bon de commande')
    form.append('attachments', new File([new Uint8Array([37, 80, 68, 70, 45])], 'bon-de-commande.pdf', { type: 'application/pdf' }))
    const res = await w.call('operator', `/api/v1/invoices/${a.id}/complete`, { method: 'POST', body: form })
    expect(res.status, await res.clone().text()).toBe(200)
    expect((await res.json() as any).status).toBe('COMPLETEE')
    const calls = await w.sandbox.calls()
    expect(calls['transverses/v1/ajouter/fichier']).toBe(1)
    const action = (await events(a.id)).find((e) => e.kind === 'action')!
    expect(action.actor).toMatch(/^key:/)
    expect((action.payload as any).attachments[0]).toMatchObject({ filename: 'bon-de-commande.pdf', size: 5 })
    const detail = await (await w.call('viewer', `/api/v1/invoices/${a.id}`)).json() as any
    expect(detail.history.length).toBeGreaterThan(1)
    expect(detail.links.attachments).toHaveLength(1)
    const file = await w.call('viewer', detail.links.attachments[0].url)
    expect(file.status).toBe(200)
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([37, 80, 68, 70, 45]))

    // Not suspended any more: a clear 409, after asking Chorus.
    const again = await w.call('operator', `/api/v1/invoices/${a.id}/complete`, json({ comment: 'encore' }))
    expect(again.status).toBe(409)
    expect((await again.json() as any).error.code).toBe('invoice_status_conflict')
    const exe = new FormData()
    exe.append('attachments', new File([new Uint8Array([1])], 'virus.exe'))
    const bad = await w.call('operator', `/api/v1/invoices/${a.id}/complete`, { method: 'POST', body: exe, headers: { 'accept-language': 'en' } })
    expect(bad.status).toBe(400)
    expect((await bad.json() as any).error.message).toMatch(/Attachment type refused/)
    const long = await w.call('operator', `/api/v1/invoices/${a.id}/complete`, json({ comment: 'x'.repeat(2001) }))
    expect(long.status).toBe(400)
  })

  it('settles an unknown completer outcome by reading the status back, never by calling again', async () => {
    const a = await w.submit('SUSPEN-2')
    await w.sandbox.setStatus(a.chorusId, 'SUSPENDUE')
    await w.sandbox.faults({ failNext: { 'factures/v1/completer': 1 } })
    const res = await w.call('operator', `/api/v1/invoices/${a.id}/complete`, json({ comment: 'pièce ajoutée' }))
    // The 503 came before Chorus applied it: the status is still SUSPENDUE, so we say it was not applied.
    expect(res.status).toBe(503)
    const body = await res.json() as any
    expect(['chorus_not_applied', 'chorus_unavailable']).toContain(body.error.code.replace(/^chorus_chorus_/, 'chorus_'))
    const calls = await w.sandbox.calls()
    expect(calls['factures/v1/completer']).toBe(2) // SUSPEN-1's call + this single attempt
    const ok = await w.call('operator', `/api/v1/invoices/${a.id}/complete`, json({ comment: 'pièce ajoutée' }))
    expect(ok.status).toBe(200)
  })

  it('treats a recycler answer lost on the way back as done once the status read back says so', async () => {
    const a = await w.submit('RECYCL-LOST')
    await w.sandbox.setStatus(a.chorusId, 'A_RECYCLER')
    // A proxy that forwards recycler to the sandbox (which applies it) and then loses the answer (502).
    const proxy = serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: async (req) => {
        const u = new URL(req.url)
        const res = await fetch(`${w.sandbox.base}${u.pathname}`, { method: req.method, headers: req.headers, body: req.method === 'POST' ? await req.text() : undefined })
        if (u.pathname.endsWith('/factures/v1/recycler')) return new Response('Bad Gateway', { status: 502 })
        return res
      },
    })
    await new Promise<void>((r) => proxy.once('listening', () => r()))
    const real = w.ports.chorus
    ;(w.ports as any).chorus = sandboxClient(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)
    try {
      const res = await w.call('operator', `/api/v1/invoices/${a.id}/recycle`, json({ recipientSiret: OPEN_RECIPIENT.siret }))
      expect(res.status, await res.clone().text()).toBe(200)
      expect((await res.json() as any).status).toBe('DEPOSEE')
      const action = (await events(a.id)).find((e) => e.kind === 'action')!
      expect((action.payload as any).reconciled).toBe(true)
    } finally {
      ;(w.ports as any).chorus = real
      await new Promise<void>((r) => proxy.close(() => r()))
    }
  })

  it('recycles after checking the directory, and can save the mapping', async () => {
    const a = await w.submit('RECYCL-1', { withDocument: true })
    await w.sandbox.setStatus(a.chorusId, 'A_RECYCLER', 'Code service erroné')
    const recyclerCalls = (await w.sandbox.calls())['factures/v1/recycler'] ?? 0
    const missing = await w.call('operator', `/api/v1/invoices/${a.id}/recycle`, json({ recipientSiret: SERVICE_STRUCTURE.siret }))
    expect(missing.status).toBe(422)
    expect((await missing.json() as any).error.code).toBe('service_required')
    const inactive = await w.call('operator', `/api/v1/invoices/${a.id}/recycle`, json({ recipientSiret: INACTIVE_STRUCTURE.siret }))
    expect(inactive.status).toBe(422)
    expect((await inactive.json() as any).error.code).toBe('recipient_inactive')
    const unknownService = await w.call('operator', `/api/v1/invoices/${a.id}/recycle`, json({ recipientSiret: SERVICE_STRUCTURE.siret, serviceCode: 'NOPE' }))
    expect((await unknownService.json() as any).error.code).toBe('service_unknown')
    const badSiret = await w.call('operator', `/api/v1/invoices/${a.id}/recycle`, json({ recipientSiret: '12345678901234' }))
    expect(badSiret.status).toBe(400)
    expect((await w.sandbox.calls())['factures/v1/recycler'] ?? 0).toBe(recyclerCalls)

    const service = SERVICE_STRUCTURE.services.find((s) => s.active && !s.engagementRequired && s.code !== 'FACTURES_PUBLIQUES')!
    const res = await w.call('operator', `/api/v1/invoices/${a.id}/recycle`, json({ recipientSiret: SERVICE_STRUCTURE.siret, serviceCode: service.code, comment: 'Bon service', saveMapping: true }))
    expect(res.status, await res.clone().text()).toBe(200)
    const body = await res.json() as any
    expect(body).toMatchObject({ status: 'DEPOSEE', recipientSiret: SERVICE_STRUCTURE.siret, serviceCode: service.code, recipientName: SERVICE_STRUCTURE.name })
    const mapping = await t.db.selectFrom('recipient_mappings').selectAll().where('label', '=', 'Mairie de Sandbox').executeTakeFirstOrThrow()
    expect(mapping).toMatchObject({ recipient_siret: SERVICE_STRUCTURE.siret, service_code: service.code })
    // The directory answer is cached: a second lookup makes no call.
    const before = (await w.sandbox.calls())['structures/v1/rechercher'] ?? 0
    const s = await lookupStructure(w.ports, w.account, SERVICE_STRUCTURE.siret)
    expect(s.fromCache).toBe(true)
    expect(s.serviceRequired).toBe(true)
    expect((await w.sandbox.calls())['structures/v1/rechercher'] ?? 0).toBe(before)
    // Not to recycle any more.
    expect((await w.call('operator', `/api/v1/invoices/${a.id}/recycle`, json({ recipientSiret: OPEN_RECIPIENT.siret }))).status).toBe(409)
  })

  it('handles a rejection and links the replacement when it arrives', async () => {
    const a = await w.submit('REJET-1')
    await w.sandbox.setStatus(a.chorusId, 'REJETEE', 'Montant erroné')
    const empty = await w.call('operator', `/api/v1/invoices/${a.id}/handle`, json({}))
    expect(empty.status).toBe(400)
    const res = await w.call('operator', `/api/v1/invoices/${a.id}/handle`, json({ creditNoteNumber: 'AV-1', replacementInvoiceNumber: 'REPL-1', note: 'Avoir émis, facture refaite' }))
    expect(res.status, await res.clone().text()).toBe(200)
    const body = await res.json() as any
    expect(body).toMatchObject({ handled: true, toProcess: false, final: true })
    const list = await (await w.call('viewer', '/api/v1/invoices?tab=to-process')).json() as any
    expect(list.items.map((i: any) => i.id)).not.toContain(a.id)
    const repl = await w.submit('REPL-1')
    await syncStatuses(w.ports)
    const linked = await inv(a.id)
    expect((linked.handling as any).replacementInvoiceId).toBe(repl.id)
    expect((await w.call('operator', `/api/v1/invoices/${a.id}/handle`, json({ note: 'x' }))).status).toBe(409)
  })

  it('answers clear errors, never a 500', async () => {
    expect((await w.call('operator', '/api/v1/invoices/999999/complete', json({ comment: 'x' }))).status).toBe(404)
    expect((await w.call('viewer', '/api/v1/invoices/abc')).status).toBe(400)
    expect((await w.call('viewer', '/api/v1/invoices/1/recycle', json({ recipientSiret: OPEN_RECIPIENT.siret }))).status).toBe(403)
    const r = await w.call('operator', '/api/v1/invoices/sync', { method: 'POST' })
    expect(r.status).toBe(202)
    const r2 = await w.call('operator', '/api/v1/invoices/sync', { method: 'POST' })
    expect((await r2.json() as any).queued).toBe(false)
  })
})
