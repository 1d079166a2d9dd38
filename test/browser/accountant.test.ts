/// <reference lib="dom" />
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testEngines } from '../support/databases'
import { SEED_STRUCTURES } from '../../src/sandbox'
import { withLuhnDigit } from '../../src/domain/siret'
import { chromiumMissing, closePage, newContext } from './chromium'
import { invoicePdf } from '../support/invoice-pdf'
import { axeViolations, describeViolations, expectNoOverflow, openWorld, shot, type World } from './world'

const missing = chromiumMissing()
if (missing) console.warn(missing)

const OPEN = SEED_STRUCTURES[0]!
const SERVICE_REQUIRED = SEED_STRUCTURES[1]!
const INACTIVE = SEED_STRUCTURES[5]!

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

    const list = (await (await w.s.api('/invoices?q=F-&limit=50')).json()) as { items: Array<{ invoiceNumber: string; depositedAt: string; depositedOn: string; depositTimeKnown: boolean }> }
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
    // The API too: a day for the portal one, the instant for ours.
    const isoToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date())
    expect(portal).toMatchObject({ depositedAt: isoToday, depositedOn: isoToday, depositTimeKnown: false })
    expect(ours).toMatchObject({ depositedOn: isoToday, depositTimeKnown: true })

    // The CSV says the same: a date for the portal one, the time for ours.
    const csv = await (await w.s.api('/invoices/export.csv?q=F-')).text()
    const lines = csv.split(/\r?\n/)
    const header = lines[0]!.replace(/^\ufeff/, '').split(';')
    const col = (line: string | undefined, name: string) => line!.split(';')[header.indexOf(name)]
    const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date())
    expect(col(lines.find((l) => l.includes('F-PORTAIL-1')), 'deposited_at')).toBe(isoDay)
    expect(col(lines.find((l) => l.includes('F-DEPOT-1')), 'deposited_at')).toMatch(new RegExp(`^${isoDay} \\d{2}:\\d{2}:\\d{2}$`))
    await closePage(page)
  }, 90_000)

  it('2. after a refused Validate, shows the new reason under the field at once, and no old "Enregistré." above it', async () => {
    await w.forgetMappings()
    const doc = await w.drop('erreur-fraiche.pdf', { seed: 1702, recipientIndex: 1, number: 'F-FRAIS-1', serviceCode: null, engagement: null, serviceLabel: null })
    expect(doc.state).toBe('incomplete')
    const page = await w.page()
    await page.goto(`/ui/to-submit/${doc.id}`)
    const problems = page.locator('[data-field="serviceCode"] .problem')
    const before = await problems.allInnerTexts()
    expect(before.join(' ')).toMatch(/service/i)

    // Save something: the page reloads with a green "Enregistré.".
    await page.getByLabel('Numéro d’engagement').fill('EJ-2026-17')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toContain('Enregistré')
    expect(await page.getByLabel('Numéro d’engagement').inputValue()).toBe('EJ-2026-17')

    // A recipient Chorus Pro no longer serves: refused, and the page says why right away, field by field.
    await page.getByLabel('Code service').selectOption('ACHATS')
    await page.getByLabel('SIRET du destinataire').fill(INACTIVE.siret)
    await page.getByRole('button', { name: 'Valider et déposer' }).click()
    const message = page.locator('#complete-form [data-role="form-message"]')
    // A Validate round trip (the directory checked, the page refreshed) can pass 1 s beside another test file.
    await expect.poll(() => message.innerText(), { timeout: 15_000 }).not.toBe('')
    expect(await message.getAttribute('class')).toContain('bad')
    expect(await page.locator('#flash').isVisible()).toBe(false)
    expect(await page.locator('#flash').innerText()).toBe('')
    const siretProblems = page.locator('[data-field="recipientSiret"] .problem')
    await expect.poll(async () => (await siretProblems.allInnerTexts()).join(' ')).toMatch(/inactif/i)
    // The old reason under the service code is gone.
    expect((await problems.allInnerTexts()).join(' ')).not.toBe(before.join(' '))
    expect(await page.getByLabel('SIRET du destinataire').getAttribute('aria-invalid')).toBe('true')
    // What the person typed stays in the form.
    expect(await page.getByLabel('SIRET du destinataire').inputValue()).toBe(INACTIVE.siret)
    if (w.engine === 'pglite') await shot(page, 'complete-refused-fr')
    // And it is what a reload shows too.
    const fresh = await (await page.request.get(`/ui/to-submit/${doc.id}`)).text()
    for (const p of await siretProblems.allInnerTexts()) expect(fresh).toContain(p.replace(/&/g, '&amp;').replace(/"/g, '&quot;').slice(0, 20))
    await closePage(page)
  }, 60_000)

  it('3. imports recipients all or nothing, and lists each refused line with its column and problem', async () => {
    const page = await w.page({ tab: 'recipients' })
    const dir = mkdtempSync(join(tmpdir(), 'import-'))
    const bad = join(dir, 'destinataires.csv')
    const good = `Mairie de Test-Import;${OPEN.siret};SERV_TECH;`
    writeFileSync(bad, `Libellé;SIRET destinataire;Code service;Numéro d’engagement\n${good}\nÉcole Test-Import;123;;\nCollège Test-Import;${OPEN.siret};;\n`)
    await page.getByLabel(/Fichier CSV/).setInputFiles(bad)
    await page.getByRole('button', { name: 'Importer' }).click()
    const message = page.locator('form[aria-labelledby="import-title"] [data-role="form-message"]')
    await expect.poll(() => message.innerText()).toMatch(/Rien n’a été importé : 1 ligne\(s\) à corriger sur 3/)
    const row = page.locator('#import-report tr[data-line="3"]')
    expect(await row.count()).toBeGreaterThan(0)
    const cells = await row.first().locator('td').allInnerTexts()
    expect(cells[0]).toBe('3')
    expect(cells[1]).toMatch(/^B/)
    expect(cells[2]).toMatch(/SIRET/)
    expect(await page.locator('#flash').innerText()).toBe('')
    if (w.engine === 'pglite') await shot(page, 'recipients-import-refused-fr')
    // Nothing was written, not even the good lines.
    const none = (await (await w.s.api('/recipients?q=Test-Import')).json()) as { total: number }
    expect(none.total).toBe(0)

    // The file corrected: everything goes in, and the page says what happened.
    writeFileSync(bad, `Libellé;SIRET destinataire;Code service;Numéro d’engagement\n${good}\nÉcole Test-Import;${OPEN.siret};;\nCollège Test-Import;${OPEN.siret};;\n`)
    await page.getByLabel(/Fichier CSV/).setInputFiles(bad)
    await page.getByRole('button', { name: 'Importer' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toMatch(/Import terminé : 3 créée\(s\)/)
    const all = (await (await w.s.api('/recipients?q=Test-Import')).json()) as { total: number }
    expect(all.total).toBe(3)
    await closePage(page)
  })

  it('4. never submits on Save: an edited document waits for Validate, or for the sweep once the person has left it, and the page says so', async () => {
    await w.forgetMappings()
    const doc = await w.drop('enregistrer.pdf', { seed: 1704, recipientIndex: 1, number: 'F-SAVE-1', serviceCode: null, engagement: null, serviceLabel: null })
    expect(doc.state).toBe('incomplete')
    const page = await w.page()
    await page.goto(`/ui/to-submit/${doc.id}`)
    const note = page.locator('#submission-note')
    expect(await note.getAttribute('data-auto')).toBe('true')
    expect(await note.innerText()).toMatch(/« Enregistrer » garde vos corrections sans rien déposer\. Dépôt automatique/)

    await page.getByLabel('Code service').selectOption('ACHATS')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toMatch(/^Enregistré\. Rien n’a été déposé/)
    expect(await note.innerText()).toMatch(/Pas avant \d{2}:\d{2}\./)
    expect((await w.doc(doc.id)).state).toBe('ready')

    // What could send it: the job analysis queues for an auto-submit account, and the 10-minute sweep.
    await w.runJob('document.submit', { documentId: doc.id, auto: true })
    await w.runJob('documents.auto-submit', {})
    expect((await w.doc(doc.id)).state).toBe('ready')

    // Ten minutes after the last save (the person has left it), the sweep takes it.
    const db = w.s.service.database.db
    await sql`update documents set extracted = jsonb_set(extracted, '{info,editedAt}', to_jsonb(${new Date(Date.now() - 11 * 60_000).toISOString()}::text)) where id = ${doc.id}`.execute(db)
    await page.reload()
    expect(await note.innerText()).not.toMatch(/Pas avant/)
    await w.runJob('documents.auto-submit', {})
    await w.s.until(async () => (await w.doc(doc.id)).state === 'submitted', 20_000, 'submitted by the sweep')
    await closePage(page)
  }, 60_000)

  it('7. refuses a filter or sort value nobody can match, naming the allowed values (API and Tracking page)', async () => {
    const bad = async (path: string, code: string, names: RegExp) => {
      const res = await w.s.api(path, { headers: { 'accept-language': 'fr' } })
      expect(res.status, path).toBe(400)
      const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } }
      expect(body.error.code, path).toBe(code)
      expect(body.error.message + JSON.stringify(body.error.details ?? ''), path).toMatch(names)
    }
    await bad('/invoices?status=PAYEE', 'invalid_status', /PAYEE.*Valeurs admises.*in_progress.*MISE_EN_PAIEMENT/)
    await bad('/invoices?status=paid,PAYEE', 'invalid_status', /PAYEE/)
    await bad('/invoices/export.csv?status=PAYEE', 'invalid_status', /Valeurs admises/)
    await bad('/invoices?sort=colour', 'invalid_sort', /Valeurs admises : id, invoiceNumber.*depositedAt/)
    await bad('/invoices?tab=archive', 'invalid_request', /tracking.*to-process/)
    await bad('/invoices?hasDocument=maybe', 'invalid_request', /true.*false/)
    await bad('/invoices/export.csv?format=de', 'invalid_request', /fr.*en/)
    await bad('/documents?tab=later', 'invalid_request', /to-submit.*to-process.*all/)
    await bad('/documents?state=green', 'invalid_request', /ready.*incomplete/)
    await bad('/documents?order=up', 'invalid_request', /asc.*desc/)
    await bad('/recipients?origin=guessed', 'invalid_request', /manual.*learned.*imported/)
    const exp = await w.s.api('/exports', { method: 'POST', json: { status: 'PAYEE' } })
    expect(exp.status).toBe(400)
    // Real values still work, groups and codes.
    expect((await w.s.api('/invoices?status=paid,MISE_A_DISPOSITION')).status).toBe(200)

    const page = await w.page()
    await page.goto('/ui/tracking?status=PAYEE')
    const alert = page.locator('main .alert.bad')
    expect(await alert.innerText()).toMatch(/Statut inconnu : PAYEE\. Valeurs admises/)
  })

  it('8. reports every bad field at once, each in the person’s language with its label (page and API)', async () => {
    await w.forgetMappings()
    const doc = await w.drop('champs.pdf', { seed: 1708, recipientIndex: 1, number: 'F-CHAMPS-1', serviceCode: null, engagement: null, serviceLabel: null })
    const page = await w.page()
    await page.goto(`/ui/to-submit/${doc.id}`)
    await page.getByLabel('Montant HT').fill('12,3,4x')
    await page.getByLabel(/Date de facture/).fill('31/02/2026')
    await page.getByLabel('Montant TVA').fill('vingt')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    const message = page.locator('#complete-form [data-role="form-message"]')
    await expect.poll(() => message.innerText()).toMatch(/^À corriger : /)
    const text = await message.innerText()
    for (const label of ['Montant HT', 'Date de facture', 'Montant TVA']) expect(text).toContain(label)
    expect(text).not.toMatch(/amountNet|invoiceDate|amountVat|expected|is not/)
    expect(await page.locator('[data-field="amountNet"] .problem').last().innerText()).toMatch(/n’est pas un montant/)
    expect(await page.locator('[data-field="invoiceDate"] .problem').last().innerText()).toMatch(/n’est pas une date/)
    expect(await page.locator('[data-field="amountVat"] .problem').last().innerText()).toMatch(/n’est pas un montant/)
    for (const f of ['amountNet', 'invoiceDate', 'amountVat']) expect(await page.locator(`#f-${f}`).getAttribute('aria-invalid')).toBe('true')
    if (w.engine === 'pglite') await shot(page, 'complete-fields-fr')
    // Nothing was saved: the three values are refused together.
    expect((await w.doc(doc.id)).fields.amountNet?.origin).not.toBe('person')

    // The same in English, and through the API for a host.
    await page.goto(`/ui/to-submit/${doc.id}?lang=en`)
    await page.getByLabel('Net amount').fill('abc')
    await page.getByLabel('Gross amount').fill('twelve')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => message.innerText()).toMatch(/^To fix: Net amount: "abc" is not an amount.*Gross amount/)
    expect(await message.innerText()).not.toMatch(/montant|amountNet/)
    const res = await w.s.api('/recipients', { method: 'POST', json: { label: '', recipientSiret: '123', serviceCode: 'x'.repeat(200) }, headers: { 'accept-language': 'fr' } })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { message: string; details: Array<{ field: string; label: string; message: string }> } }
    expect(body.error.details.map((d) => d.field).sort()).toEqual(['label', 'recipientSiret', 'serviceCode'])
    expect(body.error.details.find((d) => d.field === 'recipientSiret')!.message).toBe('SIRET du destinataire : 14 chiffres attendus, clé de contrôle comprise (ex. 21420218600012)')
    expect(body.error.message).toMatch(/^À corriger : .*Libellé : .*SIRET du destinataire : .*Code service : /)
    expect(JSON.stringify(body)).not.toMatch(/expected|Too (small|big)|Invalid/)
    const en = (await (await w.s.api('/recipients', { method: 'POST', json: { label: '', recipientSiret: '123' }, headers: { 'accept-language': 'en' } })).json()) as typeof body
    expect(en.error.details.find((d) => d.field === 'recipientSiret')!.message).toBe('Recipient SIRET: 14 digits expected, check digit included (e.g. 21420218600012)')
    await closePage(page)
  }, 60_000)

  it('10. says everything as sentences: history events, who acted, directory states, refused documents; no code, key or id', async () => {
    const TECHNICAL = /\b(submission|invoice|document)\.[a-z_.]+\b|key:\d|#\d+|\b[a-z]+_[a-z_]+\b|\bnull\b|\bundefined\b/
    const doc = await w.drop('phrases.pdf', { seed: 1710, recipientIndex: 0, number: 'F-PHRASES-1', serviceCode: 'SERV_TECH', engagement: null })
    await w.s.until(async () => (await w.doc(doc.id)).invoiceId, 20_000, 'submitted by the demo account')
    const invoiceId = (await w.doc(doc.id)).invoiceId!
    await w.sync()
    const page = await w.page({ tab: 'tracking' })
    await page.goto(`/ui/tracking?show=${invoiceId}`)
    const panel = page.locator('#history-panel')
    const text = await panel.innerText()
    expect(text).toContain('Envoi de la facture PDF à Chorus Pro')
    expect(text).toContain('Déposée dans Chorus Pro par le connecteur')
    expect(text).toMatch(/par dépôt automatique|par l’administrateur|par le connecteur/)
    expect(text, text).not.toMatch(TECHNICAL)
    // Top to bottom in time order (item 13 too): each event no earlier than the one above.
    const kinds = await panel.locator('li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.kind))
    expect(kinds.indexOf('submission.request')).toBeLessThan(kinds.indexOf('submission'))

    // A mapping not yet checked in the directory says so in words.
    const created = await w.s.api('/recipients', { method: 'POST', json: { label: 'Mairie Non Vérifiée', recipientSiret: withLuhnDigit('2159000010001') } })
    expect(created.status, await created.clone().text()).toBe(201)
    await page.goto('/ui/recipients?q=Non%20V%C3%A9rifi%C3%A9e')
    const badge = page.locator('[data-directory]').first()
    expect(await badge.innerText()).not.toMatch(TECHNICAL)
    expect(await badge.innerText()).toMatch(/[A-Z][a-zé]+ /)

    // A refused document of a selection is named by its file, never '#id'.
    await w.forgetMappings()
    const red = await w.drop('selection-rouge.pdf', { seed: 1711, recipientIndex: 1, number: 'F-PHRASES-2', serviceCode: null, engagement: null, serviceLabel: null })
    await page.goto('/ui/to-submit')
    await page.locator(`tr[data-document-id="${red.id}"] input[name="ids"]`).check()
    await page.getByRole('button', { name: 'Déposer la sélection' }).click()
    await expect.poll(() => page.locator('#bulk-text').innerText()).toContain('selection-rouge.pdf : Document incomplet')
    expect(await page.locator('#bulk-text').innerText()).not.toMatch(TECHNICAL)

    // Every tab, in both languages: no technical word in what a person reads.
    for (const lang of ['fr', 'en'] as const) {
      for (const tab of ['to-submit', 'to-process', 'tracking', 'recipients']) {
        await page.goto(`/ui/${tab}?lang=${lang}`)
        const main = await page.locator('main').innerText()
        expect(main, `${tab} ${lang}`).not.toMatch(TECHNICAL)
      }
      await page.goto(`/ui/settings?lang=${lang}`)
      const settings = await page.locator('main section:not([aria-labelledby="s-webhooks"])').allInnerTexts()
      // Settings show data that is technical by nature (logins, key names and prefixes, paths): only our own words are checked.
      expect(settings.join('\n'), `settings ${lang}`).not.toMatch(/\b(submission|invoice)\.[a-z_.]+|key:\d|#\d+|\bnot_checked\b|\bfacturx\b|\{"/)
    }
    await closePage(page)
  }, 90_000)

  it('11. shows why a row is red without hovering, and the recipient by its directory name with its SIRET beneath', async () => {
    await w.forgetMappings()
    const red = await w.drop('raison-visible.pdf', { seed: 1712, recipientIndex: 1, number: 'F-RAISON-1', serviceCode: null, engagement: null, serviceLabel: null })
    expect(red.state).toBe('incomplete')
    const page = await w.page()
    await page.goto('/ui/to-submit')
    await page.mouse.move(0, 0)
    const row = page.locator(`tr[data-document-id="${red.id}"]`)
    const reason = row.locator('[data-role="reason"]')
    expect(await reason.isVisible()).toBe(true)
    expect(await reason.innerText()).toMatch(/service/i)
    expect(await row.locator('[data-col="recipient"] .recipient-name').innerText()).toBe(SERVICE_REQUIRED.name)
    expect(await row.locator('[data-col="recipient"] .recipient-siret').innerText()).toBe(SERVICE_REQUIRED.siret)
    if (w.engine === 'pglite') await shot(page, 'to-submit-reasons-fr')

    // Tracking: the directory's name, the SIRET beneath.
    const ok = await w.drop('destinataire-nom.pdf', { seed: 1713, recipientIndex: 0, number: 'F-NOM-1', serviceCode: 'SERV_TECH', engagement: null })
    await w.s.until(async () => (await w.doc(ok.id)).invoiceId, 20_000, 'submitted by the demo account')
    await page.goto('/ui/tracking?q=F-NOM-1')
    const cell = page.locator('tr[data-invoice-number="F-NOM-1"] [data-col="recipient"]')
    expect(await cell.locator('.recipient-name').innerText()).toBe(OPEN.name)
    expect(await cell.locator('.recipient-siret').innerText()).toBe(OPEN.siret)
    await closePage(page)
  }, 60_000)

  it('13. history in time order, a detail panel that fits 1366×768, and a sync that shows progress then what changed', async () => {
    const doc = await w.drop('historique.pdf', { seed: 1713, recipientIndex: 0, number: 'F-HISTO-1', serviceCode: 'SERV_TECH', engagement: null })
    await w.s.until(async () => (await w.doc(doc.id)).invoiceId, 20_000, 'submitted by the demo account')
    const invoiceId = (await w.doc(doc.id)).invoiceId!
    const inv = (await (await w.s.api(`/invoices/${invoiceId}`)).json()) as { chorusInvoiceId: string }
    await w.sync()
    await w.s.sandbox(`/invoices/${inv.chorusInvoiceId}/status`, { method: 'POST', json: { status: 'MISE_A_DISPOSITION' } })

    const page = await w.page({ tab: 'tracking', width: 1366, height: 768 })
    await page.goto('/ui/tracking')
    const sync = page.getByRole('button', { name: 'Synchroniser les statuts' })
    const status = page.locator('#sync-status')
    const seen: string[] = []
    const watch = setInterval(() => void status.innerText().then((t) => { if (t) seen.push(t) }).catch(() => {}), 100)
    await sync.click()
    await expect.poll(() => status.innerText(), { timeout: 30_000 }).toMatch(/^Synchronisation terminée : /)
    clearInterval(watch)
    expect(await status.innerText()).toMatch(/1 statut\(s\) mis à jour/)
    expect(seen.some((t) => /Fait/.test(t))).toBe(false)
    expect(await page.locator('#sync-show').isVisible()).toBe(true)
    if (w.engine === 'pglite') await shot(page, 'tracking-synced-fr')

    await page.goto(`/ui/tracking?show=${invoiceId}`)
    const times = await page.locator('#history-panel li').evaluateAll((lis) => lis.map((li) => Date.parse((li as HTMLElement).dataset.at!)))
    expect(times.length).toBeGreaterThan(2)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    // The panel and every column fit 1366×768: nothing scrolls sideways, the panel is whole.
    const fit = await page.evaluate(() => {
      const wrap = document.querySelector('.table-wrap') as HTMLElement
      const panel = document.getElementById('history-panel')!.getBoundingClientRect()
      return { wrap: wrap.scrollWidth - wrap.clientWidth, page: document.documentElement.scrollWidth - document.documentElement.clientWidth, right: panel.right, width: window.innerWidth }
    })
    expect(fit.wrap).toBeLessThanOrEqual(0)
    expect(fit.page).toBeLessThanOrEqual(0)
    expect(fit.right).toBeLessThanOrEqual(fit.width)
    if (w.engine === 'pglite') await shot(page, 'tracking-panel-1366x768-fr')
    await closePage(page)
  }, 90_000)

  it('14. shows the PDF in To process as To submit does, and lets removed documents be seen and restored', async () => {
    const doc = await w.drop('a-recycler.pdf', { seed: 1714, recipientIndex: 0, number: 'F-RECYCL-14', serviceCode: 'SERV_TECH', engagement: null })
    await w.s.until(async () => (await w.doc(doc.id)).invoiceId, 20_000, 'submitted by the demo account')
    const invoiceId = (await w.doc(doc.id)).invoiceId!
    const inv = (await (await w.s.api(`/invoices/${invoiceId}`)).json()) as { chorusInvoiceId: string }
    await w.s.sandbox(`/invoices/${inv.chorusInvoiceId}/status`, { method: 'POST', json: { status: 'A_RECYCLER', comment: 'Service inconnu' } })
    await w.sync()
    const page = await w.page({ tab: 'to-process' })
    const card = page.locator(`article[data-invoice-id="${invoiceId}"]`)
    await card.getByRole('link', { name: /Voir la facture et agir/ }).click()
    await page.waitForURL(`**/ui/to-process/${invoiceId}`)
    expect(await page.locator('iframe.pdf-frame').getAttribute('src')).toBe(`/ui/api/v1/documents/${doc.id}/file`)
    const pdf = await page.request.get(`/ui/api/v1/documents/${doc.id}/file`)
    expect(pdf.headers()['content-type']).toContain('application/pdf')
    expect(await page.getByRole('button', { name: 'Recycler' }).count()).toBe(1)
    expect(await page.locator('ol.history li').count()).toBeGreaterThan(0)
    await page.waitForTimeout(1000)
    if (w.engine === 'pglite') await shot(page, 'to-process-detail-fr')

    // Removed, then seen and restored from a page.
    await w.forgetMappings()
    const gone = await w.drop('a-retirer.pdf', { seed: 1715, recipientIndex: 1, number: 'F-RETIRE-14', serviceCode: null, engagement: null, serviceLabel: null })
    await page.goto('/ui/to-submit')
    await page.locator(`tr[data-document-id="${gone.id}"] input[name="ids"]`).check()
    await page.getByRole('button', { name: 'Retirer la sélection' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toContain('1 document(s) traité(s)')
    expect(await page.locator(`tr[data-document-id="${gone.id}"]`).count()).toBe(0)
    await page.getByRole('link', { name: /Documents retirés \(\d+\)/ }).click()
    await page.waitForURL('**/ui/to-submit/removed')
    const row = page.locator(`tr[data-document-id="${gone.id}"]`)
    expect(await row.innerText()).toContain('a-retirer.pdf')
    expect(await row.innerText()).toMatch(/l’administrateur/)
    if (w.engine === 'pglite') await shot(page, 'removed-fr')
    await row.locator('input[name="ids"]').check()
    await page.getByRole('button', { name: 'Restaurer la sélection' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toContain('1 document(s) traité(s)')
    await w.s.until(async () => (await w.doc(gone.id)).stage === 'to_submit', 20_000, 'restored')
    await page.goto('/ui/to-submit')
    expect(await page.locator(`tr[data-document-id="${gone.id}"]`).count()).toBe(1)

    // An operator sees the removed list, without the restore button.
    const op = await w.page({ key: await w.newKey('operator') })
    await op.goto('/ui/to-submit/removed')
    expect(await op.getByRole('button', { name: 'Restaurer la sélection' }).count()).toBe(0)
    expect(await op.getByText('Seul un administrateur peut restaurer').count()).toBe(1)
    await closePage(page)
    await closePage(op)
  }, 90_000)
  it('12. exports the tracking CSV in the person’s language: headers and statuses in words, SIRET and numbers kept as text, amounts with their decimal mark', async () => {
    const doc = await w.drop('export-csv.pdf', { seed: 1716, recipientIndex: 0, number: '000417', serviceCode: 'SERV_TECH', engagement: null })
    await w.s.until(async () => (await w.doc(doc.id)).invoiceId, 20_000, 'submitted by the demo account')
    const inv = (await (await w.s.api(`/invoices/${(await w.doc(doc.id)).invoiceId}`)).json()) as { amountGross: string; invoiceDate: string }
    const page = await w.page({ tab: 'tracking' })
    const download = async () => {
      const file = page.waitForEvent('download')
      await page.getByRole('button', { name: /Exporter en CSV|Export to CSV/ }).click()
      const d = await file
      return { name: d.suggestedFilename(), text: readFileSync((await d.path())!, 'utf8') }
    }
    const excelText = (v: string) => `"=""${v}"""`
    await page.goto('/ui/tracking?q=000417')
    const fr = await download()
    expect(fr.text.charCodeAt(0)).toBe(0xfeff)
    const [head, row] = fr.text.replace(/^\ufeff/, '').split('\r\n')
    expect(head).toBe('N° de facture;Type;Statut;Date du statut;Motif donné par le destinataire;SIRET du destinataire;Destinataire;Code service;N° d’engagement;Devise;Montant HT;Montant TVA;Montant TTC;Net à payer;Date de facture;Déposée le;N° Chorus Pro;N° de flux;À traiter')
    const cells = row!.split(';')
    expect(cells[0]).toBe(excelText('000417'))
    expect(cells[1]).toBe('Facture')
    expect(cells[2]).toBe('Déposée')
    expect(cells[5]).toBe(excelText(OPEN.siret))
    expect(cells[12]).toBe(inv.amountGross.replace('.', ','))
    expect(cells[14]).toBe(inv.invoiceDate.split('-').reverse().join('/'))
    expect(cells[18]).toBe('non')

    await page.goto('/ui/tracking?q=000417&lang=en')
    const en = await download()
    expect(en.name).toMatch(/^invoices-export-/)
    const [headEn, rowEn] = en.text.replace(/^\ufeff/, '').split('\r\n')
    expect(headEn!.split(',').slice(0, 3)).toEqual(['Invoice number', 'Type', 'Status'])
    const cellsEn = rowEn!.split(',')
    expect(cellsEn[1]).toBe('Invoice')
    expect(cellsEn[2]).toBe('Deposited')
    expect(cellsEn[12]).toBe(inv.amountGross)
    expect(cellsEn[14]).toBe(inv.invoiceDate)
    // The API's stable columns are unchanged for programs.
    const api = await (await w.s.api('/invoices/export.csv?q=000417')).text()
    expect(api.replace(/^\ufeff/, '').split('\r\n')[0]!.startsWith('invoice_number;invoice_type;status;')).toBe(true)
    await closePage(page)
  }, 60_000)
  it('5. offers in Recycle only the services Chorus Pro would accept, says which need an engagement, and follows a new SIRET', async () => {
    const doc = await w.drop('recycler-services.pdf', { seed: 1705, recipientIndex: 0, number: 'F-SERVICES-5', serviceCode: 'SERV_TECH', engagement: null })
    await w.s.until(async () => (await w.doc(doc.id)).invoiceId, 20_000, 'submitted by the demo account')
    const invoiceId = (await w.doc(doc.id)).invoiceId!
    const inv = (await (await w.s.api(`/invoices/${invoiceId}`)).json()) as { chorusInvoiceId: string }
    await w.s.sandbox(`/invoices/${inv.chorusInvoiceId}/status`, { method: 'POST', json: { status: 'A_RECYCLER', comment: 'Mauvais service' } })
    await w.sync()
    const page = await w.page({ tab: 'to-process' })
    const card = page.locator(`article[data-invoice-id="${invoiceId}"]`)
    const select = card.getByLabel('Code service')
    const options = async () => (await select.locator('option').allInnerTexts()).map((o) => o.trim())
    const first = await options()
    expect(first.join('|')).not.toContain('FACTURES_PUBLIQUES')
    expect(first).toContain('SERV_TECH (Services techniques)')
    expect(first).toContain('TRAVAUX (Direction des travaux) : numéro d’engagement exigé')
    // Choosing a service that needs an engagement number makes the field required and says so.
    await select.selectOption('TRAVAUX')
    expect(await card.getByLabel('Numéro d’engagement').getAttribute('required')).not.toBeNull()
    expect(await card.locator('[data-service-chooser] [data-role="needs"]').innerText()).toContain('Ce service exige un numéro d’engagement.')
    if (w.engine === 'pglite') await shot(page, 'to-process-recycle-services-fr')

    // Another recipient: its own services (an inactive one is not offered), and what it requires.
    await card.getByLabel('SIRET du destinataire').fill(SERVICE_REQUIRED.siret)
    await expect.poll(options).toEqual(['ACHATS (Direction des achats)'])
    expect(await card.locator('[data-service-chooser] [data-role="needs"]').innerText()).toContain('exige un code service')
    expect(await card.getByLabel('Numéro d’engagement').getAttribute('required')).toBeNull()
    await card.getByRole('button', { name: 'Recycler' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toContain('Enregistré')
    const after = (await (await w.s.api(`/invoices/${invoiceId}`)).json()) as { recipientSiret: string; serviceCode: string; toProcess: boolean }
    expect(after).toMatchObject({ recipientSiret: SERVICE_REQUIRED.siret, serviceCode: 'ACHATS', toProcess: false })

    // The API's refusal offers the same list: never FACTURES_PUBLIQUES, engagement needs said.
    const doc2 = await w.drop('recycler-services-2.pdf', { seed: 1706, recipientIndex: 0, number: 'F-SERVICES-6', serviceCode: 'SERV_TECH', engagement: null })
    await w.s.until(async () => (await w.doc(doc2.id)).invoiceId, 20_000, 'submitted by the demo account')
    const id2 = (await w.doc(doc2.id)).invoiceId!
    const inv2 = (await (await w.s.api(`/invoices/${id2}`)).json()) as { chorusInvoiceId: string }
    await w.s.sandbox(`/invoices/${inv2.chorusInvoiceId}/status`, { method: 'POST', json: { status: 'A_RECYCLER' } })
    await w.sync()
    const refused = await w.s.api(`/invoices/${id2}/recycle`, { method: 'POST', json: { recipientSiret: OPEN.siret, serviceCode: 'INCONNU' } })
    expect(refused.status).toBe(422)
    const msg = ((await refused.json()) as { error: { message: string } }).error.message
    expect(msg).toContain('Services possibles : SERV_TECH (Services techniques) ; TRAVAUX (Direction des travaux) : numéro d’engagement exigé.')
    expect(msg).not.toContain('FACTURES_PUBLIQUES')
    await closePage(page)
  }, 90_000)
  it('9. makes the service code and the invoice type choices: the recipient’s services (engagement needs marked), searchable, following the SIRET', async () => {
    // A service the recipient does not have keeps the document red (and out of the auto-submission).
    await w.forgetMappings()
    const doc = await w.drop('choix.pdf', { seed: 1709, recipientIndex: 0, number: 'F-CHOIX-9', serviceCode: 'INCONNU', engagement: null })
    expect(doc.state).toBe('incomplete')
    const page = await w.page()
    await page.goto(`/ui/to-submit/${doc.id}`)
    const service = page.getByLabel('Code service')
    expect(await service.evaluate((e) => e.tagName)).toBe('SELECT')
    const options = async () => (await service.locator('option').allInnerTexts()).map((o) => o.trim())
    const first = await options()
    expect(first.join('|')).not.toContain('FACTURES_PUBLIQUES')
    expect(first).toEqual(expect.arrayContaining(['SERV_TECH (Services techniques)', 'TRAVAUX (Direction des travaux) : numéro d’engagement exigé']))
    expect(first).toContain('INCONNU : refusé par le destinataire, choisissez un autre service')
    const type = page.getByLabel('Type de facture')
    expect(await type.evaluate((e) => e.tagName)).toBe('SELECT')
    expect(await type.locator('option').allInnerTexts()).toEqual(['Facture', 'Avoir'])
    await service.selectOption('TRAVAUX')
    expect(await page.locator('[data-field="serviceCode"] [data-role="needs"]').innerText()).toContain('Ce service exige un numéro d’engagement.')
    if (w.engine === 'pglite') await shot(page, 'complete-choices-fr')

    // Another recipient's SIRET: its services.
    await page.getByLabel('SIRET du destinataire').fill(SERVICE_REQUIRED.siret)
    await expect.poll(options).toEqual(['ACHATS (Direction des achats)'])
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toMatch(/^Enregistré/)
    const saved = await w.doc(doc.id)
    expect(saved.fields.serviceCode).toMatchObject({ value: 'ACHATS', origin: 'person' })
    expect(saved.fields.recipientSiret).toMatchObject({ value: SERVICE_REQUIRED.siret, origin: 'person' })
    // A choice left alone is not an edit.
    expect(saved.fields.invoiceType?.origin).not.toBe('person')
    await closePage(page)
  }, 60_000)
  it('15. speaks English throughout in English (colons, placeholders, dates) and French dates in French, in date fields too', async () => {
    const doc = await w.drop('langues.pdf', { seed: 1717, recipientIndex: 0, number: 'F-LANG-15', serviceCode: 'SERV_TECH', engagement: null })
    await w.s.until(async () => (await w.doc(doc.id)).invoiceId, 20_000, 'submitted by the demo account')
    await w.forgetMappings()
    const red = await w.drop('langues-rouge.pdf', { seed: 1718, recipientIndex: 1, number: 'F-LANG-16', serviceCode: null, engagement: null, serviceLabel: null })
    const page = await w.page({ lang: 'en', tab: 'tracking' })
    await page.goto('/ui/tracking?q=F-LANG&lang=en')
    expect(await page.locator('header .role').innerText()).toBe('Role: admin')
    expect(await page.locator('main').innerText()).toMatch(/Total: \d/)
    expect(await page.getByLabel('Deposited from').getAttribute('placeholder')).toBe('YYYY-MM-DD')
    expect(await page.locator('tr[data-invoice-number="F-LANG-15"] td[data-col="depositedAt"]').innerText()).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/)
    // No French left in what the English pages say (data such as names aside), no space before a colon.
    for (const tab of ['to-submit', 'to-process', 'tracking', 'recipients', `to-submit/${red.id}`]) {
      await page.goto(`/ui/${tab}?lang=en`)
      const text = await page.locator('main').innerText()
      expect(text, tab).not.toMatch(/ : |\b(Déposée|Facture|Aucun|Aucune|Rechercher|Enregistrer|Origine|Retour|Montant|Numéro|Destinataire|Statut)\b/)
    }
    expect(await page.getByLabel(/Invoice date/).getAttribute('placeholder')).toBe('YYYY-MM-DD')
    expect(await page.getByLabel(/Invoice date/).inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    if (w.engine === 'pglite') await shot(page, 'complete-en')

    // French: JJ/MM/AAAA in the fields, typed and read back.
    await page.goto(`/ui/to-submit/${red.id}?lang=fr`)
    expect(await page.getByLabel(/Date de facture/).getAttribute('placeholder')).toBe('JJ/MM/AAAA')
    expect(await page.getByLabel(/Date de facture/).inputValue()).toMatch(/^\d{2}\/\d{2}\/\d{4}$/)
    await page.goto('/ui/tracking')
    expect(await page.getByLabel('Déposée du').getAttribute('placeholder')).toBe('JJ/MM/AAAA')
    const today = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short' }).format(new Date())
    await page.getByLabel('Déposée du').fill(today)
    await page.getByLabel('au', { exact: true }).fill(today)
    await page.getByRole('button', { name: 'Appliquer' }).click()
    await page.waitForURL(/from=/)
    expect(await page.locator('main .alert.bad').count()).toBe(0)
    expect(await page.locator('tr[data-invoice-number="F-LANG-15"]').count()).toBe(1)
    expect(await page.getByLabel('Déposée du').inputValue()).toBe(today)
    await page.getByLabel('Déposée du').fill('01/01/2020')
    await page.getByLabel('au', { exact: true }).fill('31/12/2020')
    await page.getByRole('button', { name: 'Appliquer' }).click()
    await page.waitForURL(/from=01/)
    expect(await page.locator('tr[data-invoice-number="F-LANG-15"]').count()).toBe(0)
    await closePage(page)
  }, 60_000)
  it('16. shows progress where work takes time and ends with a result to open: bulk submission, source scan, CSV export', async () => {
    const accounts = (await (await w.s.api('/accounts')).json()) as { items: Array<{ id: string; isDemo: boolean }> }
    const demo = accounts.items.find((a) => a.isDemo)!
    expect((await w.s.api(`/accounts/${demo.id}`, { method: 'PATCH', json: { autoSubmit: false } })).status).toBe(200)
    try {
      await w.forgetMappings()
      const a = await w.drop('lot-1.pdf', { seed: 1721, recipientIndex: 0, number: 'F-LOT-1', serviceCode: 'SERV_TECH', engagement: null })
      const b = await w.drop('lot-2.pdf', { seed: 1722, recipientIndex: 0, number: 'F-LOT-2', serviceCode: 'SERV_TECH', engagement: null })
      await w.forgetMappings()
      const c = await w.drop('lot-3.pdf', { seed: 1723, recipientIndex: 1, number: 'F-LOT-3', serviceCode: null, engagement: null, serviceLabel: null })
      expect([a.state, b.state, c.state]).toEqual(['ready', 'ready', 'incomplete'])
      const page = await w.page()
      for (const d of [a, b, c]) await page.locator(`tr[data-document-id="${d.id}"] input[name="ids"]`).check()
      await page.getByRole('button', { name: 'Déposer la sélection' }).click()
      const text = page.locator('#bulk-text')
      await expect.poll(() => text.innerText(), { timeout: 30_000 }).toMatch(/^Terminé : 2 facture\(s\) déposée\(s\) ; 1 refusée\(s\) : lot-3\.pdf : Document incomplet/)
      expect(await page.locator('#bulk-progress').evaluate((e) => (e as HTMLProgressElement).value)).toBe(3)
      expect(await page.locator('#bulk-link').isVisible()).toBe(true)
      if (w.engine === 'pglite') await shot(page, 'to-submit-bulk-fr')
      await page.locator('#bulk-link').click()
      await page.waitForURL('**/ui/tracking')
      expect(await page.locator('tr[data-invoice-number="F-LOT-1"]').count()).toBe(1)

      // A source scan: progress, then what it found, with a link to To submit.
      writeFileSync(join(w.inbox, 'scan-16.pdf'), (await invoicePdf({ seed: 1724, recipientIndex: 1, number: 'F-SCAN-16', serviceCode: null, engagement: null, serviceLabel: null })).bytes)
      await page.goto('/ui/settings')
      const row = page.locator('tr[data-source-id]').filter({ hasText: 'inbox' })
      await row.getByRole('button', { name: 'Analyser maintenant' }).click()
      const message = row.locator('[data-role="form-message"]')
      // (The folder watcher may have received the file already: then this scan finds nothing new.)
      await expect.poll(() => message.innerText(), { timeout: 30_000 }).toMatch(/^Passage terminé : [01] document\(s\) reçu\(s\)/)
      await w.s.until(async () => ((await (await w.s.api('/documents?tab=all&q=scan-16')).json()) as { total: number }).total === 1, 20_000, 'the scanned file received')
      expect(await message.getByRole('link', { name: /Voir « À déposer »/ }).count()).toBe(1)

      // The CSV export: a bar, then the file (downloaded, and a link to open it again).
      await page.goto('/ui/tracking')
      const download = page.waitForEvent('download')
      await page.getByRole('button', { name: 'Exporter en CSV' }).click()
      await download
      expect(await page.locator('#export-status').innerText()).toMatch(/^Export prêt : \d+ ligne\(s\)\.$/)
      expect(await page.locator('#export-link').isVisible()).toBe(true)
      await closePage(page)
    } finally {
      await w.s.api(`/accounts/${demo.id}`, { method: 'PATCH', json: { autoSubmit: true } })
    }
  }, 90_000)
  it('17. opens on its own: /ui offers a sign-in page (an API key gives the same session a ticket gives), and the sample invoices fill every tab', async () => {
    const context = await newContext(w.browser, w.s.url)
    const page = await context.newPage()
    await page.goto('/ui')
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in')
    expect(await page.locator('h1').innerText()).toBe('Se connecter')
    await page.getByLabel('Clé d’API').fill('cpk_not_a_key')
    await page.getByRole('button', { name: 'Se connecter' }).click()
    expect(await page.locator('.alert.bad').innerText()).toMatch(/n’est pas reconnue/)
    if (w.engine === 'pglite') await shot(page, 'sign-in-fr')
    await page.getByLabel('Clé d’API').fill(w.s.adminKey)
    await page.getByRole('button', { name: 'Se connecter' }).click()
    await page.waitForURL('**/ui/to-submit')
    expect(await page.locator('h1').innerText()).toBe('À déposer')
    // The session is a real one: actions carry its CSRF token and work.
    expect((await page.goto('/ui/settings'))!.status()).toBe(200)

    // An expired or missing session leads to the sign-in page, then back where the person was going.
    const other = await newContext(w.browser, w.s.url, { locale: 'en-GB' })
    const p2 = await other.newPage()
    const res = await p2.goto('/ui/tracking')
    expect(res!.status()).toBe(401)
    await p2.getByRole('link', { name: 'Sign in with an API key' }).click()
    expect(await p2.locator('h1').innerText()).toBe('Sign in')
    await p2.getByLabel('API key').fill(w.s.adminKey)
    await p2.getByRole('button', { name: 'Sign in' }).click()
    await p2.waitForURL('**/ui/tracking')
    expect(await p2.locator('h1').innerText()).toBe('Tracking')
    // A form posted from elsewhere (no token of ours) signs nobody in.
    const forged = await fetch(`${w.s.url}/ui/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ key: w.s.adminKey, token: 'x' }), redirect: 'manual' })
    expect(forged.status).toBe(400)
    expect(forged.headers.get('set-cookie') ?? '').not.toContain('cpc_ui=')
    await other.close()

    // The samples of README "Try it", with the sandbox's clock running: every tab fills.
    await w.forgetMappings()
    await w.s.sandbox('/clock', { method: 'POST', json: { paused: false, stepMs: 300 } })
    try {
      for (const f of readdirSync(join(process.cwd(), 'samples'))) copyFileSync(join(process.cwd(), 'samples', f), join(w.inbox, f))
      const sources = (await (await w.s.api('/sources')).json()) as { items: Array<{ id: string; kind: string }> }
      await w.s.api(`/sources/${sources.items.find((x) => x.kind === 'folder')!.id}/scan`, { method: 'POST' })
      const byNumber = async () => Object.fromEntries(((await (await w.s.api('/invoices?q=F-2026-&limit=50')).json()) as { items: Array<{ invoiceNumber: string; status: string }> }).items.map((i) => [i.invoiceNumber, i.status]))
      await w.s.until(async () => Object.keys(await byNumber()).length === 4, 30_000, 'four samples submitted')
      await w.s.until(async () => {
        await w.sync()
        const s = await byNumber()
        return s['F-2026-0001'] === 'MISE_EN_PAIEMENT' && s['F-2026-RECYCL-0003'] === 'A_RECYCLER' && s['F-2026-SUSPEN-0004'] === 'SUSPENDUE' && s['F-2026-REJET-0005'] === 'REJETEE'
      }, 40_000, 'the samples through the sandbox')
      await page.goto('/ui/to-submit')
      expect(await page.locator('tr[data-filename="facture-F-2026-0002-sans-service.pdf"] [data-state="incomplete"]').count()).toBe(1)
      await page.goto('/ui/to-process')
      for (const g of ['A_RECYCLER', 'SUSPENDUE', 'REJETEE']) expect(await page.locator(`section[data-group="${g}"] article`).count(), g).toBeGreaterThan(0)
    } finally {
      await w.s.sandbox('/clock', { method: 'POST', json: { paused: true } })
    }
    await context.close()
  }, 120_000)
  it('6. reads the recipient name of a common recipient block, so a saved mapping applies (and Reprocess uses it)', async () => {
    await w.forgetMappings()
    const MINISTRY = SEED_STRUCTURES[4]!
    const doc = await w.drop('bloc-destinataire.pdf', { seed: 1706, recipientIndex: 4, number: 'F-BLOC-6', serviceCode: null, engagement: null, serviceLabel: null })
    expect(doc.state).toBe('incomplete')
    expect(doc.fields.recipientLabel).toMatchObject({ value: MINISTRY.name, origin: 'text' })
    // A mapping for that printed name: the document is checked again with it, and goes.
    const page = await w.page({ tab: 'recipients' })
    await page.getByLabel('Libellé', { exact: true }).fill(MINISTRY.name)
    await page.getByLabel('SIRET', { exact: true }).fill(MINISTRY.siret)
    await page.getByLabel('Service', { exact: true }).fill('DAF')
    await page.getByLabel('Engagement', { exact: true }).fill('EJ-2026-0006')
    await page.getByRole('button', { name: 'Ajouter' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toContain('Enregistré')
    await w.s.until(async () => (await w.doc(doc.id)).fields.serviceCode?.value === 'DAF', 20_000, 'the mapping applied')
    const after = await w.doc(doc.id)
    expect(after.fields.serviceCode).toMatchObject({ value: 'DAF', origin: 'mapping' })
    expect(after.fields.engagementNumber).toMatchObject({ value: 'EJ-2026-0006', origin: 'mapping' })
    // Reprocess reads the PDF again and keeps the mapping's values.
    await page.goto('/ui/to-submit')
    if (await page.locator(`tr[data-document-id="${doc.id}"]`).count()) {
      await page.locator(`tr[data-document-id="${doc.id}"] input[name="ids"]`).check()
      await page.getByRole('button', { name: 'Réanalyser la sélection' }).click()
      await expect.poll(() => page.locator('#flash').innerText()).toContain('1 document(s) traité(s)')
      await w.s.until(async () => ['ready', 'submitted'].includes((await w.doc(doc.id)).state), 30_000, 'reprocessed')
      expect((await w.doc(doc.id)).fields.serviceCode).toMatchObject({ value: 'DAF', origin: 'mapping' })
    }
    await closePage(page)
  }, 60_000)
  it('is accessible (axe-core: no serious or critical violation) on every tab and page, in French and English, with a screenshot of each', async () => {
    // Something on every tab: a red and a submitted document, an invoice to process, a removed document, a mapping.
    await w.forgetMappings()
    const red = await w.drop('a11y-rouge.pdf', { seed: 1731, recipientIndex: 1, number: 'F-A11Y-1', serviceCode: null, engagement: null, serviceLabel: null })
    const ok = await w.drop('a11y-verte.pdf', { seed: 1732, recipientIndex: 0, number: 'F-A11Y-2', serviceCode: 'SERV_TECH', engagement: null })
    await w.s.until(async () => (await w.doc(ok.id)).invoiceId, 20_000, 'submitted by the demo account')
    const invoiceId = (await w.doc(ok.id)).invoiceId!
    const inv = (await (await w.s.api(`/invoices/${invoiceId}`)).json()) as { chorusInvoiceId: string }
    await w.s.sandbox(`/invoices/${inv.chorusInvoiceId}/status`, { method: 'POST', json: { status: 'A_RECYCLER', comment: 'Code service erroné' } })
    await w.sync()
    await w.s.api('/recipients', { method: 'POST', json: { label: 'Mairie Accessible', recipientSiret: OPEN.siret, serviceCode: 'SERV_TECH' } })
    const gone = await w.drop('a11y-retiree.pdf', { seed: 1733, recipientIndex: 5, number: 'F-A11Y-3' })
    await w.s.api('/documents/remove', { method: 'POST', json: { ids: [gone.id] } })
    // A write-back the host refused for good and an e-mail that failed: the settings page lists them with their buttons.
    const db = w.s.service.database.db
    const { source_id } = await db.selectFrom('documents').select('source_id').where('id', '=', ok.id).executeTakeFirstOrThrow()
    await db.insertInto('write_backs').values({ document_id: ok.id, invoice_id: invoiceId, source_id, event: 'status_changed', status: 'A_RECYCLER', status_at: new Date(), comment: null, chorus_invoice_id: inv.chorusInvoiceId, invoice_number: 'F-A11Y-2', state: 'failed', attempts: 12, last_error: 'connect ECONNREFUSED 192.0.2.10:8069', done_at: new Date() }).execute()
    await db.insertInto('mail_outbox').values({ kind: 'digest', subject_key: null, recipient: 'compta@example.fr', lang: 'fr', subject: 'Chorus Pro : résumé du jour', text_body: 'x', html_body: '<p>x</p>', state: 'failed', attempts: 8, last_error: '451 Mailbox busy' }).execute()

    const pages = [
      ['to-submit', '/ui/to-submit'],
      ['complete', `/ui/to-submit/${red.id}`],
      ['removed', '/ui/to-submit/removed'],
      ['to-process', '/ui/to-process'],
      ['to-process-detail', `/ui/to-process/${invoiceId}`],
      ['tracking', `/ui/tracking?show=${invoiceId}`],
      ['recipients', '/ui/recipients'],
      ['settings', '/ui/settings'],
    ] as const
    const failures: string[] = []
    // The checker does find what it is for: a field without a label, and grey on grey text.
    {
      const probe = await w.page()
      await probe.evaluate(() => {
        document.querySelector('main')!.insertAdjacentHTML('beforeend', '<input type="text" id="probe-unlabelled"><p id="probe-contrast">texte pâle</p>')
        // (An inline style attribute is refused by the pages' CSP; the CSSOM is not.)
        const p = document.getElementById('probe-contrast')!
        p.style.color = '#bbbbbb'
        p.style.background = '#ffffff'
      })
      const probed = (await axeViolations(probe)).map((v) => v.id)
      expect(probed).toEqual(expect.arrayContaining(['label', 'color-contrast']))
      await closePage(probe)
    }
    for (const lang of ['fr', 'en'] as const) {
      const page = await w.page({ lang, width: 1366 })
      for (const [name, path] of pages) {
        await page.goto(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`)
        expect(await page.locator('h1').count(), `${name} ${lang}`).toBe(1)
        await expectNoOverflow(page)
        if (name === 'settings') {
          expect(await page.getByRole('button', { name: lang === 'fr' ? 'Réessayer le retour de la facture F-A11Y-2' : 'Retry the write-back of invoice F-A11Y-2' }).count()).toBe(1)
          expect(await page.getByRole('button', { name: lang === 'fr' ? 'Renvoyer « Chorus Pro : résumé du jour » à compta@example.fr' : 'Send again “Chorus Pro : résumé du jour” to compta@example.fr' }).count()).toBe(1)
        }
        const vs = await axeViolations(page)
        if (vs.length) failures.push(`${name} (${lang}):\n${describeViolations(vs)}`)
        if (w.engine === 'pglite') {
          if (name === 'complete' || name === 'to-process-detail') await page.waitForTimeout(1200) // the PDF viewer draws a moment later
          await shot(page, `tab-${name}-${lang}`)
        }
      }
      // Keyboard: the skip link comes first and takes focus to the content.
      await page.goto(`/ui/to-submit?lang=${lang}`)
      await page.keyboard.press('Tab')
      expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip')
      await closePage(page)
    }
    // The pages without a session: sign-in and the expired-session message.
    for (const lang of ['fr', 'en'] as const) {
      const context = await newContext(w.browser, w.s.url, { locale: lang === 'en' ? 'en-GB' : 'fr-FR' })
      const p = await context.newPage()
      for (const [name, path] of [['sign-in', `/ui/sign-in?lang=${lang}`], ['session-expired', `/ui/tracking?lang=${lang}`]] as const) {
        await p.goto(path)
        const vs = await axeViolations(p)
        if (vs.length) failures.push(`${name} (${lang}):\n${describeViolations(vs)}`)
        if (w.engine === 'pglite') await shot(p, `page-${name}-${lang}`)
      }
      await context.close()
    }
    expect(failures, failures.join('\n\n')).toEqual([])
  }, 180_000)
})
