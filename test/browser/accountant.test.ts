/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines } from '../support/databases'
import { SEED_STRUCTURES } from '../../src/sandbox'
import { chromiumMissing } from './chromium'
import { openWorld, type World } from './world'

const missing = chromiumMissing()
if (missing) console.warn(missing)

const OPEN = SEED_STRUCTURES[0]!

/**
 * Issue 17, "tabs an accountant can use all day": each numbered point as a person meets it in Chromium,
 * on the real service and its sandbox, on PGlite and (with TEST_DATABASE_URL) PostgreSQL.
 */
describe.skipIf(!!missing).each(testEngines())('the tabs as an accountant uses them, on $name', (engine) => {
  let w: World
  beforeAll(async () => {
    w = await openWorld(engine)
  }, 90_000)
  afterAll(async () => {
    await w?.close()
  })

  it('1. shows the deposit as Chorus Pro gave it: our own submission at its real time, a portal one as a date (list and CSV)', async () => {
    const before = Date.now()
    const doc = await w.drop('depot-heure.pdf', { seed: 1701, recipientIndex: 0, number: 'F-DEPOT-1', serviceCode: 'SERV_TECH', engagement: null })
    expect(['ready', 'submitted'], JSON.stringify(doc.problems)).toContain(doc.state)
    // The demo account submits on its own: the deposit happens between the drop and the end of Validate.
    if ((await w.doc(doc.id)).state === 'ready') await w.s.api(`/documents/${doc.id}/validate`, { method: 'POST' })
    await w.s.until(async () => (await w.doc(doc.id)).invoiceId, 20_000, 'the invoice submitted')
    const after = Date.now()
    await w.depositElsewhere('F-PORTAIL-1', OPEN.siret)
    await w.sync()

    const list = (await (await w.s.api('/invoices?q=F-&limit=50')).json()) as { items: Array<{ invoiceNumber: string; depositedAt: string }> }
    const ours = list.items.find((i) => i.invoiceNumber === 'F-DEPOT-1')!
    const portal = list.items.find((i) => i.invoiceNumber === 'F-PORTAIL-1')!
    // Ours: the moment Chorus Pro answered (a millisecond apart at most when it fell on a whole Paris day).
    expect(Date.parse(ours.depositedAt)).toBeGreaterThanOrEqual(before)
    expect(Date.parse(ours.depositedAt)).toBeLessThanOrEqual(after + 1)

    const page = await w.page({ tab: 'tracking' })
    const cell = (n: string) => page.locator(`tr[data-invoice-number="${n}"] td[data-col="depositedAt"]`).innerText()
    const paris = (ms: number) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(new Date(ms))
    expect([paris(before), paris(after)]).toContain(await cell('F-DEPOT-1'))
    // The portal invoice: Chorus Pro gave only the day; no time is made up.
    const today = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short' }).format(new Date())
    expect(await cell('F-PORTAIL-1')).toBe(today)
    expect(portal.depositedAt).toBeTruthy()

    // The CSV says the same: a date for the portal one, the time for ours.
    const csv = await (await w.s.api('/invoices/export.csv?q=F-')).text()
    const lines = csv.split(/\r?\n/)
    const header = lines[0]!.replace(/^\ufeff/, '').split(';')
    const col = (line: string | undefined, name: string) => line!.split(';')[header.indexOf(name)]
    const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date())
    expect(col(lines.find((l) => l.includes('F-PORTAIL-1')), 'deposited_at')).toBe(isoDay)
    expect(col(lines.find((l) => l.includes('F-DEPOT-1')), 'deposited_at')).toMatch(new RegExp(`^${isoDay} \\d{2}:\\d{2}:\\d{2}$`))
    await page.close()
  }, 90_000)
})
