import { vi, afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testEngines, type TestDatabase } from '../support/databases'
import { intakeApp, intakePorts, multipart, pdfBytes, type IntakeApp } from './intake-harness'
import { documentState } from '../../src/domain/document-state'
import { STATE_SQL } from '../../src/db/documents'
import { createAccount } from '../../src/db/accounts'
import { MAX_INTAKE_BYTES } from '../../src/sources/check-intake-file'

describe.each(testEngines())('documents API and host push on $name', (engine) => {
  let t: TestDatabase
  let a: IntakeApp
  let accountId: string
  beforeAll(async () => {
    t = await engine.open()
    const ports = intakePorts(t)
    a = await intakeApp(t, ports, { bodyLimitBytes: 12 * 1024 * 1024 })
    accountId = (await createAccount(t.db, ports.secrets, 'sandbox', { name: 'Fournisseur', siret: '12345678200010', technicalLogin: 'TECH_1@cpro.fr', technicalPassword: 'pw-secret-123' })).id
  })
  afterAll(() => t.close())

  const push = (fields: Parameters<typeof multipart>[0], role: 'operator' | 'viewer' = 'operator') => a.call(role, '/api/v1/documents', { method: 'POST', body: multipart(fields) })

  it('stores a pushed PDF with its blob, row and analysis job in one go, and is idempotent on (source, reference, checksum)', async () => {
    const bytes = await pdfBytes('push-1')
    const wakes = a.ports.wakes
    const res = await push({ file: { bytes, name: 'facture 1.pdf' }, metadata: JSON.stringify({ numero: 'FA-1' }), reference: 'host-1' })
    expect(res.status).toBe(201)
    const body = (await res.json()) as any
    expect(body.outcome).toBe('received')
    const d = body.document
    expect(d).toMatchObject({ filename: 'facture 1.pdf', stage: 'received', state: 'analysing', error: null, accountId, invoiceId: null, hasFacturX: false, problems: [], sourceRef: 'host-1' })
    expect(d.hostMetadata).toEqual({ numero: 'FA-1' })
    // The worker is woken once the transaction that wrote the job has committed.
    await vi.waitFor(() => expect(a.ports.wakes).toBeGreaterThan(wakes))
    const job = await t.db.selectFrom('jobs').selectAll().where('key', '=', `document.analyse:${d.id}`).executeTakeFirstOrThrow()
    expect(job.kind).toBe('document.analyse')
    expect(job.payload).toEqual({ documentId: d.id })

    const again = await push({ file: { bytes, name: 'facture 1.pdf' }, reference: 'host-1' })
    expect(again.status).toBe(200)
    const b2 = (await again.json()) as any
    expect(b2.outcome).toBe('duplicate')
    expect(b2.document.id).toBe(d.id)

    const file = await a.call('viewer', `/api/v1/documents/${d.id}/file`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/pdf')
    expect(file.headers.get('content-disposition')).toContain("filename*=UTF-8''facture%201.pdf")
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true)
  })

  it('stores identical bytes once, and a new version supersedes the unsubmitted previous one', async () => {
    const v1 = await pdfBytes('version-1')
    const v2 = await pdfBytes('version-2')
    const d1 = ((await (await push({ file: { bytes: v1, name: 'f.pdf' }, reference: 'host-v' })).json()) as any).document
    const same = ((await (await push({ file: { bytes: v1, name: 'f.pdf' }, reference: 'other-ref' })).json()) as any).document
    expect(same.id).not.toBe(d1.id)
    const blobs = await t.db.selectFrom('documents').select('blob_sha256').where('id', 'in', [d1.id, same.id]).execute()
    expect(new Set(blobs.map((b) => b.blob_sha256)).size).toBe(1)
    const count = await t.db.selectFrom('blobs').select(sql<string>`count(*)`.as('n')).where('sha256', '=', blobs[0]!.blob_sha256!).executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(1)

    const d2 = ((await (await push({ file: { bytes: v2, name: 'f.pdf' }, reference: 'host-v' })).json()) as any).document
    const old = (await a.json('viewer', `/api/v1/documents/${d1.id}`)).body
    expect(old).toMatchObject({ stage: 'removed', state: 'removed', supersededBy: d2.id })
    // A submitted version is never superseded.
    await t.db.updateTable('documents').set({ stage: 'submitted' }).where('id', '=', d2.id).execute()
    const d3 = ((await (await push({ file: { bytes: await pdfBytes('version-3'), name: 'f.pdf' }, reference: 'host-v' })).json()) as any).document
    expect((await a.json('viewer', `/api/v1/documents/${d2.id}`)).body.stage).toBe('submitted')
    expect(d3.state).toBe('analysing')
  })

  it('records refused files with a clear error and keeps everything else flowing', async () => {
    const enc = (s: string) => new TextEncoder().encode(s)
    const big = new Uint8Array(MAX_INTAKE_BYTES + 10)
    big.set(enc('%PDF-1.4\n'))
    const cases: Array<[string, Uint8Array, string]> = [
      ['vide.pdf', new Uint8Array(), 'file_empty'],
      ['photo.jpg', enc('\xff\xd8\xff\xe0 JFIF'), 'file_not_pdf'],
      ['coupé.pdf', (await pdfBytes('cut')).slice(0, 300), 'file_truncated'],
      ['chiffré.pdf', enc('%PDF-1.6\n1 0 obj<<>>endobj\ntrailer\n<< /Root 1 0 R /Encrypt 9 0 R /ID [<01><01>] >>\n%%EOF\n'), 'file_encrypted'],
      ['énorme.pdf', big, 'file_too_large'],
    ]
    for (const [name, bytes, code] of cases) {
      const res = await push({ file: { bytes, name }, reference: `bad-${name}` })
      expect(res.status, name).toBe(201)
      const b = (await res.json()) as any
      expect(b.outcome).toBe('refused')
      expect(b.document).toMatchObject({ filename: name, stage: 'to_submit', state: 'error' })
      expect(b.document.error.code).toBe(code)
      expect(b.document.error.message.length).toBeGreaterThan(20)
      const job = await t.db.selectFrom('jobs').select('id').where('key', '=', `document.analyse:${b.document.id}`).executeTakeFirst()
      expect(job).toBeUndefined()
    }
    // The oversized file is recorded but its bytes are not kept.
    const list = (await a.json('viewer', '/api/v1/documents?state=error&limit=200')).body
    const huge = list.items.find((d: any) => d.filename === 'énorme.pdf')
    expect(huge.hasFile).toBe(false)
    expect((await a.json('viewer', `/api/v1/documents/${huge.id}/file`)).body.error.code).toBe('file_not_stored')
    // English on request.
    const en = await a.call('viewer', `/api/v1/documents/${huge.id}`, { headers: { 'Accept-Language': 'en' } })
    expect(((await en.json()) as any).error.message).toMatch(/10 MB/)
    // And a good file still flows.
    expect((await push({ file: { bytes: await pdfBytes('after-bad'), name: 'ok.pdf' } })).status).toBe(201)
  })

  it('keeps odd names (unicode, spaces, 250 characters, ../)', async () => {
    const long = 'é'.repeat(246) + '.pdf'
    for (const [name, expected] of [['../../etc/facture.pdf', 'facture.pdf'], ['  Facture n° 12 — Mairie d’Évry.pdf', 'Facture n° 12 — Mairie d’Évry.pdf'], [long, long]] as const) {
      const res = await push({ file: { bytes: await pdfBytes(name), name: 'x.pdf' }, filename: name })
      expect(res.status).toBe(201)
      expect(((await res.json()) as any).document.filename).toBe(expected)
    }
  })

  it('answers bad pushes with 400/404/409/413/422 in our shape, never a 500', async () => {
    const bytes = await pdfBytes('errors')
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status)
      const b = (await res.json()) as any
      expect(b.error.code).toBe(code)
      expect(b.error.message).toBeTruthy()
    }
    await expectError(await a.call('operator', '/api/v1/documents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 400, 'expected_multipart')
    await expectError(await push({ metadata: '{}' }), 400, 'file_missing')
    await expectError(await push({ file: { bytes, name: 'a.pdf' }, metadata: '[1,2' }), 400, 'invalid_metadata')
    await expectError(await push({ file: { bytes, name: 'a.pdf' }, metadata: '[1]' }), 400, 'invalid_metadata')
    await expectError(await push({ file: { bytes, name: 'a.pdf' }, accountId: '999999' }), 400, 'unknown_account')
    await expectError(await push({ file: { bytes, name: 'a.pdf' }, sourceId: '999999' }), 404, 'source_not_found')
    const inbox = (await a.json('admin', '/api/v1/sources')).body.items.find((s: any) => s.kind === 'folder')
    await expectError(await push({ file: { bytes, name: 'a.pdf' }, sourceId: inbox.id }), 409, 'source_not_push')
    await expectError(await push({ file: { bytes, name: 'a.pdf' } }, 'viewer'), 403, 'forbidden')
    await expectError(await push({ file: { bytes: new Uint8Array(13 * 1024 * 1024), name: 'a.pdf' } }), 413, 'payload_too_large')
    await expectError(await a.call('viewer', '/api/v1/documents/abc'), 400, 'invalid_request')
    await expectError(await a.call('viewer', '/api/v1/documents/123456789'), 404, 'document_not_found')
    await expectError(await a.call('viewer', '/api/v1/documents?cursor=nope'), 400, 'invalid_cursor')
    await expectError(await a.call('viewer', '/api/v1/documents?tab=other'), 400, 'invalid_request')
    await expectError(await a.call('viewer', '/api/v1/documents?limit=0'), 400, 'invalid_request')
  })

  it('applies the push source’s filing rules: account, metadata association, skipped when none matches (422)', async () => {
    const src = (await a.json('admin', '/api/v1/sources', { kind: 'push', name: 'erp' })).body
    const r = await a.json('admin', '/api/v1/filing-rules', { sourceId: src.id, name: 'Factures clients publics', match: { metadata: [{ field: 'type', op: 'equals', value: 'facture' }], tags: { none: ['brouillon'] } }, accountId, metadataMap: { numero: 'invoiceNumber', siret_client: 'recipientSiret', date: 'invoiceDate' } })
    expect(r.status).toBe(201)
    const res = await push({ file: { bytes: await pdfBytes('rule-1'), name: 'r.pdf' }, sourceId: src.id, metadata: JSON.stringify({ type: 'facture', numero: 'FA-2026-7', siret_client: '21750001600019', date: '2026-10-01' }) })
    expect(res.status).toBe(201)
    const d = ((await res.json()) as any).document
    expect(d.accountId).toBe(accountId)
    expect(d.fields).toEqual({
      invoiceNumber: { value: 'FA-2026-7', origin: 'host', confidence: 1 },
      recipientSiret: { value: '21750001600019', origin: 'host', confidence: 1 },
      invoiceDate: { value: '2026-10-01', origin: 'host', confidence: 1 },
    })
    expect((await t.db.selectFrom('documents').select('filing_rule_id').where('id', '=', d.id).executeTakeFirstOrThrow()).filing_rule_id).toBe(r.body.id)
    const skipped = await push({ file: { bytes: await pdfBytes('rule-2'), name: 'r2.pdf' }, sourceId: src.id, metadata: JSON.stringify({ type: 'devis' }) })
    expect(skipped.status).toBe(422)
    expect(((await skipped.json()) as any).error.code).toBe('no_filing_rule_matched')
    const draft = await push({ file: { bytes: await pdfBytes('rule-3'), name: 'r3.pdf' }, sourceId: src.id, metadata: JSON.stringify({ type: 'facture', tags: ['Brouillon'] }) })
    expect(draft.status).toBe(422)
  })

  it('lists summaries (what a list shows) and whole documents with view=full; the detail route has everything', async () => {
    const res = await push({ file: { bytes: await pdfBytes('summary'), name: 'summary.pdf' }, reference: 'host-doc-summary', metadata: JSON.stringify({ tags: ['achats'], note: 'x'.repeat(2000) }) })
    expect(res.status).toBe(201)
    const id = ((await res.json()) as any).document.id
    const fields = { invoiceNumber: 'F-SUM-1', invoiceDate: '2026-11-02', amountGross: '120.00', amountNet: '100.00', amountVat: '20.00', serviceCode: 'SERV_1', recipientSiret: '11000000000015' }
    const analysis = { info: { recipientName: 'Mairie de Sommaire' }, pages: [{ lines: Array.from({ length: 200 }, (_, i) => `ligne ${i} du texte de la facture`) }] }
    await t.db.updateTable('documents').set({
      stage: 'to_submit', analysis_status: 'done',
      fields: JSON.stringify(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { value: v, origin: 'text', confidence: 0.9 }]))),
      extracted: JSON.stringify(analysis),
      submit_error: JSON.stringify({ code: 'chorus_refused', message: { fr: 'Refusé', en: 'Refused' }, raw: { codeRetour: 20003, libelle: 'GDP_MSG_01.001 - Refusé' } }),
    }).where('id', '=', id).execute()

    const list = (await a.json('viewer', '/api/v1/documents?tab=all&limit=200')).body
    const row = list.items.find((d: any) => d.id === id)
    expect(Object.keys(row).sort()).toEqual(['accountId', 'error', 'fields', 'filename', 'hasFacturX', 'hasFile', 'id', 'invoiceId', 'problems', 'receivedAt', 'recipientName', 'removedAt', 'removedBy', 'sourceId', 'sourceRef', 'stage', 'state', 'supersededBy', 'updatedAt'])
    expect(Object.keys(row.fields).sort()).toEqual(['amountGross', 'invoiceDate', 'invoiceNumber', 'recipientSiret'])
    expect(row.fields.amountGross).toEqual({ value: '120.00', origin: 'text', confidence: 0.9 })
    // The error whole, Chorus Pro's own words included.
    expect(row).toMatchObject({ recipientName: 'Mairie de Sommaire', sourceRef: 'host-doc-summary', state: 'error', error: { code: 'chorus_refused', message: 'Refusé', raw: { codeRetour: 20003 } } })

    const full = (await a.json('viewer', '/api/v1/documents?tab=all&limit=200&view=full')).body
    const whole = full.items.find((d: any) => d.id === id)
    const detail = (await a.json('viewer', `/api/v1/documents/${id}`)).body
    expect(whole).toEqual({ ...detail, submission: undefined })
    expect(whole.hostMetadata.note).toHaveLength(2000)
    expect(whole.fields.serviceCode.value).toBe('SERV_1')
    // The row is a fraction of the whole document.
    expect(JSON.stringify(row).length * 3).toBeLessThan(JSON.stringify(whole).length)

    const bad = await a.json('viewer', '/api/v1/documents?view=everything')
    expect(bad.status).toBe(400)
    await t.db.deleteFrom('jobs').execute()
    await t.db.deleteFrom('documents').where('id', '=', id).execute()
  })

  it('lists by tab and state with keyset cursors and a total; SQL state agrees with documentState()', async () => {
    // Put documents in every state.
    const ids = (await t.db.selectFrom('documents').select('id').where('stage', '=', 'received').orderBy('id').execute()).map((r) => r.id)
    expect(ids.length).toBeGreaterThanOrEqual(5)
    await t.db.updateTable('documents').set({ stage: 'to_submit', analysis_status: 'done', ready: true }).where('id', '=', ids[0]!).execute()
    await t.db.updateTable('documents').set({ stage: 'to_submit', analysis_status: 'done', ready: false }).where('id', '=', ids[1]!).execute()
    await t.db.updateTable('documents').set({ stage: 'to_submit', analysis_status: 'done', ready: true, submit_error: JSON.stringify({ code: 'chorus_refused', message: { fr: 'Refusé', en: 'Refused' }, raw: { codeRetour: 20003 } }) }).where('id', '=', ids[2]!).execute()
    await t.db.updateTable('documents').set({ stage: 'submitting', analysis_status: 'done', ready: true }).where('id', '=', ids[3]!).execute()
    await t.db.updateTable('documents').set({ stage: 'analysing' }).where('id', '=', ids[4]!).execute()
    const rows = await t.db.selectFrom('documents').selectAll().select(STATE_SQL.as('sql_state')).execute()
    for (const r of rows) expect((r as any).sql_state, `document ${r.id}`).toBe(documentState(r))
    const states = new Set(rows.map((r) => documentState(r)))
    for (const s of ['analysing', 'ready', 'incomplete', 'error', 'submitted', 'removed']) expect(states.has(s as any), s).toBe(true)

    const withError = (await a.json('viewer', `/api/v1/documents/${ids[2]}`)).body
    expect(withError.error).toEqual({ code: 'chorus_refused', message: 'Refusé', raw: { codeRetour: 20003 } })

    // Walk every tab page by page; pages never overlap and add up to the total.
    for (const tab of ['all', 'to-submit']) {
      const seen: string[] = []
      let cursor: string | null = null
      let total = -1
      do {
        const page: any = (await a.json('viewer', `/api/v1/documents?tab=${tab}&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body
        total = page.total
        seen.push(...page.items.map((d: any) => d.id))
        expect(page.items.length).toBeLessThanOrEqual(3)
        cursor = page.nextCursor
      } while (cursor)
      expect(new Set(seen).size).toBe(seen.length)
      expect(seen.length).toBe(total)
      const expected = rows.filter((r) => tab === 'all' || ['received', 'analysing', 'to_submit', 'submitting'].includes(r.stage)).length
      expect(total).toBe(expected)
      const numeric = seen.map(Number)
      // to-submit: oldest first (a work queue); all: newest first.
      expect(numeric).toEqual([...numeric].sort((x, y) => (tab === 'to-submit' ? x - y : y - x)))
    }
    const ready = (await a.json('viewer', '/api/v1/documents?state=ready')).body
    expect(ready.items.map((d: any) => d.id).sort()).toEqual([ids[0], ids[3]].sort())
    const q = (await a.json('viewer', `/api/v1/documents?q=${encodeURIComponent('Évry')}`)).body
    expect(q.items.length).toBe(1)
    const bySource = (await a.json('viewer', `/api/v1/documents?tab=to-process`)).body
    expect(bySource).toEqual({ items: [], nextCursor: null, total: 0 })
  })
})
