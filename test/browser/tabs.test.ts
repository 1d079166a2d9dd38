/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { postgresUrl, testEngines, type TestDatabase } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { invoicePdf } from '../support/invoice-pdf'
import { chromiumMissing, launchChromium, newContext } from './chromium'

const missing = chromiumMissing()
if (missing) console.warn(missing)

const SHOTS = join(process.cwd(), 'test-results', 'screenshots')

/** A ticket URL for a key (the host's side of the handshake). */
async function ticket(s: TestService, key: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${s.url}/api/v1/ui-sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status, await res.clone().text()).toBe(201)
  return ((await res.json()) as { url: string }).url
}

async function newKey(s: TestService, role: 'viewer' | 'operator' | 'admin'): Promise<string> {
  const res = await s.api('/api-keys', { method: 'POST', json: { name: `browser ${role}`, role } })
  return ((await res.json()) as { key: string }).key
}

/** The page fits its width: nothing sticks out sideways (at 768 px, the narrow host iframe). */
async function expectNoOverflow(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }))
  expect(scroll, `page is ${scroll}px wide in a ${client}px viewport`).toBeLessThanOrEqual(client)
}

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

/**
 * The whole person's path through the tab pages, in Chromium, on the real service and sandbox: a
 * PDF dropped in the inbox shows red in To submit, gets its service code in Complete, is validated
 * and tracked, is sent back to recycle by the sandbox, recycled from To process, and exported.
 * One engine only (PostgreSQL when TEST_DATABASE_URL is set) to keep the suite short.
 */
describe.skipIf(!!missing)('tab pages in Chromium', () => {
  const engine = testEngines().find((e) => e.name === (postgresUrl() ? 'postgres' : 'pglite'))!
  let t: TestDatabase | undefined
  let s: TestService
  let browser: Browser
  let inbox: string
  let adminPage: Page
  const number = 'F-UI-0001'

  beforeAll(async () => {
    t = engine.name === 'postgres' ? await engine.open() : undefined
    inbox = mkdtempSync(join(tmpdir(), 'chorus-inbox-'))
    s = await startTestService({ INBOX_DIR: inbox, CRON_ENABLED: 'false', ...(t?.url ? { DATABASE_URL: t.url } : {}) })
    // Statuses change only when the test says so.
    await s.sandbox('/clock', { method: 'POST', json: { paused: true } })
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await s?.stop()
    await t?.close()
  })

  it('drop → To submit (red) → Complete → Validate → Tracking → A_RECYCLER → Recycle → CSV export', async () => {
    const { bytes } = await invoicePdf({ seed: 801, recipientIndex: 1, number, serviceCode: null, engagement: null, serviceLabel: null })
    writeFileSync(join(inbox, 'facture-ui-0001.pdf'), bytes)
    const sources = (await (await s.api('/sources')).json()) as { items: Array<{ id: string; kind: string }> }
    const folder = sources.items.find((x) => x.kind === 'folder')!
    expect((await s.api(`/sources/${folder.id}/scan`, { method: 'POST' })).status).toBeLessThan(300)
    const doc = await s.until(async () => {
      const list = (await (await s.api('/documents?tab=to-submit')).json()) as { items: any[] }
      return list.items.find((d) => d.filename === 'facture-ui-0001.pdf' && d.state !== 'analysing')
    }, 30_000, 'the dropped PDF analysed')
    expect(doc.state).toBe('incomplete')

    const context = await newContext(browser, s.url)
    const page = await context.newPage()
    adminPage = page
    page.on('dialog', (d) => void d.accept())
    await page.goto(await ticket(s, s.adminKey))
    expect(new URL(page.url()).pathname).toBe('/ui/to-submit')
    await expect.poll(() => page.title()).toContain('À déposer')

    // Red, with its reason on keyboard focus (and hover).
    const row = page.locator(`tr[data-document-id="${doc.id}"]`)
    const badge = row.locator('.state')
    await expect.poll(() => badge.getAttribute('data-state')).toBe('incomplete')
    await badge.focus()
    const tip = row.locator('.tip')
    expect(await tip.isVisible()).toBe(true)
    expect(await tip.innerText()).toMatch(/service/i)
    await page.mouse.move(0, 0)
    await badge.hover()
    expect(await tip.isVisible()).toBe(true)
    await shot(page, 'to-submit-1280')

    // Complete: the PDF beside the form, origins, the problem inline on the service code.
    await row.getByRole('link', { name: /Compléter/ }).click()
    await page.waitForURL(`**/ui/to-submit/${doc.id}`)
    expect(await page.locator('iframe.pdf-frame').getAttribute('src')).toBe(`/ui/api/v1/documents/${doc.id}/file`)
    const pdf = await page.request.get(`/ui/api/v1/documents/${doc.id}/file`)
    expect(pdf.headers()['content-type']).toContain('application/pdf')
    const service = page.getByLabel('Code service')
    expect(await service.getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('[data-field="serviceCode"] .problem').innerText()).toMatch(/service/i)
    expect(await page.locator('[data-field="invoiceNumber"] .origin').innerText()).toMatch(/Origine : (texte du PDF|OCR Chorus Pro|XML)/)
    expect(await page.getByLabel('Numéro de facture').inputValue()).toBe(number)
    // Chromium's PDF viewer draws the pages a moment after the frame loads.
    await page.waitForTimeout(1500)
    await shot(page, 'complete-1280')
    await service.selectOption('ACHATS')
    await page.getByRole('button', { name: 'Valider et déposer' }).click()
    await page.waitForURL((u) => u.pathname === '/ui/to-submit')
    await expect.poll(() => page.locator('#flash').innerText()).toContain('Facture déposée')
    const submitted = (await (await s.api(`/documents/${doc.id}`)).json()) as any
    expect(submitted.state).toBe('submitted')
    expect(submitted.fields.serviceCode).toMatchObject({ value: 'ACHATS', origin: 'person' })

    // Tracking.
    await page.getByRole('link', { name: 'Suivi' }).click()
    const trackRow = page.locator(`tr[data-invoice-number="${number}"]`)
    expect(await trackRow.count()).toBe(1)
    await trackRow.getByRole('link', { name: /Historique/ }).click()
    expect(await page.locator('#history-panel').innerText()).toContain(number)
    await shot(page, 'tracking-1280')

    // The recipient sends it back; the status sync brings it to To process.
    const inv = (await (await s.api(`/invoices?q=${number}`)).json()) as { items: any[] }
    const invoice = inv.items[0]
    expect((await s.sandbox(`/invoices/${invoice.chorusInvoiceId}/status`, { method: 'POST', json: { status: 'A_RECYCLER', comment: 'Service inconnu du destinataire' } })).status).toBe(200)
    expect((await s.api('/invoices/sync', { method: 'POST' })).status).toBeLessThan(300)
    await s.until(async () => ((await (await s.api(`/invoices/${invoice.id}`)).json()) as any).status === 'A_RECYCLER', 20_000, 'status synced')

    await page.getByRole('link', { name: 'À traiter' }).click()
    const card = page.locator(`section[data-group="A_RECYCLER"] article[data-invoice-id="${invoice.id}"]`)
    expect(await card.innerText()).toContain('Service inconnu du destinataire')
    await shot(page, 'to-process-1280')
    await card.getByLabel('Commentaire').fill('Service corrigé')
    await card.getByRole('button', { name: 'Recycler' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toContain('Enregistré')
    const recycled = (await (await s.api(`/invoices/${invoice.id}`)).json()) as any
    expect(recycled.toProcess).toBe(false)
    expect(await page.locator(`article[data-invoice-id="${invoice.id}"]`).count()).toBe(0)

    // Export CSV through the background export, with its progress bar.
    await page.getByRole('link', { name: 'Suivi' }).click()
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Exporter en CSV' }).click()
    const file = await download
    const path = join(SHOTS, '..', 'export.csv')
    await file.saveAs(path)
    const csv = readFileSync(path, 'utf8')
    expect(csv.charCodeAt(0)).toBe(0xfeff)
    expect(csv).toContain(number)
    expect(csv.split(/\r?\n/)[0]).toContain(';')
    expect(await page.locator('#export-progress').getAttribute('hidden')).toBeNull()
    expect(await page.locator('#export-progress').evaluate((e) => (e as HTMLProgressElement).value)).toBe(1)
    expect(await page.locator('#export-status').innerText()).toMatch(/Export prêt/)

    // Every tab, at 1280 px and in a 768 px iframe-like width.
    for (const width of [1280, 768]) {
      await page.setViewportSize({ width, height: 900 })
      for (const tab of ['to-submit', 'to-process', 'tracking', 'recipients', 'settings']) {
        await page.goto(`/ui/${tab}`)
        expect(await page.locator('h1').count()).toBe(1)
        await expectNoOverflow(page)
        if (width === 768 || tab === 'recipients' || tab === 'settings') await shot(page, `${tab}-${width}`)
      }
    }
    await page.goto(`/ui/to-submit/${doc.id}`)
    await expectNoOverflow(page)
    await shot(page, 'complete-768')
  }, 60_000)

  it('switches to English and remembers it for the session; Accept-Language gives English too', async () => {
    const page = adminPage
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.goto('/ui/tracking')
    await page.getByRole('link', { name: 'English' }).click()
    expect(await page.locator('h1').innerText()).toBe('Tracking')
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    await page.getByRole('link', { name: 'To process' }).click()
    expect(await page.locator('h1').innerText()).toBe('To process')
    // Amounts and dates stay in the fr-FR format.
    await page.getByRole('link', { name: 'Tracking' }).click()
    expect(await page.locator(`tr[data-invoice-number="${number}"] td.num`).innerText()).toMatch(/^\d[\d\u202f]*,\d{2}\u00a0€$/)
    await shot(page, 'tracking-en-1280')
    await page.getByRole('link', { name: 'Français' }).click()
    expect(await page.locator('h1').innerText()).toBe('Suivi')

    const en = await newContext(browser, s.url, { locale: 'en-GB' })
    const p2 = await en.newPage()
    await p2.goto(await ticket(s, s.adminKey, { tab: 'recipients' }))
    expect(await p2.locator('h1').innerText()).toBe('Recipients')
    await en.close()
  })

  it('gives a viewer a read-only session: no action buttons, and the actions are refused', async () => {
    const key = await newKey(s, 'viewer')
    const context = await newContext(browser, s.url)
    const page = await context.newPage()
    await page.goto(await ticket(s, key, { tab: 'tracking' }))
    expect(await page.locator('h1').innerText()).toBe('Suivi')
    expect(await page.getByText('Lecture seule').count()).toBe(1)
    expect(await page.getByRole('button', { name: 'Synchroniser les statuts' }).count()).toBe(0)
    expect(await page.getByRole('link', { name: 'Paramètres' }).count()).toBe(0)
    await page.goto('/ui/to-submit')
    expect(await page.getByRole('button', { name: 'Déposer la sélection' }).count()).toBe(0)
    // Even with the page's own CSRF token, the session acts with the viewer's role.
    const answer = await page.evaluate(async () => {
      const csrf = document.querySelector('meta[name="csrf-token"]')!.getAttribute('content')!
      const res = await fetch('/ui/api/v1/invoices/sync', { method: 'POST', headers: { 'x-csrf-token': csrf } })
      return { status: res.status, body: (await res.json()) as { error: { code: string } } }
    })
    expect(answer.status).toBe(403)
    expect(answer.body.error.code).toBe('forbidden')
    const settings = await page.goto('/ui/settings')
    expect(settings!.status()).toBe(403)
    await context.close()
  })

  it('refuses a used ticket and an action without the CSRF token', async () => {
    const url = await ticket(s, s.adminKey)
    const context = await newContext(browser, s.url)
    const page = await context.newPage()
    await page.goto(url)
    expect(new URL(page.url()).pathname).toBe('/ui/to-submit')
    const other = await newContext(browser, s.url)
    const p2 = await other.newPage()
    const again = await p2.goto(url)
    expect(again!.status()).toBe(401)
    expect(await p2.locator('h1').innerText()).toBe('Lien d’accès invalide')
    const noCsrf = await page.evaluate(async () => (await fetch('/ui/api/v1/invoices/sync', { method: 'POST' })).status)
    expect(noCsrf).toBe(403)
    const wrong = await page.evaluate(async () => (await fetch('/ui/api/v1/invoices/sync', { method: 'POST', headers: { 'x-csrf-token': 'forged' } })).status)
    expect(wrong).toBe(403)
    await context.close()
    await other.close()
  })
})
