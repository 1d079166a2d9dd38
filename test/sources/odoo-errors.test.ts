import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { startFakeOdoo, type FakeOdoo, type FakeOdooOptions } from '../support/fake-odoo'
import { intakeApp, intakePorts, pdfBytes, type IntakeApp } from '../intake/intake-harness'
import { scanSource } from '../../src/workflows/intake/scan-source'
import { sourceAdapters } from '../../src/wiring'
import { resetOdooClientState } from '../../src/sources/odoo/odoo-client'

/**
 * What an admin reads on a failing Odoo source (its last error, in French and English), and that a
 * failure loses no document and stops no other source: the next scan picks up where the cursor is.
 */
const API_KEY = 'odoo-api-key-0123456789'

describe.each(testEngines())('Odoo source errors on $name', (engine) => {
  let t: TestDatabase
  let a: IntakeApp
  const servers: FakeOdoo[] = []
  beforeAll(async () => {
    t = await engine.open()
    a = await intakeApp(t, intakePorts(t))
  })
  afterAll(async () => {
    for (const s of servers) await s.close()
    await t.close()
  })
  afterEach(() => resetOdooClientState())

  let n = 0
  async function setup(server: FakeOdooOptions, config: Record<string, unknown> = {}, docs = 2) {
    const odoo = await startFakeOdoo({ apiKey: API_KEY, ...server })
    servers.push(odoo)
    const root = odoo.addFolder('Finance')
    const tag = odoo.addTag('Facture')
    const ids: number[] = []
    for (let i = 0; i < docs; i++) ids.push(odoo.addDocument({ name: `FA-${i}.pdf`, folderId: root, bytes: await pdfBytes(`${engine.name}-${n}-${i}`), tagIds: [tag] }))
    const src = await a.json('admin', '/api/v1/sources', { kind: 'odoo', name: `odoo-err-${++n}`, config: { url: odoo.url, database: 'odoo', login: 'connector@example.com', apiKey: API_KEY, rootFolderId: root, ...config } })
    expect(src.status).toBe(201)
    const id: string = src.body.id
    return {
      odoo, root, tag, ids, id,
      scan: () => scanSource(a.ports, id, sourceAdapters(a.ports)),
      docs: () => t.db.selectFrom('documents').select(['source_ref', 'filename']).where('source_id', '=', id).orderBy('id').execute(),
      lastError: async () => (await a.json('admin', `/api/v1/sources/${id}`)).body.lastError as string | null,
    }
  }

  it('an invalid or expired key (JSON-2 401): says keys last three months and where to make one, in French and English, never the key', async () => {
    const s = await setup({ set: 'v19' }, { apiKey: 'expired-key-5555555555' })
    const r = await s.scan()
    expect(r?.error).toMatch(/refuse la clé API \(HTTP 401 : Invalid apikey\).*trois mois.*Préférences → Sécurité du compte → Nouvelle clé API/)
    expect(r?.error).toMatch(/refuses the API key \(HTTP 401: Invalid apikey\).*three months.*Preferences → Account Security → New API Key/)
    expect(r?.error).not.toContain('expired-key-5555555555')
    expect(await s.lastError()).toBe(r?.error)
    expect(await s.docs()).toEqual([])
    // A new key (PATCH keeps the rest) and the next scan takes everything.
    const p = await a.json('admin', `/api/v1/sources/${s.id}`, { config: { url: s.odoo.url, apiKey: API_KEY, rootFolderId: s.root } }, 'PATCH')
    expect(p.status).toBe(200)
    expect((await s.scan())?.stats.received).toBe(2)
    expect(await s.lastError()).toBeNull()
  })

  it.each([{ set: 'v17' as const }, { set: 'v19' as const }])('$set: a missing Documents app is named as such', async ({ set }) => {
    const s = await setup({ set, documents: false }, {}, 0)
    const r = await s.scan()
    expect(r?.error).toMatch(/The Documents app is not installed on the Odoo at .* \(the model documents\.document does not exist\)/)
    expect(r?.error).toMatch(/L'application Documents n'est pas installée/)
  })

  it.each([{ set: 'v18' as const }, { set: 'v19' as const }])('$set: a missing access right fails the scan without losing a document; the next scan takes them', async ({ set }) => {
    const s = await setup({ set }, { pageSize: 1 }, 3)
    s.odoo.deny('documents.document', 'read') // search_read allowed, downloading (read datas) not
    const r = await s.scan()
    expect(r?.error).toMatch(/The API key's user may not call documents\.document\.read .*give it access to Documents/)
    expect(r?.error).toMatch(/n'a pas le droit d'appeler documents\.document\.read/)
    expect(await s.docs()).toEqual([])
    s.odoo.deny(null)
    const r2 = await s.scan()
    expect(r2?.error).toBeNull()
    expect((await s.docs()).map((d) => Number(d.source_ref))).toEqual(s.ids)
  })

  it('a rate limit in the middle of a scan: the error says so, the cursor keeps what was taken, the next scan takes the rest once allowed', async () => {
    const s = await setup({ set: 'v19' }, { pageSize: 1 }, 4)
    // Let the first page through (version, probe, context_get, fields_get, folders, tags, page 1, read): then 429 for two minutes.
    s.odoo.throttle(1, '120', 8)
    const r = await s.scan()
    expect(r?.error).toMatch(/rate limiting \(HTTP 429\): nothing is called for \d+ s; the next scan resumes/)
    expect(r?.error).toMatch(/limite le nombre d'appels \(HTTP 429\)/)
    const taken = (await s.docs()).length
    expect(taken).toBeGreaterThanOrEqual(1)
    expect(taken).toBeLessThan(4)
    // Until Retry-After is over, scans call nothing.
    const before = s.odoo.requests.length
    expect((await s.scan())?.error).toMatch(/HTTP 429/)
    expect(s.odoo.requests.length).toBe(before)
    resetOdooClientState() // two minutes later
    expect((await s.scan())?.error).toBeNull()
    const all = await s.docs()
    expect(all.map((d) => Number(d.source_ref))).toEqual(s.ids)
  })

  it('an unknown root folder fails the scan by name; a rule naming an unknown tag or folder is noted', async () => {
    const s = await setup({ set: 'v19' }, { rootFolderId: 987_654, receivedTag: 'Reçu Chorus' }, 1)
    const r = await s.scan()
    expect(r?.error).toMatch(/The Odoo folder 987654 \(rootFolderId\) does not exist or the API key's user cannot see it/)
    expect(r?.error).toMatch(/Le dossier Odoo 987654 \(rootFolderId\) n'existe pas/)

    const ok = await setup({ set: 'v18' }, { receivedTag: 'Reçu Chorus' }, 1)
    expect((await a.json('admin', '/api/v1/filing-rules', { sourceId: ok.id, name: 'Factures', match: { tags: { all: ['Facture'] } } })).status).toBe(201)
    expect((await a.json('admin', '/api/v1/filing-rules', { sourceId: ok.id, name: 'Avoirs', match: { folderId: 424_242, tags: { any: ['Avoir'] } } })).status).toBe(201)
    const r2 = await ok.scan()
    expect(r2?.stats.received).toBe(1) // the good rule still works
    expect(r2?.error).toContain('the tag "Reçu Chorus" does not exist in Odoo')
    expect(r2?.error).toContain('l\'étiquette « Reçu Chorus » n\'existe pas dans Odoo')
    expect(r2?.error).toContain('the rule "Avoirs" names tags Odoo does not have: "Avoir"')
    expect(r2?.error).toContain('la règle « Avoirs » nomme des étiquettes absentes d\'Odoo')
    expect(r2?.error).toContain('the rule "Avoirs" names the Odoo folder 424242, unknown or hidden')
  })

  it('a metadata field Odoo does not have is not requested (Odoo would refuse the whole search) and is noted', async () => {
    const s = await setup({ set: 'v19' }, { metadataFields: ['x_not_there'] }, 1)
    const r = await s.scan()
    expect(r?.stats.received).toBe(1)
    expect(r?.error).toContain('field(s) documents.document does not have in Odoo, not read: x_not_there')
    expect(s.odoo.requests.some((q) => q.body.includes('x_not_there'))).toBe(false)
  })

  it('a redirect to another origin is refused and named on the source', async () => {
    const s = await setup({ set: 'v18' }, {}, 1)
    const elsewhere = await startFakeOdoo({ set: 'v18', apiKey: API_KEY })
    servers.push(elsewhere)
    s.odoo.redirectTo(elsewhere.url, 301)
    const r = await s.scan()
    expect(r?.error).toContain(`redirects /web/version to another origin, ${elsewhere.url}: the API key is not sent there`)
    expect(elsewhere.requests).toEqual([])
    s.odoo.redirectTo(null)
    expect((await s.scan())?.stats.received).toBe(1)
  })

  it('a failing source stops no other: each scan resolves, the healthy one takes its documents', async () => {
    const broken = await setup({ set: 'v19' }, { apiKey: 'wrong-key-66666666' }, 1)
    const down = await setup({ set: 'v18' }, {}, 1)
    await down.odoo.close()
    const healthy = await setup({ set: 'v20' }, {}, 2)
    const [rb, rd, rh] = await Promise.all([broken.scan(), down.scan(), healthy.scan()])
    expect(rb?.error).toMatch(/HTTP 401/)
    expect(rd?.error).toMatch(/did not answer/)
    expect(rh?.error).toBeNull()
    expect(rh?.stats.received).toBe(2)
  })

  it('v19: documents in the global Inbox (a folder with no parent) come with their folder name', async () => {
    const odoo = await startFakeOdoo({ set: 'v19', apiKey: API_KEY })
    servers.push(odoo)
    const id = odoo.addDocument({ name: 'scan-inbox.pdf', folderId: odoo.inboxId!, bytes: await pdfBytes(`${engine.name}-inbox`) })
    const src = await a.json('admin', '/api/v1/sources', { kind: 'odoo', name: 'odoo-inbox', config: { url: odoo.url, apiKey: API_KEY, rootFolderId: odoo.inboxId } })
    expect(src.status).toBe(201)
    const r = await scanSource(a.ports, src.body.id, sourceAdapters(a.ports))
    expect(r?.error).toBeNull()
    const [d] = await t.db.selectFrom('documents').selectAll().where('source_id', '=', src.body.id).execute()
    expect(d?.source_ref).toBe(String(id))
    expect(d?.host_metadata).toMatchObject({ folder: 'Inbox', odooProtocol: 'json2' })
    // Neither login nor database configured: no X-Odoo-Database header.
    expect(odoo.requests.every((q) => q.headers['x-odoo-database'] === undefined)).toBe(true)
  })
})
