import { vi, afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { parseCsv } from '../../src/domain/csv-read'
import { withLuhnDigit } from '../../src/domain/siret'
import { findMapping } from '../../src/db/recipient-mappings'
import { buildRecipientsApp, cacheStructure, makeAccount, makeDocument, recheckJobs, SIRET_A, SIRET_B, SIRET_C } from './support'

type RecipientsApp = Awaited<ReturnType<typeof buildRecipientsApp>>

describe.each(testEngines())('recipients API on $name', (engine) => {
  let t: TestDatabase
  let a: RecipientsApp
  let acc1: string
  let acc2: string
  beforeAll(async () => {
    t = await engine.open()
    a = await buildRecipientsApp(t)
    acc1 = (await makeAccount(a.ports, 'Fournisseur 1', '73282932000074')).id
    acc2 = (await makeAccount(a.ports, 'Fournisseur 2')).id
    await cacheStructure(t.db, SIRET_A, { name: 'Commune de Sandbox-sur-Mer', services: [{ code: 'SERV_TECH' }, { code: 'TRAVAUX', engagementRequired: true }, { code: 'OLD', active: false }] })
    await cacheStructure(t.db, SIRET_B, { name: 'Département', serviceRequired: true, services: [{ code: 'ACHATS' }] })
  })
  afterAll(() => t.close())
  beforeEach(async () => {
    await t.db.deleteFrom('jobs').execute()
    await t.db.deleteFrom('documents').execute()
    await t.db.deleteFrom('recipient_mappings').execute()
    await t.db.deleteFrom('audit_log').execute()
  })

  const create = async (body: Record<string, unknown>) => {
    const res = await a.json('admin', 'POST', '/api/v1/recipients', body)
    expect(res.status, await res.clone().text()).toBe(201)
    return (await res.json()) as any
  }
  const importCsv = async (csv: string | Uint8Array, query = '', init: { multipart?: boolean; lang?: string } = {}) => {
    const headers: Record<string, string> = init.lang ? { 'accept-language': init.lang } : {}
    let body: RequestInit['body']
    if (init.multipart) {
      const form = new FormData()
      form.append('file', new Blob([csv as any], { type: 'text/csv' }), 'destinataires.csv')
      body = form
    } else {
      headers['content-type'] = 'text/csv'
      body = csv as any
    }
    return a.call('admin', `/api/v1/recipients/import${query}`, { method: 'POST', headers, body })
  }

  describe('CRUD', () => {
    it('creates a mapping and answers it with id, origin and directory status; audits it', async () => {
      const m = await create({ label: ' Mairie de  Sandbox ', recipientSiret: SIRET_A.replace(/(\d{3})/g, '$1 '), serviceCode: 'SERV_TECH', engagementNumber: 'EJ-2026-1', accountId: acc1 })
      expect(m).toMatchObject({ label: 'Mairie de Sandbox', labelNormalized: 'mairie de sandbox', recipientSiret: SIRET_A, serviceCode: 'SERV_TECH', engagementNumber: 'EJ-2026-1', accountId: acc1, accountName: 'Fournisseur 1', origin: 'manual', directoryStatus: 'ok', recheckedDocuments: 0 })
      expect(m.id).toMatch(/^\d+$/)
      expect(m.directory.recipientName).toBe('Commune de Sandbox-sur-Mer')
      const got = await (await a.call('viewer', `/api/v1/recipients/${m.id}`)).json() as any
      expect(got.label).toBe('Mairie de Sandbox')
      const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'recipient_mapping.create').execute()
      expect(audit).toHaveLength(1)
      expect(audit[0]!.actor).toMatch(/^key:\d+:test admin$/)
      expect((audit[0]!.details as any).after.recipientSiret).toBe(SIRET_A)
    })

    it('shows each directory problem: service required, unknown, inactive, recipient not yet checked', async () => {
      expect((await create({ label: 'Département', recipientSiret: SIRET_B })).directoryStatus).toBe('service_required')
      expect((await create({ label: 'Sandbox X', recipientSiret: SIRET_A, serviceCode: 'NOPE' })).directoryStatus).toBe('service_unknown')
      const inactive = await create({ label: 'Sandbox Y', recipientSiret: SIRET_A, serviceCode: 'OLD' })
      expect(inactive.directoryStatus).toBe('service_inactive')
      expect(inactive.directoryMessage).toMatch(/inactif/)
      expect((await create({ label: 'Inconnu', recipientSiret: SIRET_C })).directoryStatus).toBe('not_checked')
    })

    it('refuses bad input with 400 naming each field, FACTURES_PUBLIQUES, an unknown account, and a duplicate with 409', async () => {
      const bad = await a.json('admin', 'POST', '/api/v1/recipients', { label: '  ', recipientSiret: '12345678901234', engagementNumber: 'x'.repeat(51), extra: 1 })
      expect(bad.status).toBe(400)
      const fields = ((await bad.json()) as any).error.details.map((d: any) => d.field)
      expect(fields).toEqual(expect.arrayContaining(['label', 'recipientSiret', 'engagementNumber']))
      const reserved = await a.json('admin', 'POST', '/api/v1/recipients', { label: 'Mairie', recipientSiret: SIRET_A, serviceCode: 'factures_publiques' })
      expect(reserved.status).toBe(400)
      expect(JSON.stringify(await reserved.json())).toMatch(/FACTURES_PUBLIQUES/)
      const noAccount = await a.json('admin', 'POST', '/api/v1/recipients', { label: 'Mairie', recipientSiret: SIRET_A, accountId: '987654' })
      expect(noAccount.status).toBe(400)
      expect(((await noAccount.json()) as any).error.code).toBe('account_not_found')
      const first = await create({ label: 'Mairie de Brest', recipientSiret: SIRET_A, accountId: acc1 })
      const dup = await a.json('admin', 'POST', '/api/v1/recipients', { label: 'MAIRIE DE BREST', recipientSiret: SIRET_B, accountId: Number(acc1) })
      expect(dup.status).toBe(409)
      const e = ((await dup.json()) as any).error
      expect(e.code).toBe('recipient_mapping_exists')
      expect(e.details.existingId).toBe(first.id)
      expect(e.message).toMatch(/Mairie de Brest/)
    })

    it('changes a mapping (it becomes manual), re-checks the documents of both the old and the new label, and audits before/after', async () => {
      const learned = await create({ label: 'Lycée Nord', recipientSiret: SIRET_A, accountId: acc1 })
      await t.db.updateTable('recipient_mappings').set({ origin: 'learned' }).where('id', '=', learned.id).execute()
      const dOld = await makeDocument(t.db, { accountId: acc1, label: 'LYCEE NORD' })
      const dNew = await makeDocument(t.db, { accountId: acc1, label: 'Lycée du Nord' })
      await makeDocument(t.db, { accountId: acc2, label: 'Lycée Nord' })
      await makeDocument(t.db, { accountId: acc1, label: 'Lycée Nord', stage: 'submitted' })
      await t.db.deleteFrom('jobs').execute()
      const wakes = a.wakes()
      const res = await a.json('admin', 'PATCH', `/api/v1/recipients/${learned.id}`, { label: 'Lycée du Nord', serviceCode: 'TRAVAUX' })
      expect(res.status).toBe(200)
      const m = (await res.json()) as any
      expect(m).toMatchObject({ origin: 'manual', serviceCode: 'TRAVAUX', label: 'Lycée du Nord', recheckedDocuments: 2, directoryStatus: 'ok' })
      expect(m.directory.engagementRequired).toBe(true)
      expect(await recheckJobs(t.db)).toEqual([dOld, dNew])
      await vi.waitFor(() => expect(a.wakes()).toBeGreaterThan(wakes))
      const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'recipient_mapping.update').executeTakeFirstOrThrow()
      expect(audit.details).toMatchObject({ before: { label: 'Lycée Nord', origin: 'learned', serviceCode: null }, after: { label: 'Lycée du Nord', origin: 'manual', serviceCode: 'TRAVAUX' } })
    })

    it('re-checks every account’s documents when a global mapping changes, and on create and delete', async () => {
      const d1 = await makeDocument(t.db, { accountId: acc1, label: 'Mairie de Vannes' })
      const d2 = await makeDocument(t.db, { accountId: acc2, label: 'mairie de vannes' })
      const m = await create({ label: 'Mairie de Vannes', recipientSiret: SIRET_A })
      expect(m.recheckedDocuments).toBe(2)
      expect(await recheckJobs(t.db)).toEqual([d1, d2])
      await t.db.deleteFrom('jobs').execute()
      const del = await a.call('admin', `/api/v1/recipients/${m.id}`, { method: 'DELETE' })
      expect(del.status).toBe(200)
      expect(((await del.json()) as any).recheckedDocuments).toBe(2)
      expect(await recheckJobs(t.db)).toEqual([d1, d2])
      expect(await findMapping(t.db, acc1, 'Mairie de Vannes')).toBeNull()
      expect((await a.call('viewer', `/api/v1/recipients/${m.id}`)).status).toBe(404)
      expect((await a.call('admin', `/api/v1/recipients/${m.id}`, { method: 'DELETE' })).status).toBe(404)
      const audit = await t.db.selectFrom('audit_log').select('action').where('target_id', '=', m.id).orderBy('id').execute()
      expect(audit.map((x) => x.action)).toEqual(['recipient_mapping.create', 'recipient_mapping.delete'])
    })

    it('answers 404 for an unknown id and 409 when a change collides', async () => {
      expect((await a.json('admin', 'PATCH', '/api/v1/recipients/999999', { serviceCode: 'X' })).status).toBe(404)
      await create({ label: 'Collège A', recipientSiret: SIRET_A })
      const b = await create({ label: 'Collège B', recipientSiret: SIRET_A })
      expect((await a.json('admin', 'PATCH', `/api/v1/recipients/${b.id}`, { label: 'college a' })).status).toBe(409)
      expect((await a.json('admin', 'PATCH', `/api/v1/recipients/${b.id}`, {})).status).toBe(400)
    })

    it('enforces roles: viewer reads, operator resolves, admin writes', async () => {
      const m = await create({ label: 'Mairie', recipientSiret: SIRET_A })
      expect((await a.call('viewer', '/api/v1/recipients')).status).toBe(200)
      expect((await a.call('viewer', '/api/v1/recipients/export.csv')).status).toBe(200)
      expect((await a.json('viewer', 'POST', '/api/v1/recipients/resolve', { label: 'Mairie' })).status).toBe(403)
      expect((await a.json('operator', 'POST', '/api/v1/recipients/resolve', { label: 'Mairie' })).status).toBe(200)
      expect((await a.json('operator', 'POST', '/api/v1/recipients', { label: 'X', recipientSiret: SIRET_A })).status).toBe(403)
      expect((await a.json('operator', 'PATCH', `/api/v1/recipients/${m.id}`, { serviceCode: 'X' })).status).toBe(403)
      expect((await a.call('operator', `/api/v1/recipients/${m.id}`, { method: 'DELETE' })).status).toBe(403)
      expect((await a.call('operator', '/api/v1/recipients/import', { method: 'POST', body: 'a;b' })).status).toBe(403)
      expect((await a.call(null, '/api/v1/recipients')).status).toBe(401)
    })
  })

  it('publishes every recipients route in the OpenAPI document with its role, and each weaker role gets 403', async () => {
    const doc = a.app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } })
    const roles: Record<string, string> = {}
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (!path.startsWith('/api/v1/recipients')) continue
      for (const [method, op] of Object.entries(item as Record<string, any>)) roles[`${method.toUpperCase()} ${path}`] = op['x-role']
    }
    expect(roles).toEqual({
      'GET /api/v1/recipients': 'viewer',
      'POST /api/v1/recipients': 'admin',
      'GET /api/v1/recipients/export.csv': 'viewer',
      'POST /api/v1/recipients/import': 'admin',
      'POST /api/v1/recipients/resolve': 'operator',
      'GET /api/v1/recipients/{id}': 'viewer',
      'PATCH /api/v1/recipients/{id}': 'admin',
      'DELETE /api/v1/recipients/{id}': 'admin',
    })
    const order = ['viewer', 'operator', 'admin'] as const
    for (const [route, role] of Object.entries(roles)) {
      const [method, path] = route.split(' ') as [string, string]
      for (const weaker of order.slice(0, order.indexOf(role as any))) {
        const res = await a.call(weaker, path.replace('{id}', '1'), { method })
        expect(res.status, `${route} as ${weaker}`).toBe(403)
      }
      expect((await a.call(null, path.replace('{id}', '1'), { method })).status, route).toBe(401)
    }
  })

  describe('list', () => {
    it('pages with nextCursor and total, searches without accents, filters by account', async () => {
      for (let i = 0; i < 5; i++) await create({ label: `École ${i}`, recipientSiret: SIRET_A, accountId: i < 2 ? acc1 : null })
      await create({ label: 'Département', recipientSiret: SIRET_B, serviceCode: 'ACHATS' })
      const p1 = (await (await a.call('viewer', '/api/v1/recipients?limit=4')).json()) as any
      expect(p1.total).toBe(6)
      expect(p1.items).toHaveLength(4)
      const p2 = (await (await a.call('viewer', `/api/v1/recipients?limit=4&cursor=${p1.nextCursor}`)).json()) as any
      expect(p2.items).toHaveLength(2)
      expect(p2.nextCursor).toBeNull()
      expect([...p1.items, ...p2.items].map((m: any) => m.label)).toEqual(['Département', 'École 0', 'École 1', 'École 2', 'École 3', 'École 4'])
      expect(((await (await a.call('viewer', '/api/v1/recipients?q=ecole%203')).json()) as any).items.map((m: any) => m.label)).toEqual(['École 3'])
      expect(((await (await a.call('viewer', `/api/v1/recipients?account=${acc1}`)).json()) as any).total).toBe(2)
      expect(((await (await a.call('viewer', '/api/v1/recipients?account=global')).json()) as any).total).toBe(4)
      expect(((await (await a.call('viewer', '/api/v1/recipients?q=achats')).json()) as any).items[0].directoryStatus).toBe('ok')
      const bad = await a.call('viewer', '/api/v1/recipients?cursor=not-a-cursor')
      expect(bad.status).toBe(400)
      expect(((await bad.json()) as any).error.code).toBe('invalid_cursor')
    })
  })

  describe('resolve', () => {
    it('answers the account’s mapping before the global one, with its directory status and no suggestion', async () => {
      await create({ label: 'Mairie de Sandbox', recipientSiret: SIRET_B })
      await create({ label: 'Mairie de Sandbox', recipientSiret: SIRET_A, serviceCode: 'SERV_TECH', accountId: acc1 })
      const r = (await (await a.json('operator', 'POST', '/api/v1/recipients/resolve', { label: 'MAIRIE DE SANDBOX', accountId: acc1 })).json()) as any
      expect(r.mapping.recipientSiret).toBe(SIRET_A)
      expect(r.matchedBy).toBe('normalized')
      expect(r.directoryStatus).toBe('ok')
      expect(r.suggestions).toEqual([])
      const g = (await (await a.json('operator', 'POST', '/api/v1/recipients/resolve', { label: 'Mairie de Sandbox', accountId: acc2 })).json()) as any
      expect(g.mapping.recipientSiret).toBe(SIRET_B)
      expect(g.matchedBy).toBe('exact')
      expect(g.directoryStatus).toBe('service_required')
    })

    it('answers null with suggestions, best first, for a label close to known ones', async () => {
      await create({ label: 'Mairie de Sandbox', recipientSiret: SIRET_A })
      await create({ label: 'Mairie de Sandbox-Plage', recipientSiret: SIRET_C })
      await create({ label: 'Trésorerie de Brest', recipientSiret: SIRET_B })
      const r = (await (await a.json('operator', 'POST', '/api/v1/recipients/resolve', { label: 'Mairie de Sandboxx' })).json()) as any
      expect(r.mapping).toBeNull()
      expect(r.directoryStatus).toBeNull()
      expect(r.suggestions.map((s: any) => s.label)).toEqual(['Mairie de Sandbox', 'Mairie de Sandbox-Plage'])
      expect(r.suggestions[0].score).toBeGreaterThan(r.suggestions[1].score)
      expect(r.suggestions[0].directoryStatus).toBe('ok')
    })
  })

  describe('import', () => {
    const frenchExcel = (lines: string[]) => new TextEncoder().encode('\ufeff' + lines.join('\r\n') + '\r\n')

    it('imports a French Excel file (BOM, ";"), reports every line, and re-checks the documents', async () => {
      const doc = await makeDocument(t.db, { accountId: acc1, label: 'Commune de Sandbox' })
      const csv = frenchExcel([
        'Libellé;SIRET destinataire;Code service;Numéro d’engagement;Compte;Remarque',
        `Commune de Sandbox;${SIRET_A};SERV_TECH;;;à vérifier`,
        `"Département ""Bac-à-Sable""";${SIRET_B.slice(0, 3)} ${SIRET_B.slice(3)};ACHATS;EJ-1;${acc1};`,
        `Mairie inconnue;12345678901234;;;;`,
      ])
      const res = await importCsv(csv)
      expect(res.status).toBe(200)
      const r = (await res.json()) as any
      expect(r).toMatchObject({ dryRun: false, encoding: 'utf-8', delimiter: ';', totals: { lines: 3, created: 2, updated: 0, unchanged: 0, errors: 1 }, ignoredColumns: ['Remarque'], recheckedDocuments: 1 })
      expect(r.lines[0]).toMatchObject({ line: 2, status: 'created', label: 'Commune de Sandbox', accountId: null, directoryStatus: 'ok' })
      expect(r.lines[1]).toMatchObject({ line: 3, status: 'created', label: 'Département "Bac-à-Sable"', accountId: acc1 })
      expect(r.lines[2].status).toBe('error')
      expect(r.lines[2].errors[0].message).toBe('Ligne 4, colonne B (SIRET destinataire) : « 12345678901234 » : la clé de contrôle du SIRET est fausse (faute de frappe ?).')
      expect((await findMapping(t.db, acc1, 'Département "Bac-à-Sable"'))!.mapping).toMatchObject({ origin: 'imported', recipientSiret: SIRET_B, engagementNumber: 'EJ-1' })
      expect(await recheckJobs(t.db)).toEqual([doc])
      const audits = await t.db.selectFrom('audit_log').select('action').orderBy('id').execute()
      expect(audits.map((x) => x.action)).toEqual(['recipient_mapping.create', 'recipient_mapping.create', 'recipient_mapping.import'])
    })

    it('imports a "," separated file sent as multipart, with English headers and the account given by query', async () => {
      const csv = `label,recipientSiret,serviceCode\n"Mairie, annexe",${SIRET_A},TRAVAUX\n`
      const r = (await (await importCsv(csv, `?accountId=${acc2}`, { multipart: true })).json()) as any
      expect(r.delimiter).toBe(',')
      expect(r.totals.created).toBe(1)
      expect((await findMapping(t.db, acc2, 'Mairie, annexe'))!.mapping.serviceCode).toBe('TRAVAUX')
      expect(await findMapping(t.db, acc1, 'Mairie, annexe')).toBeNull()
    })

    it('names line and column for every kind of bad line, in French or English', async () => {
      const csv = frenchExcel([
        'Libellé;SIRET;Code service;Engagement;Compte',
        `;${SIRET_A};;;`,
        `Excel;2,1760E+13;;;`,
        `Trop court;1234;;;`,
        `Réservé;${SIRET_A};FACTURES_PUBLIQUES;;`,
        `Long EJ;${SIRET_A};;${'9'.repeat(51)};`,
        `Compte inconnu;${SIRET_A};;;999999`,
        `Doublon;${SIRET_A};;;`,
        `DOUBLON;${SIRET_B};ACHATS;;`,
        `Compte par SIRET;${SIRET_A};;;732 829 320 00074`,
      ])
      const r = (await (await importCsv(csv)).json()) as any
      const byLine = Object.fromEntries(r.lines.map((l: any) => [l.line, l]))
      expect(byLine[2].errors[0]).toMatchObject({ code: 'label_missing', column: 'A (Libellé)' })
      expect(byLine[3].errors[0].code).toBe('siret_scientific')
      expect(byLine[3].errors[0].message).toMatch(/Excel a converti le SIRET en nombre/)
      expect(byLine[4].errors[0]).toMatchObject({ code: 'siret_format', column: 'B (SIRET)' })
      expect(byLine[5].errors[0]).toMatchObject({ code: 'service_reserved', column: 'C (Code service)' })
      expect(byLine[6].errors[0]).toMatchObject({ code: 'engagement_too_long', column: 'D (Engagement)' })
      expect(byLine[7].errors[0]).toMatchObject({ code: 'account_unknown', column: 'E (Compte)' })
      expect(byLine[8].status).toBe('created')
      expect(byLine[9].errors[0].code).toBe('duplicate_label')
      expect(byLine[9].errors[0].message).toMatch(/ligne 8/)
      expect(byLine[10]).toMatchObject({ status: 'created', accountId: acc1 })
      const en = (await (await importCsv(csv, '?dryRun=true', { lang: 'en' })).json()) as any
      expect(en.lines[0].errors[0].message).toBe('Line 2, column A (Libellé): the label is empty (or has no letter or digit).')
    })

    it('reports a zero dropped by Excel in front of a SIRET', async () => {
      const siret = withLuhnDigit('0123456780001')
      const r = (await (await importCsv(`Libellé;SIRET\nLycée;${siret.slice(1)}\n`)).json()) as any
      expect(r.lines[0].errors[0].code).toBe('siret_leading_zero')
      expect(r.lines[0].errors[0].message).toContain(`(${siret} ?)`)
    })

    it('dry-run reports exactly what a real import does and writes nothing', async () => {
      await create({ label: 'Commune de Sandbox', recipientSiret: SIRET_A, serviceCode: 'SERV_TECH' })
      await makeDocument(t.db, { accountId: acc1, label: 'Commune de Sandbox' })
      await t.db.deleteFrom('jobs').execute()
      await t.db.deleteFrom('audit_log').execute()
      const csv = frenchExcel(['Libellé;SIRET destinataire;Code service', `Commune de Sandbox;${SIRET_A};TRAVAUX`, `Nouvelle;${SIRET_A};`, `Commune de Sandbox bis;${SIRET_A};`])
      const dry = (await (await importCsv(csv, '?dryRun=true')).json()) as any
      expect(dry.dryRun).toBe(true)
      expect(dry.totals).toMatchObject({ created: 2, updated: 1 })
      expect(dry.lines[0].previous).toMatchObject({ serviceCode: 'SERV_TECH', origin: 'manual' })
      expect(dry.lines[1].mappingId).toBeNull()
      expect(await t.db.selectFrom('recipient_mappings').select('id').execute()).toHaveLength(1)
      expect(await t.db.selectFrom('jobs').select('id').execute()).toHaveLength(0)
      expect(await t.db.selectFrom('audit_log').select('id').execute()).toHaveLength(0)
      expect((await findMapping(t.db, null, 'Commune de Sandbox'))!.mapping.serviceCode).toBe('SERV_TECH')
      const real = (await (await importCsv(csv)).json()) as any
      expect(real.totals).toEqual(dry.totals)
      expect(real.lines.map((l: any) => l.status)).toEqual(dry.lines.map((l: any) => l.status))
      expect(real.recheckedDocuments).toBe(dry.recheckedDocuments)
      expect((await findMapping(t.db, null, 'Commune de Sandbox'))!.mapping).toMatchObject({ serviceCode: 'TRAVAUX', origin: 'imported' })
      const again = (await (await importCsv(csv)).json()) as any
      expect(again.totals).toMatchObject({ created: 0, updated: 0, unchanged: 3 })
    })

    it('refuses a file without the required columns or with an unclosed quote, with a clear 400', async () => {
      const noCols = await importCsv('Nom;Numéro\nMairie;1\n')
      expect(noCols.status).toBe(400)
      const e = ((await noCols.json()) as any).error
      expect(e.code).toBe('csv_missing_columns')
      expect(e.message).toMatch(/Libellé.*SIRET destinataire/)
      expect(e.message).toMatch(/Nom \| Numéro/)
      const unclosed = await importCsv(`Libellé;SIRET\nMairie;${SIRET_A}\n"Lycée;${SIRET_A}\n`)
      expect(unclosed.status).toBe(400)
      expect(((await unclosed.json()) as any).error.message).toMatch(/ligne 3/)
      expect((await importCsv('')).status).toBe(400)
      expect((await importCsv('Libellé;SIRET', '?accountId=987654')).status).toBe(404)
    })
  })

  describe('export', () => {
    it('writes UTF-8 with BOM, ";", identifiers Excel keeps as text, neutralised formulas, and imports back unchanged', async () => {
      await create({ label: '=HYPERLINK("http://evil")', recipientSiret: SIRET_A, serviceCode: 'SERV_TECH', engagementNumber: '0012345' })
      await create({ label: 'Mairie; annexe "Nord"', recipientSiret: SIRET_B, serviceCode: 'ACHATS', accountId: acc1 })
      await create({ label: '-Lycée', recipientSiret: SIRET_C, engagementNumber: '-42' })
      const res = await a.call('viewer', '/api/v1/recipients/export.csv')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/)
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="destinataires-\d{4}-\d{2}-\d{2}\.csv"/)
      const bytes = new Uint8Array(await res.arrayBuffer())
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
      const text = new TextDecoder().decode(bytes)
      expect(text).toContain('\r\n')
      const rows = parseCsv(text).rows.map((r) => r.cells)
      expect(rows[0]).toEqual(['Libellé', 'SIRET destinataire', 'Code service', 'Numéro d’engagement', 'Compte', 'Nom du compte', 'Origine', 'Statut annuaire', 'Identifiant'])
      const evil = rows.find((r) => r[0]!.includes('HYPERLINK'))!
      expect(evil[0]).toBe(`'=HYPERLINK("http://evil")`)
      expect(evil[1]).toBe(`="${SIRET_A}"`)
      expect(evil[3]).toBe('="0012345"')
      expect(evil[7]).toMatch(/actifs/)
      const minus = rows.find((r) => r[0]!.includes('Lycée'))!
      expect(minus[0]).toBe("'-Lycée")
      expect(minus[3]).toBe('-42') // a number stays a number
      expect(rows.find((r) => r[0]!.startsWith('Mairie'))![0]).toBe('Mairie; annexe "Nord"')
      for (const r of rows.slice(1)) for (const cell of r) expect(/^[+@\t\r]/.test(cell) || (/^=/.test(cell) && !/^="\d+"$/.test(cell)), cell).toBe(false)

      const plain = await (await a.call('viewer', '/api/v1/recipients/export.csv?plain=true')).text()
      expect(plain).toContain(`;${SIRET_A};`)

      // Round trip: the export imports back as "unchanged" on every line.
      const back = (await (await importCsv(bytes)).json()) as any
      expect(back.totals).toMatchObject({ lines: 3, unchanged: 3, errors: 0 })
    })

    it('answers in English with lang=en and applies the list filters', async () => {
      await create({ label: 'École A', recipientSiret: SIRET_A, accountId: acc1 })
      await create({ label: 'École B', recipientSiret: SIRET_A })
      const text = await (await a.call('viewer', `/api/v1/recipients/export.csv?account=${acc1}`, { headers: { 'accept-language': 'en' } })).text()
      const rows = parseCsv(text).rows
      expect(rows[0]!.cells[0]).toBe('Label')
      expect(rows.map((r) => r.cells[0])).toEqual(['Label', 'École A'])
    })
  })
})
