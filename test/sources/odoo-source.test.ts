import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { startFakeOdoo, type FakeOdoo, type FakeOdooOptions } from '../support/fake-odoo'
import { intakeApp, intakePorts, pdfBytes, type IntakeApp } from '../intake/intake-harness'
import { scanSource } from '../../src/workflows/intake/scan-source'
import { sourceAdapters } from '../../src/wiring'
import { createOdooClient, OdooError } from '../../src/sources/odoo/odoo-client'
import { detectModelSet } from '../../src/sources/odoo/odoo-source'

const API_KEY = 'odoo-api-key-0123456789'

/**
 * The Odoo servers the intake runs against: 17 and 18 over JSON-RPC, 19 and 20 over JSON-2 (the
 * source's protocol is left at auto, so each variant also proves the detection), and a 19 whose
 * `rpc` module is uninstalled (/jsonrpc answers 404). JSON-2 needs neither login nor database: the
 * no-rpc and v20 variants leave some out (no X-Odoo-Database then). JSON-RPC forced on a 19 closes the list.
 */
const VARIANTS: Array<{ key: string; server: FakeOdooOptions; protocol: 'jsonrpc' | 'json2'; connection: Record<string, unknown> }> = [
  { key: 'v17', server: { set: 'v17' }, protocol: 'jsonrpc', connection: { database: 'odoo', login: 'connector@example.com' } },
  { key: 'v18', server: { set: 'v18' }, protocol: 'jsonrpc', connection: { database: 'odoo', login: 'connector@example.com' } },
  { key: 'v19', server: { set: 'v19' }, protocol: 'json2', connection: { database: 'odoo', login: 'connector@example.com' } },
  { key: 'v19-no-rpc', server: { set: 'v19', rpc: false }, protocol: 'json2', connection: { database: 'odoo' } },
  { key: 'v20', server: { set: 'v20' }, protocol: 'json2', connection: {} },
  // JSON-RPC forced on a 19 (still served by its rpc module): the same model logic over the old transport.
  { key: 'v19-forced-jsonrpc', server: { set: 'v19' }, protocol: 'jsonrpc', connection: { database: 'odoo', login: 'connector@example.com', protocol: 'jsonrpc' } },
]

describe.each(testEngines())('Odoo Documents source on $name', (engine) => {
  let t: TestDatabase
  let a: IntakeApp
  beforeAll(async () => {
    t = await engine.open()
    a = await intakeApp(t, intakePorts(t))
  })
  afterAll(() => t.close())

  describe.each(VARIANTS)('Odoo $key over $protocol', ({ key: set, server, protocol, connection }) => {
    let odoo: FakeOdoo
    let sourceId: string
    let ids!: Record<'root' | 'publics' | 'sub' | 'other' | 'tFacture' | 'tBrouillon' | 'inSub' | 'inPublics' | 'draft' | 'untagged' | 'elsewhere' | 'image', number>
    beforeAll(async () => {
      odoo = await startFakeOdoo({ ...server, apiKey: API_KEY })
      const root = odoo.addFolder('Finance')
      const publics = odoo.addFolder('Clients publics', root)
      const sub = odoo.addFolder('Mairies', publics)
      const other = odoo.addFolder('RH')
      const tFacture = odoo.addTag('Facture')
      const tBrouillon = odoo.addTag('Brouillon')
      odoo.addTag('Chorus Pro: reçu')
      ids = {
        root, publics, sub, other, tFacture, tBrouillon,
        inSub: odoo.addDocument({ name: 'FA-1 Mairie.pdf', folderId: sub, bytes: await pdfBytes(`${set}-1`), tagIds: [tFacture], extra: { x_invoice_number: 'FA-1', x_buyer_siret: '21750001600019' } }),
        inPublics: odoo.addDocument({ name: 'FA-2.pdf', folderId: publics, bytes: await pdfBytes(`${set}-2`), tagIds: [tFacture] }),
        draft: odoo.addDocument({ name: 'brouillon.pdf', folderId: publics, bytes: await pdfBytes(`${set}-3`), tagIds: [tFacture, tBrouillon] }),
        untagged: odoo.addDocument({ name: 'sans-tag.pdf', folderId: publics, bytes: await pdfBytes(`${set}-4`) }),
        elsewhere: odoo.addDocument({ name: 'contrat.pdf', folderId: other, bytes: await pdfBytes(`${set}-5`), tagIds: [tFacture] }),
        image: odoo.addDocument({ name: 'photo.png', folderId: publics, bytes: new Uint8Array([137, 80, 78, 71]), tagIds: [tFacture], mimetype: 'image/png' }),
      }
      const src = await a.json('admin', '/api/v1/sources', { kind: 'odoo', name: `odoo-${set}`, config: { url: odoo.url, ...connection, apiKey: API_KEY, rootFolderId: root, receivedTag: 'Chorus Pro: reçu', metadataFields: ['x_invoice_number', 'x_buyer_siret'], pageSize: 2 } })
      expect(src.status).toBe(201)
      sourceId = src.body.id
      const rule = await a.json('admin', '/api/v1/filing-rules', { sourceId, name: 'Factures publiques', match: { folderId: publics, tags: { all: ['Facture'], none: ['Brouillon'] } }, metadataMap: { x_invoice_number: 'invoiceNumber', x_buyer_siret: 'recipientSiret', partner_id: 'recipientLabel' } })
      expect(rule.status).toBe(201)
    })
    afterAll(() => odoo.close())

    const scan = () => scanSource(a.ports, sourceId, sourceAdapters(a.ports))
    const docs = () => t.db.selectFrom('documents').selectAll().where('source_id', '=', sourceId).orderBy('id').execute()

    it('detects the transport and the model set (fields_get)', async () => {
      const client = createOdooClient({ url: odoo.url, ...connection, apiKey: API_KEY })
      expect(await client.protocol()).toBe(protocol)
      expect(await detectModelSet(client)).toBe(server.set === 'v17' ? 'v13-17' : 'v18+')
    })

    it('takes the PDFs the rules select (folder child_of, tags in / not in), paging by (write_date, id), and tags them in Odoo', async () => {
      const r = await scan()
      expect(r?.error).toBeNull()
      const d = await docs()
      expect(d.map((x) => x.filename).sort()).toEqual(['FA-1 Mairie.pdf', 'FA-2.pdf'])
      const fa1 = d.find((x) => x.filename === 'FA-1 Mairie.pdf')!
      expect(fa1.source_ref).toBe(String(ids.inSub))
      expect(fa1.fields).toEqual({ invoiceNumber: { value: 'FA-1', origin: 'host', confidence: 1 }, recipientSiret: { value: '21750001600019', origin: 'host', confidence: 1 } })
      expect(fa1.host_metadata).toMatchObject({ folder: 'Mairies', tags: ['Facture'], x_invoice_number: 'FA-1' })
      expect(fa1.blob_sha256).toMatch(/^[0-9a-f]{64}$/)
      const received = [...odoo.calls].filter((c) => c.method === 'write').length
      expect(received).toBe(2)
      const tagId = odoo.document(ids.inSub)!.tag_ids as number[]
      expect(tagId.length).toBe(2)
      const source = (await a.json('admin', `/api/v1/sources/${sourceId}`)).body
      expect(source.config.hasApiKey).toBe(true)
      expect(JSON.stringify(source)).not.toContain(API_KEY)
      expect(source.counts.total).toBe(2)
      // One transport for every model call; JSON-2 sends the key as a bearer token, never in a body.
      expect(new Set(odoo.calls.filter((c) => c.model).map((c) => c.protocol))).toEqual(new Set([protocol]))
      if (protocol === 'json2') {
        const j2 = odoo.requests.filter((q) => q.path.startsWith('/json/2/'))
        expect(j2.length).toBeGreaterThan(0)
        for (const q of j2) {
          expect(q.headers.authorization).toBe(`bearer ${API_KEY}`)
          expect(q.headers['x-odoo-database']).toBe(connection.database)
          expect(q.body).not.toContain(API_KEY)
          expect(JSON.parse(q.body)).not.toHaveProperty('args')
        }
        expect(odoo.requests.some((q) => q.path === '/jsonrpc')).toBe(false)
      } else {
        expect(odoo.requests.some((q) => q.path.startsWith('/json/2/') && q.path !== '/json/2/res.users/context_get')).toBe(false)
      }
      expect(fa1.host_metadata).toMatchObject({ odooProtocol: protocol, odooModelSet: server.set === 'v17' ? 'v13-17' : 'v18+' })
    })

    it('does not duplicate a document that was re-tagged or moved (write_date changes, content does not), without downloading it again', async () => {
      odoo.touch(ids.inPublics, { folderId: ids.sub })
      odoo.touch(ids.inSub, { tagIds: [ids.tFacture] })
      const before = odoo.calls.filter((c) => c.method === 'read').length
      const r = await scan()
      expect(r?.stats.received).toBe(0)
      expect(r?.stats.duplicates).toBeGreaterThanOrEqual(2)
      expect(odoo.calls.filter((c) => c.method === 'read').length).toBe(before)
      expect(await docs()).toHaveLength(2)
      // Nothing changed since: nothing stored, nothing downloaded.
      expect((await scan())?.stats.received).toBe(0)
      expect(odoo.calls.filter((c) => c.method === 'read').length).toBe(before)
    })

    it('takes a new version (checksum changes) superseding the unsubmitted previous one', async () => {
      odoo.replaceContent(ids.inSub, await pdfBytes(`${set}-1-v2`))
      const r = await scan()
      expect(r?.stats.received).toBe(1)
      const versions = (await docs()).filter((x) => x.source_ref === String(ids.inSub))
      expect(versions.map((v) => v.stage)).toEqual(['removed', 'received'])
      expect(versions[0]!.superseded_by).toBe(versions[1]!.id)
    })

    it('takes a document once it is tagged into a rule', async () => {
      odoo.touch(ids.untagged, { tagIds: [ids.tFacture] })
      expect((await scan())?.stats.received).toBe(1)
    })

    it('detects the transport once per source for the process', async () => {
      const probes = () => odoo.requests.filter((q) => q.path === '/web/version' || q.path === '/json/2/res.users/context_get').length
      const before = probes()
      expect((await scan())?.error).toBeNull()
      // JSON-2 checks the key with context_get on every scan; detection itself is not repeated.
      expect(probes() - before).toBe(protocol === 'json2' ? 1 : 0)
    })
  })

  it('reports a wrong API key or an unreachable Odoo as the source’s last error, never the key', async () => {
    const odoo = await startFakeOdoo({ set: 'v18', apiKey: API_KEY })
    const src = await a.json('admin', '/api/v1/sources', { kind: 'odoo', name: 'odoo-bad', config: { url: odoo.url, database: 'odoo', login: 'connector@example.com', apiKey: 'wrong-key-987654321' } })
    const r = await scanSource(a.ports, src.body.id, sourceAdapters(a.ports))
    expect(r?.error).toMatch(/refused the login/)
    expect(r?.error).toMatch(/a refusé la connexion/)
    expect(r?.error).toMatch(/three months/)
    expect(r?.error).not.toContain('wrong-key-987654321')
    await odoo.close()
    await expect(createOdooClient({ url: odoo.url, database: 'odoo', login: 'x', apiKey: API_KEY, timeoutMs: 2000 }).authenticate()).rejects.toBeInstanceOf(OdooError)
    const r2 = await scanSource(a.ports, src.body.id, sourceAdapters(a.ports))
    expect(r2?.error).toMatch(/did not answer/)
    const listed = (await a.json('admin', '/api/v1/sources')).body.items.find((s: any) => s.id === src.body.id)
    expect(listed.lastError).toMatch(/did not answer/)
  })

  it('validates source configs (400), names (409) and scans on demand (202, one waiting scan per source)', async () => {
    expect((await a.json('admin', '/api/v1/sources', { kind: 'odoo', name: 'x', config: { url: 'nope' } })).body.error.code).toBe('invalid_source_config')
    expect((await a.json('admin', '/api/v1/sources', { kind: 'folder', name: 'x', config: { path: 'relative/dir' } })).status).toBe(400)
    expect((await a.json('admin', '/api/v1/sources', { kind: 'push', name: 'push' })).status).toBe(409)
    const push = (await a.json('admin', '/api/v1/sources')).body.items.find((s: any) => s.name === 'push')
    expect((await a.json('operator', `/api/v1/sources/${push.id}/scan`, {})).status).toBe(409)
    expect((await a.json('operator', '/api/v1/sources/999999/scan', {})).status).toBe(404)
    const inbox = (await a.json('admin', '/api/v1/sources')).body.items.find((s: any) => s.name === 'inbox')
    const s1 = await a.json('operator', `/api/v1/sources/${inbox.id}/scan`, {})
    const s2 = await a.json('operator', `/api/v1/sources/${inbox.id}/scan`, {})
    expect(s1.status).toBe(202)
    expect(s1.body.created).toBe(true)
    expect(s2.body).toEqual({ jobId: s1.body.jobId, created: false })
    expect((await a.json('admin', `/api/v1/sources/${inbox.id}`)).body.scanPending).toBe(true)
    expect((await a.json('viewer', '/api/v1/sources')).status).toBe(403)
    const withDocs = (await a.json('admin', '/api/v1/sources')).body.items.find((s: any) => s.name === 'odoo-v18')
    expect((await a.json('admin', `/api/v1/sources/${withDocs.id}`, undefined, 'DELETE')).body.error.code).toBe('source_has_documents')
    expect((await a.json('admin', '/api/v1/filing-rules', { sourceId: '999999', name: 'x' })).body.error.code).toBe('unknown_source')
    expect((await a.json('admin', '/api/v1/filing-rules', { sourceId: inbox.id, name: 'x', metadataMap: { a: 'nope' } })).status).toBe(400)
    expect((await a.json('admin', '/api/v1/filing-rules', { sourceId: inbox.id, name: 'x', match: { metadata: [{ field: 'a', op: 'matches', value: '(' }] } })).status).toBe(400)
    expect((await a.json('admin', '/api/v1/filing-rules/999999')).status).toBe(404)
  })
})
