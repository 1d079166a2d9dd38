import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testEngines, type TestDatabase } from '../support/databases'
import { startFakeOdoo, type FakeOdoo, type FakeOdooOptions } from '../support/fake-odoo'
import { startTestService, type TestService } from '../support/in-process-service'
import { invoicePdf } from '../support/invoice-pdf'
import { resetOdooClientState } from '../../src/sources/odoo/odoo-client'

const API_KEY = 'odoo-api-key-write-back-0123456789'
const DEFAULT_TAGS = { in_progress: 'Chorus Pro : Déposée', to_process: 'Chorus Pro : À traiter', paid: 'Chorus Pro : Mise en paiement' }
const CUSTOM_TAGS = { in_progress: 'CPP en cours', to_process: 'CPP à traiter', paid: 'CPP payée' }

/**
 * Issue 16, item 1 (the proof): a document taken from the Odoo stand-in is submitted to the sandbox by
 * the real service (worker, queue, sync), then moves through three statuses; after each step the tags
 * and the chatter are read back from the stand-in. On JSON-2 (19), on JSON-RPC (18, and 17 whose tags
 * live in a facet of the document's workspace), with the default settings and with custom tag names and
 * fewer messages. An Odoo that refuses the write-back never stops the sync, and the queue retries it.
 */
const VARIANTS: Array<{ key: string; server: FakeOdooOptions; connection: Record<string, unknown>; writeBack?: Record<string, unknown>; tags: typeof DEFAULT_TAGS; messages: number; number: string }> = [
  { key: 'v19 over JSON-2', server: { set: 'v19' }, connection: { database: 'odoo' }, tags: DEFAULT_TAGS, messages: 4, number: 'F-2026-1601' },
  {
    key: 'v18 over JSON-RPC, custom tags, no note for statuses in progress',
    server: { set: 'v18' },
    connection: { database: 'odoo', login: 'connector@example.com' },
    writeBack: { tags: CUSTOM_TAGS, messageOn: ['submitted', 'to_process', 'rejected', 'paid'], language: 'en' },
    tags: CUSTOM_TAGS,
    messages: 3,
    number: 'F-2026-1602',
  },
  { key: 'v17 over JSON-RPC (facets)', server: { set: 'v17' }, connection: { database: 'odoo', login: 'connector@example.com' }, tags: DEFAULT_TAGS, messages: 4, number: 'F-2026-1603' },
]

describe.each(testEngines())('Odoo write-back on $name', (engine) => {
  let t: TestDatabase | undefined
  let s: TestService
  beforeAll(async () => {
    resetOdooClientState()
    t = engine.name === 'postgres' ? await engine.open() : undefined
    s = await startTestService(t?.url ? { DATABASE_URL: t.url } : {})
    // Statuses move only when the test says so.
    expect((await s.sandbox('/clock', { method: 'POST', json: { paused: true } })).status).toBe(200)
  }, 60_000)
  afterAll(async () => {
    await s?.stop()
    await t?.close()
  })

  const db = () => s.service.database.db
  const writeBacks = (documentId: string) => db().selectFrom('write_backs').selectAll().where('document_id', '=', documentId).orderBy('id').execute()
  /** Waits until the document has `n` write-backs, all carried out. */
  const settled = (documentId: string, n: number) =>
    s.until(async () => {
      const rows = await writeBacks(documentId)
      return rows.length === n && rows.every((r) => r.state === 'done') ? rows : undefined
    }, 30_000, `${n} write-backs done`)
  const sync = async () => expect((await s.api('/invoices/sync', { method: 'POST' })).status).toBeLessThan(300)

  describe.each(VARIANTS)('Odoo $key', (v) => {
    let odoo: FakeOdoo
    let odooDoc: number
    let folder: number
    let documentId: string
    let chorusId: number
    beforeAll(async () => {
      odoo = await startFakeOdoo({ ...v.server, apiKey: API_KEY })
      folder = odoo.addFolder('Factures clients publics')
      const facture = odoo.addTag('Facture')
      const { bytes } = await invoicePdf({ seed: Number(v.number.slice(-4)), recipientIndex: 0, number: v.number, serviceCode: null, engagement: null })
      odooDoc = odoo.addDocument({ name: `${v.number}.pdf`, folderId: folder, bytes, tagIds: [facture] })
      const src = await s.api('/sources', { method: 'POST', json: { kind: 'odoo', name: `odoo ${v.key}`, config: { url: odoo.url, ...v.connection, apiKey: API_KEY, rootFolderId: folder, ...(v.writeBack ? { writeBack: v.writeBack } : {}) } } })
      expect(src.status, await src.clone().text()).toBe(201)
      const source = (await src.json()) as any
      expect(source.config.writeBack).toMatchObject({ enabled: true, tags: { ...v.tags } })
      expect(JSON.stringify(source)).not.toContain(API_KEY)
      expect((await s.api(`/sources/${source.id}/scan`, { method: 'POST' })).status).toBe(202)
    }, 60_000)
    afterAll(() => odoo?.close())

    it('tags the document "deposited" and posts a note once the invoice is submitted', async () => {
      const doc = await s.until(
        () => db().selectFrom('documents').selectAll().where('filename', '=', `${v.number}.pdf`).where('stage', '=', 'submitted').executeTakeFirst(),
        40_000,
        'document submitted',
      )
      documentId = doc.id
      const invoice = await db().selectFrom('invoices').selectAll().where('document_id', '=', documentId).executeTakeFirstOrThrow()
      chorusId = Number(invoice.chorus_invoice_id)
      const [wb] = await settled(documentId, 1)
      expect(wb).toMatchObject({ event: 'submitted', status: 'DEPOSEE', chorus_invoice_id: String(chorusId), invoice_number: v.number, attempts: 1 })
      // The host's own tag stays; ours is added.
      expect(odoo.tagNames(odooDoc)).toEqual(['Facture', v.tags.in_progress].sort())
      const [note] = odoo.messages(odooDoc)
      expect(note).toMatchObject({ message_type: 'comment', subtype: 'Note' })
      expect(note!.body).toContain(v.number)
      expect(note!.body).toContain(String(chorusId))
      expect(note!.body).toContain('(DEPOSEE)')
      expect(note!.body).toMatch(v.writeBack?.language === 'en' ? /Invoice submitted to Chorus Pro.*Deposited/ : /Facture déposée dans Chorus Pro.*Déposée/)
      expect(note!.body).toMatch(/\d{2}[/ ]\w+[/ ]\d{4},? \d{2}:\d{2} \(Europe\/Paris\)/)
      if (v.server.set === 'v17') {
        // 17: the tag is in a "Chorus Pro" facet of the document's workspace.
        const ours = odoo.tags().find((x) => x.name === v.tags.in_progress)!
        expect(ours.facetId).toBeTypeOf('number')
      }
    }, 60_000)

    it('follows three status changes: the group tag replaces the previous one, a note each (with the reason of a refusal)', async () => {
      // 1. To recycle, with Chorus Pro's reason.
      await s.sandbox(`/invoices/${chorusId}/status`, { method: 'POST', json: { status: 'A_RECYCLER', comment: 'Destinataire erroné : service <ACHATS> inconnu' } })
      await sync()
      await settled(documentId, 2)
      expect(odoo.tagNames(odooDoc)).toEqual(['Facture', v.tags.to_process].sort())
      const recycled = odoo.messages(odooDoc).at(-1)!
      expect(recycled.body).toContain('(A_RECYCLER)')
      // The reason, escaped (it is text, not HTML).
      expect(recycled.body).toContain(v.writeBack?.language === 'en' ? 'Reason: Destinataire erroné : service &lt;ACHATS&gt; inconnu' : 'Motif : Destinataire erroné : service &lt;ACHATS&gt; inconnu')

      // 2. Back on its way (in progress).
      await s.sandbox(`/invoices/${chorusId}/status`, { method: 'POST', json: { status: 'MISE_A_DISPOSITION' } })
      await sync()
      await settled(documentId, 3)
      expect(odoo.tagNames(odooDoc)).toEqual(['Facture', v.tags.in_progress].sort())

      // 3. Paid.
      await s.sandbox(`/invoices/${chorusId}/status`, { method: 'POST', json: { status: 'MISE_EN_PAIEMENT' } })
      await sync()
      const rows = await settled(documentId, 4)
      expect(rows.map((r) => r.status)).toEqual(['DEPOSEE', 'A_RECYCLER', 'MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT'])
      expect(odoo.tagNames(odooDoc)).toEqual(['Facture', v.tags.paid].sort())

      const notes = odoo.messages(odooDoc)
      expect(notes).toHaveLength(v.messages)
      expect(notes.map((n) => /\((\w+)\)<\/li>/.exec(n.body)?.[1])).toEqual(v.messages === 4 ? ['DEPOSEE', 'A_RECYCLER', 'MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT'] : ['DEPOSEE', 'A_RECYCLER', 'MISE_EN_PAIEMENT'])
      for (const n of notes) expect(n).toMatchObject({ message_type: 'comment', subtype: 'Note' })
      // Each tag was created once, and no key ever went into a JSON-2 body.
      const names = odoo.tags().map((x) => x.name)
      expect(names.length).toBe(new Set(names).size)
      expect(odoo.requests.filter((q) => q.path.startsWith('/json/2/')).every((q) => !q.body.includes(API_KEY))).toBe(true)
      expect(new Set(odoo.calls.filter((c) => c.method === 'message_post').map((c) => c.protocol))).toEqual(new Set([v.server.set === 'v19' ? 'json2' : 'jsonrpc']))
    }, 90_000)
  })

  /**
   * An Odoo (v19) with one invoice PDF, taken by a new source, submitted to the sandbox, its first
   * write-back done; then Odoo refuses message_post and Chorus Pro rejects the invoice, so the status
   * change's write-back fails. Answers once the first attempt has failed.
   */
  async function refusedStatusWriteBack(odoo: FakeOdoo, number: string) {
    const folder = odoo.addFolder(`Dossier ${number}`)
    const { bytes } = await invoicePdf({ seed: Number(number.slice(-4)), recipientIndex: 0, number, serviceCode: null, engagement: null })
    const odooDoc = odoo.addDocument({ name: `${number}.pdf`, folderId: folder, bytes })
    const src = (await (await s.api('/sources', { method: 'POST', json: { kind: 'odoo', name: `odoo ${number}`, config: { url: odoo.url, apiKey: API_KEY, rootFolderId: folder } } })).json()) as any
    await s.api(`/sources/${src.id}/scan`, { method: 'POST' })
    const doc = await s.until(() => db().selectFrom('documents').selectAll().where('filename', '=', `${number}.pdf`).where('stage', '=', 'submitted').executeTakeFirst(), 40_000, 'document submitted')
    const [submitted] = await settled(doc.id, 1)
    const invoice = await db().selectFrom('invoices').selectAll().where('document_id', '=', doc.id).executeTakeFirstOrThrow()
    // The key's user loses the right to post: the status still changes in the connector at once.
    odoo.deny('documents.document', 'message_post')
    await s.sandbox(`/invoices/${invoice.chorus_invoice_id}/status`, { method: 'POST', json: { status: 'REJETEE', comment: 'Montant erroné' } })
    await sync()
    await s.until(async () => (await db().selectFrom('invoices').select('status').where('id', '=', invoice.id).executeTakeFirst())?.status === 'REJETEE', 20_000, 'status synced')
    const failing = await s.until(async () => (await writeBacks(doc.id)).find((r) => r.event === 'status_changed' && r.attempts >= 1), 20_000, 'a failed attempt')
    return { odooDoc, doc, submitted: submitted!, failing }
  }

  it('never holds back the sync: a write-back Odoo refuses is retried by the queue until it goes through', async () => {
    const odoo = await startFakeOdoo({ set: 'v19', apiKey: API_KEY })
    try {
      const { odooDoc, doc, failing } = await refusedStatusWriteBack(odoo, 'F-2026-1604')
      expect(failing.state).toBe('pending')
      expect(failing.last_error).toMatch(/message_post/)
      expect(failing.last_error).not.toContain(API_KEY)
      // Listed for the admin, with its error.
      const listed = (await (await s.api(`/write-backs?documentId=${doc.id}`)).json()) as any
      expect(listed.items.find((x: any) => x.id === failing.id)).toMatchObject({ state: 'pending', status: 'REJETEE', lastError: expect.stringMatching(/message_post/) })

      odoo.deny(null)
      const rows = await settled(doc.id, 2)
      expect(rows[1]!.attempts).toBeGreaterThanOrEqual(2)
      expect(odoo.tagNames(odooDoc)).toEqual(['Chorus Pro : Rejetée'])
      expect(odoo.messages(odooDoc).at(-1)!.body).toContain('Motif : Montant erroné')
    } finally {
      await odoo.close()
    }
  }, 90_000)

  it('lets an admin retry a write-back that failed after its last attempt, once Odoo is fixed; only the latest of a document', async () => {
    const odoo = await startFakeOdoo({ set: 'v19', apiKey: API_KEY })
    try {
      const { odooDoc, doc, submitted, failing } = await refusedStatusWriteBack(odoo, 'F-2026-1605')
      // Twelve attempts take two hours: make the next one the last (the queue's own backoff is tested elsewhere).
      await db().updateTable('jobs').set({ max_attempts: sql<number>`attempts + 1`, run_at: new Date() }).where('kind', '=', 'document.write-back').where(sql<string>`payload->>'writeBackId'`, '=', failing.id).where('state', '=', 'pending').execute()
      await s.until(async () => (await writeBacks(doc.id)).find((r) => r.id === failing.id && r.state === 'failed'), 20_000, 'the write-back failed for good')
      const listed = (await (await s.api('/write-backs?state=failed')).json()) as any
      expect(listed.items.find((x: any) => x.id === failing.id)).toMatchObject({ invoiceNumber: 'F-2026-1605', status: 'REJETEE', state: 'failed', retryable: true, lastError: expect.stringMatching(/message_post/) })

      // One that went through cannot be retried.
      const done = await s.api(`/write-backs/${submitted.id}/retry`, { method: 'POST', headers: { 'accept-language': 'en' } })
      expect(done.status).toBe(409)
      expect(((await done.json()) as any).error).toMatchObject({ code: 'write_back_not_failed', message: 'Only a failed write-back can be retried; this one is done.' })

      // Odoo fixed: Retry tells it, once.
      odoo.deny(null)
      const retried = await s.api(`/write-backs/${failing.id}/retry`, { method: 'POST' })
      expect(retried.status, await retried.clone().text()).toBe(202)
      expect(await retried.json()).toMatchObject({ id: failing.id, state: 'pending', retryable: false })
      await settled(doc.id, 2)
      expect(odoo.tagNames(odooDoc)).toEqual(['Chorus Pro : Rejetée'])
      expect(odoo.messages(odooDoc).filter((m) => m.body.includes('Montant erroné'))).toHaveLength(1)
      expect((await s.api(`/write-backs/${failing.id}/retry`, { method: 'POST' })).status).toBe(409)
      expect((await db().selectFrom('audit_log').selectAll().where('action', '=', 'write_back.retry').where('target_id', '=', failing.id).execute()).length).toBe(1)

      // An earlier write-back that failed is replaced by the later one: retrying it would put Odoo back on an old status.
      await db().updateTable('write_backs').set({ state: 'failed' }).where('id', '=', submitted.id).execute()
      const older = ((await (await s.api(`/write-backs?documentId=${doc.id}`)).json()) as any).items.find((x: any) => x.id === submitted.id)
      expect(older).toMatchObject({ state: 'failed', retryable: false })
      const superseded = await s.api(`/write-backs/${submitted.id}/retry`, { method: 'POST', headers: { 'accept-language': 'fr' } })
      expect(superseded.status).toBe(409)
      expect(((await superseded.json()) as any).error.code).toBe('write_back_superseded')
      expect((await s.api('/write-backs/999999999/retry', { method: 'POST' })).status).toBe(404)
      await db().updateTable('write_backs').set({ state: 'done' }).where('id', '=', submitted.id).execute()
    } finally {
      await odoo.close()
    }
  }, 90_000)
})
