import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { syncStatuses } from '../../src/workflows/tracking/sync-statuses'
import { trackingWorld, type TrackingWorld } from './tracking-harness'

/** A code Chorus Pro may add one day: the connector has never heard of it. */
const UNKNOWN = 'VALIDEE_PAR_LA_PLATEFORME_2027'

/**
 * Every status of the reference has its labels and group, and a status the connector does not know is
 * kept raw and never breaks the list, a filter, the sort or the CSV export.
 */
describe.each(testEngines())('invoice statuses, known and unknown, on $name', (engine) => {
  let t: TestDatabase
  let w: TrackingWorld
  const ids: Record<string, string> = {}
  beforeAll(async () => {
    t = await engine.open()
    w = await trackingWorld(t)
    const rows = ['ABANDONNEE', 'PRISE_EN_COMPTE_DESTINATAIRE', 'A_COMPLETER', 'REFUSEE_MOA', UNKNOWN, 'MISE_EN_PAIEMENT']
    for (const [i, status] of rows.entries()) {
      const r = await t.db
        .insertInto('invoices')
        .values({ account_id: w.account.id, chorus_invoice_id: 7_100_000 + i, invoice_number: `ST-${i}-${status}`, amount_gross: '10.00', status, status_at: new Date(Date.UTC(2026, 10, 1 + i)), deposited_at: new Date(Date.UTC(2026, 10, 1 + i)) })
        .returning('id')
        .executeTakeFirstOrThrow()
      ids[status] = r.id
    }
  })
  afterAll(async () => {
    await w?.close()
    await t?.close()
  })

  const list = async (query: string) => {
    const res = await w.call('viewer', `/api/v1/invoices?${query}`)
    expect(res.status, await res.clone().text()).toBe(200)
    return ((await res.json()) as any).items as any[]
  }

  it('lists every status with its label and group; an unknown code raw, in no group', async () => {
    const items = await list('limit=500&sort=status')
    const by = Object.fromEntries(items.map((i) => [i.status, i]))
    expect(by.ABANDONNEE).toMatchObject({ statusLabel: { fr: 'Abandonnée', en: 'Abandoned' }, statusGroup: 'closed', statusKnown: true })
    expect(by.PRISE_EN_COMPTE_DESTINATAIRE).toMatchObject({ statusLabel: { fr: 'Prise en compte par le destinataire' }, statusGroup: 'in_progress' })
    expect(by.A_COMPLETER).toMatchObject({ statusGroup: 'to_process', toProcess: false })
    expect(by.REFUSEE_MOA).toMatchObject({ statusGroup: 'rejected', statusLabel: { en: 'Refused by the contracting authority (MOA)' } })
    expect(by[UNKNOWN]).toMatchObject({ status: UNKNOWN, statusLabel: { fr: UNKNOWN, en: UNKNOWN }, statusGroup: null, statusKnown: false, toProcess: false })
    // Sorted by status, the unknown one in its alphabetical place.
    expect(items.map((i) => i.status)).toEqual([...items.map((i) => i.status)].sort())
    const detail = await (await w.call('viewer', `/api/v1/invoices/${ids[UNKNOWN]}`)).json() as any
    expect(detail).toMatchObject({ status: UNKNOWN, statusKnown: false })
  })

  it('filters by the unknown code itself, by groups, and never 500s on a strange filter word', async () => {
    expect((await list(`status=${UNKNOWN}`)).map((i) => i.id)).toEqual([ids[UNKNOWN]])
    expect((await list('status=closed')).map((i) => i.status)).toEqual(['ABANDONNEE'])
    expect(new Set((await list('status=to_process')).map((i) => i.status))).toEqual(new Set(['A_COMPLETER']))
    expect(new Set((await list('status=rejected,paid')).map((i) => i.status))).toEqual(new Set(['REFUSEE_MOA', 'MISE_EN_PAIEMENT']))
    // Groups never swallow the unknown code; the unknown code next to a group is fine.
    expect((await list('status=in_progress')).map((i) => i.status)).not.toContain(UNKNOWN)
    expect(new Set((await list(`status=closed,${UNKNOWN}`)).map((i) => i.status))).toEqual(new Set(['ABANDONNEE', UNKNOWN]))
    for (const word of ['constructor', '__proto__', 'toString']) {
      const res = await w.call('viewer', `/api/v1/invoices?status=${word}`)
      expect(res.status, word).toBe(400)
      expect(((await res.json()) as any).error.code).toBe('invalid_status')
    }
  })

  it('exports the unknown code raw in the CSV, with every other row', async () => {
    const res = await w.call('viewer', '/api/v1/invoices/export.csv?format=en')
    expect(res.status).toBe(200)
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n')
    expect(lines).toHaveLength(1 + Object.keys(ids).length)
    const row = lines.find((l) => l.startsWith(`ST-4-${UNKNOWN},`))!
    expect(row.split(',')[2]).toBe(UNKNOWN)
    const filtered = await (await w.call('viewer', `/api/v1/invoices/export.csv?status=${UNKNOWN}`)).text()
    expect(filtered.trim().split('\r\n')).toHaveLength(2)
  })

  it('keeps a status Chorus Pro sends that nobody knows yet, and keeps polling it (not final)', async () => {
    const a = await w.submit('ST-SYNC-1')
    const set = await fetch(`${w.sandbox.base}/_sandbox/invoices/${a.chorusId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: UNKNOWN, unknown: true, comment: 'Nouveau statut' }) })
    expect(set.status).toBe(200)
    const r = await syncStatuses(w.ports)
    // (The rows inserted above are not in the sandbox: their polls fail, which is not this test's matter.)
    expect(r.errors.filter((e) => e.invoiceId === a.id)).toEqual([])
    const row = await t.db.selectFrom('invoices').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: UNKNOWN, status_comment: 'Nouveau statut', final: false, to_process: false })
    expect(row.next_poll_at).not.toBeNull()
    // A final known status stops polling, as before.
    await w.sandbox.setStatus(a.chorusId, 'ABANDONNEE')
    w.ports.clock.offsetMs = 60 * 60_000
    await syncStatuses(w.ports)
    w.ports.clock.offsetMs = 0
    const after = await t.db.selectFrom('invoices').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow()
    expect(after).toMatchObject({ status: 'ABANDONNEE', final: true })
  })
})
