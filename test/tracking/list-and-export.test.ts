import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testEngines, type TestDatabase } from '../support/databases'
import { csvCell } from '../../src/domain/csv'
import { EXPORT_COLUMNS, runExport } from '../../src/workflows/tracking/export-invoices'
import { SORT_COLUMNS } from '../../src/db/invoices'
import { json, trackingWorld, type TrackingWorld } from './tracking-harness'

const N = 130
const STATUSES = ['DEPOSEE', 'MISE_A_DISPOSITION', 'SUSPENDUE', 'A_RECYCLER', 'REJETEE', 'MISE_EN_PAIEMENT']

describe.each(testEngines())('tracking list and CSV export on $name', (engine) => {
  let t: TestDatabase
  let w: TrackingWorld
  beforeAll(async () => {
    t = await engine.open()
    w = await trackingWorld(t)
    const base = Date.parse('2026-10-01T08:00:00Z')
    await t.db
      .insertInto('invoices')
      .values(
        Array.from({ length: N }, (_, i) => ({
          account_id: w.account.id,
          chorus_invoice_id: 9_000_000 + i,
          invoice_number: i === 7 ? '=HYPERLINK("http://evil")' : `F-2026-${String(i % 40).padStart(3, '0')}`,
          recipient_siret: i % 5 === 0 ? null : `2176000000${String(1000 + (i % 9)).slice(0, 4)}`,
          recipient_name: i % 4 === 0 ? null : i % 3 === 0 ? 'Commune de Sandbox-sur-Mer' : `Lycée "Jean; Moulin" ${i % 7}`,
          service_code: i % 6 === 0 ? 'SERV_TECH' : null,
          amount_net: i % 8 === 0 ? null : `${(i * 37) % 500}.${String(i % 100).padStart(2, '0')}`,
          amount_gross: i % 8 === 0 ? null : i === 3 ? '-12.50' : `${(i * 53) % 900}.${String(i % 100).padStart(2, '0')}`,
          invoice_date: i % 10 === 0 ? null : `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`,
          deposited_at: i % 9 === 0 ? null : new Date(base + (i % 50) * 86_400_000),
          status: STATUSES[i % STATUSES.length]!,
          status_at: new Date(base + (i % 17) * 3600_000),
          status_comment: i === 11 ? 'Ligne 1\nLigne 2 ; "guillemets"' : i === 12 ? '@SUM(A1)' : null,
        })),
      )
      .execute()
  })
  afterAll(async () => {
    await w?.close()
    await t?.close()
  })

  const all = () => t.db.selectFrom('invoices').selectAll().execute()

  async function walk(query: string, limit: number) {
    const ids: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res = await w.call('viewer', `/api/v1/invoices?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      expect(res.status, await res.clone().text()).toBe(200)
      const body = await res.json() as any
      ids.push(...body.items.map((i: any) => i.id))
      cursor = body.nextCursor
      if (++pages > 100) throw new Error('no end')
    } while (cursor)
    return ids
  }

  it('pages through every sort, both directions, in a stable order (nulls last ascending, first descending)', async () => {
    const rows = await all()
    for (const [key, { col }] of Object.entries(SORT_COLUMNS)) {
      for (const desc of [false, true]) {
        const value = (r: any) => {
          const v = r[col]
          if (v === null) return null
          if (v instanceof Date) return v.getTime()
          if (col.startsWith('amount') || col === 'id' || col === 'account_id') return Number(v)
          return String(v)
        }
        const expected = [...rows]
          .sort((a, b) => {
            const va = value(a)
            const vb = value(b)
            if (va === null && vb === null) return desc ? Number(b.id) - Number(a.id) : Number(a.id) - Number(b.id)
            if (va === null) return desc ? -1 : 1
            if (vb === null) return desc ? 1 : -1
            const c = typeof va === 'number' ? va - (vb as number) : va < vb ? -1 : va > vb ? 1 : 0
            if (c !== 0) return desc ? -c : c
            return desc ? Number(b.id) - Number(a.id) : Number(a.id) - Number(b.id)
          })
          .map((r) => r.id)
        const got = await walk(`sort=${desc ? '-' : ''}${key}`, 17)
        if (col === 'invoice_number' || col === 'recipient_name' || col === 'status' || col === 'service_code' || col === 'recipient_siret' || col === 'engagement_number') {
          // Text order is the database collation's: check completeness and no duplicates only.
          expect(new Set(got).size, key).toBe(N)
          expect([...got].sort(), key).toEqual([...expected].sort())
        } else expect(got, `${desc ? '-' : ''}${key}`).toEqual(expected)
      }
    }
  })

  it('filters by tab, status group, recipient, dates, amounts and free text, with the total', async () => {
    const rows = await all()
    const page = async (q: string) => (await w.call('viewer', `/api/v1/invoices?${q}`)).json() as any
    const tp = await page('tab=to-process&limit=500')
    expect(tp.total).toBe(rows.filter((r) => r.to_process).length)
    expect(tp.totalExact).toBe(true)
    expect((await page('status=paid,DEPOSEE')).total).toBe(rows.filter((r) => ['MISE_EN_PAIEMENT', 'DEPOSEE'].includes(r.status)).length)
    expect((await page('recipient=sandbox')).total).toBe(rows.filter((r) => r.recipient_name?.includes('Sandbox')).length)
    expect((await page('recipient=2176000000')).total).toBe(rows.filter((r) => r.recipient_siret?.startsWith('2176000000')).length)
    expect((await page('amountMin=100&amountMax=200')).total).toBe(rows.filter((r) => r.amount_gross !== null && Number(r.amount_gross) >= 100 && Number(r.amount_gross) <= 200).length)
    expect((await page('from=2026-10-05&to=2026-10-05')).total).toBe(rows.filter((r) => r.deposited_at && r.deposited_at.toISOString().startsWith('2026-10-05')).length)
    expect((await page('q=guillemets')).items.map((i: any) => i.chorusInvoiceId)).toEqual(['9000011'])
    expect((await page('q=100%25')).total).toBe(0)
    const two = await walk('status=to_process&sort=-amountGross', 5)
    expect(two.length).toBe(rows.filter((r) => ['A_RECYCLER', 'SUSPENDUE', 'REJETEE'].includes(r.status)).length)
  })

  it('free text finds a number fragment, a name in any case, a SIRET typed with spaces and a Chorus comment, and pages like any list', async () => {
    const rows = await all()
    const matches = (term: string) => (r: any) =>
      [r.invoice_number, r.recipient_name, r.recipient_siret, r.status_comment].some((v) => typeof v === 'string' && v.toLowerCase().includes(term.toLowerCase()))
    const cases: Array<[string, (r: any) => boolean]> = [
      ['F-2026-01', matches('F-2026-01')],
      ['SANDBOX-SUR', matches('sandbox-sur')],
      ['2176 0000 00100', matches('217600000010')],
      ['Ligne 2', matches('Ligne 2')],
      ['lycée "jean', matches('lycée "jean')],
    ]
    for (const [term, keep] of cases) {
      const expected = rows.filter(keep)
      expect(expected.length, term).toBeGreaterThan(0)
      for (const sort of ['-statusAt', 'depositedAt', '-depositedAt', 'invoiceNumber']) {
        // Walked 7 at a time: the id-first page (migration 0012) keeps the keyset order and loses nothing.
        const ids = await walk(`q=${encodeURIComponent(term)}&sort=${sort}`, 7)
        expect(new Set(ids), `${term} ${sort}`).toEqual(new Set(expected.map((r) => r.id)))
        expect(ids.length).toBe(expected.length)
      }
      const one = (await (await w.call('viewer', `/api/v1/invoices?q=${encodeURIComponent(term)}&sort=-statusAt&limit=500`)).json()) as any
      const order = [...expected].sort((a, b) => b.status_at.getTime() - a.status_at.getTime() || Number(b.id) - Number(a.id)).map((r) => r.id)
      expect(one.items.map((i: any) => i.id), term).toEqual(order)
      expect(one.total).toBe(expected.length)
    }
  })

  it('counts free-text matches exactly up to 1,000, then gives the estimate and says so', async () => {
    await t.db.insertInto('invoices').values(Array.from({ length: 1_050 }, (_, i) => ({
      account_id: w.account.id, chorus_invoice_id: 9_500_000 + i, invoice_number: `F-CPT-${i}`, recipient_siret: null,
      recipient_name: i < 1_010 ? 'Mairie de Comptage' : 'Mairie de Petitcompte', service_code: null, amount_net: '1.00', amount_gross: '1.20',
      invoice_date: '2026-10-01', deposited_at: null, status: 'DEPOSEE', status_at: new Date(Date.parse('2026-10-02T08:00:00Z') + i * 1000), status_comment: null,
    }))).execute()
    try {
      const page = async (q: string) => (await (await w.call('viewer', `/api/v1/invoices?${q}`)).json()) as any
      const many = await page('q=comptage&limit=10')
      expect(many.totalExact).toBe(false)
      expect(many.total).toBeGreaterThan(1_000)
      expect(many.items).toHaveLength(10)
      const few = await page('q=petitcompte')
      expect(few).toMatchObject({ total: 40, totalExact: true })
      // Without free text the exact count goes on to 10,000.
      expect(await page('status=DEPOSEE&limit=1')).toMatchObject({ totalExact: true })
    } finally {
      await t.db.deleteFrom('invoices').where('chorus_invoice_id', '>=', '9500000').execute()
    }
  })

  it('refuses bad parameters with clear errors', async () => {
    const bad = async (q: string, code: string) => {
      const res = await w.call('viewer', `/api/v1/invoices?${q}`)
      expect(res.status, q).toBe(400)
      expect((await res.json() as any).error.code, q).toBe(code)
    }
    await bad('sort=colour', 'invalid_sort')
    await bad('status=payée', 'invalid_status')
    await bad('cursor=garbage', 'invalid_cursor')
    await bad('from=2026-13-01', 'invalid_request')
    await bad('limit=100000', 'invalid_request')
    const first = await (await w.call('viewer', '/api/v1/invoices?sort=amountNet&limit=2')).json() as any
    await bad(`sort=-amountNet&cursor=${first.nextCursor}`, 'invalid_cursor')
  })

  it('streams a CSV for French Excel: BOM, ";", decimal comma, neutralised formulas, quoted cells', async () => {
    const res = await w.call('viewer', '/api/v1/invoices/export.csv')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/csv; charset=utf-8/)
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="factures-/)
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
    expect(text.split('\r\n')[0]).toBe('\uFEFF' + EXPORT_COLUMNS.join(';'))
    expect(text).toContain(`'=HYPERLINK(""http://evil"")`)
    expect(text).toContain(`"Ligne 1\nLigne 2 ; ""guillemets"""`)
    expect(text).toContain(`'@SUM(A1)`)
    expect(text).toContain(';-12,50;') // a negative amount is a number, not a formula
    expect(text).not.toMatch(/;=|;@|;\+/)
    const lines = text.split('\r\n').filter(Boolean)
    expect(lines.length).toBe(N + 1)

    const en = await (await w.call('viewer', '/api/v1/invoices/export.csv?format=en&status=paid')).text()
    expect(en.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(EXPORT_COLUMNS.join(','))
    expect(en.split('\r\n').filter(Boolean).length).toBe(1 + (await all()).filter((r) => r.status === 'MISE_EN_PAIEMENT').length)
    expect(en).toMatch(/,\d+\.\d\d,/)
  })

  it('builds the same cells in SQL as src/domain/csv.ts', async () => {
    const values = ['', 'plain', '=1+1', '+33 6 12', '-12.50', '-12,50', '+5', '@x', '\tTAB', '\rCR', 'a;b', 'a,b', 'say "hi"', 'line\nbreak', '-', '=', "'quoted", 'é€', '  space']
    for (const sep of [';', ','] as const) {
      const r = await sql<{ v: string; c: string }>`select v, csv_text(v, ${sep}) as c from unnest(${sql.val(values)}::text[]) as v`.execute(t.db)
      for (const row of r.rows) expect(row.c, JSON.stringify(row.v)).toBe(csvCell(row.v, sep))
    }
    const n = await sql<{ c: string }>`select csv_text(null, ';') as c`.execute(t.db)
    expect(n.rows[0]!.c).toBe('')
  })

  it('runs a background export with progress and keeps the file for download', async () => {
    const start = await w.call('viewer', '/api/v1/exports', json({ status: 'to_process', format: 'fr', retentionHours: 2 }))
    expect(start.status).toBe(202)
    const e = await start.json() as any
    expect(e.state).toBe('pending')
    expect((await w.call('viewer', `/api/v1/exports/${e.id}/file`)).status).toBe(409)
    const job = await t.db.selectFrom('jobs').selectAll().where('kind', '=', 'export.run').executeTakeFirstOrThrow()
    expect(job.payload).toEqual({ exportId: e.id })
    await runExport(w.ports, e.id)
    const done = await (await w.call('viewer', `/api/v1/exports/${e.id}`)).json() as any
    const expected = (await all()).filter((r) => r.to_process).length
    expect(done).toMatchObject({ state: 'done', rowsDone: expected, rowsTotal: expected, progress: 1 })
    const file = await w.call('viewer', done.fileUrl)
    expect(file.status).toBe(200)
    const streamed = await (await w.call('viewer', '/api/v1/invoices/export.csv?status=to_process')).text()
    expect(await file.text()).toBe(streamed)
    expect((await w.call('viewer', '/api/v1/exports/424242')).status).toBe(404)
  })
})
