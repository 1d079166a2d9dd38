/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines } from '../support/databases'
import { chromiumMissing, closePage } from './chromium'
import { axeViolations, describeViolations, expectNoOverflow, openWorld, shot, type World } from './world'

const missing = chromiumMissing()
if (missing) console.warn(missing)

/**
 * Issue 17, "the framework (cadre de facturation) is a choice, not free text": in Complete, chosen among
 * the frameworks the connector can submit, saved by "Enregistrer", kept, and sent to Chorus Pro; in
 * Chromium, on the real service and its sandbox, on PGlite and (with TEST_DATABASE_URL) PostgreSQL.
 */
describe.skipIf(!!missing).each(testEngines())('the billing framework in Complete, on $name', (engine) => {
  let w: World
  beforeAll(async () => {
    w = await openWorld(engine)
  }, 90_000)
  afterAll(async () => {
    await w?.close()
  })

  // 15 s alone, about 17 s in the full suite (it once hung in page.close(): see closePage).
  it('is a select of A1 and A2 (A1 when the invoice names none), saved by Enregistrer, kept, checked, and sent', async () => {
    await w.forgetMappings()
    // Red (the recipient requires a service code): the demo account leaves it to the person.
    const doc = await w.drop('cadre.pdf', { seed: 2321, recipientIndex: 1, number: 'F-CADRE-UI', serviceCode: null, engagement: null, serviceLabel: null })
    expect(doc.state).toBe('incomplete')
    const page = await w.page()
    await page.goto(`/ui/to-submit/${doc.id}`)
    const framework = page.getByLabel('Cadre de facturation')
    expect(await framework.evaluate((e) => e.tagName)).toBe('SELECT')
    expect((await framework.locator('option').allInnerTexts()).map((o) => o.trim())).toEqual(['A1 – Facture fournisseur', 'A2 – Facture déjà payée'])
    expect(await framework.inputValue()).toBe('A1_FACTURE_FOURNISSEUR')
    expect(await page.locator('#f-billingFramework-hint').innerText()).toContain('La facture n’indique pas de cadre : Chorus Pro applique A1 (facture fournisseur).')

    // A choice left as the page gave it is not an edit.
    await page.getByLabel('Code service').selectOption('ACHATS')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toMatch(/^Enregistré/)
    expect((await w.doc(doc.id)).fields.billingFramework).toBeUndefined()

    // A2: saved, said to need nothing left to pay (under "Net à payer"), kept on reload.
    await page.reload()
    await framework.selectOption('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect.poll(() => page.locator('#flash').innerText()).toMatch(/^Enregistré/)
    const saved = await w.doc(doc.id)
    expect(saved.fields.billingFramework).toMatchObject({ value: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE', origin: 'person' })
    expect(saved.problems.map((p) => p.code)).toEqual(['amount_due_not_zero_when_paid'])
    await expect.poll(() => page.locator('[data-field-problems="amountDue"]').innerText()).toContain('Facture déjà payée (cadre A2) : le net à payer doit être 0')
    await page.reload()
    expect(await framework.inputValue()).toBe('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
    expect(await page.locator('[data-field="billingFramework"] .origin').innerText()).toContain('saisie manuelle')
    await expectNoOverflow(page)
    const fr = await axeViolations(page)
    expect(fr, describeViolations(fr)).toEqual([])
    if (w.engine === 'pglite') await shot(page, 'complete-framework-fr')

    // English: the same choice in English words, accessible too.
    const en = await w.page({ lang: 'en' })
    await en.goto(`/ui/to-submit/${doc.id}?lang=en`)
    const frameworkEn = en.getByLabel('Billing framework')
    expect((await frameworkEn.locator('option').allInnerTexts()).map((o) => o.trim())).toEqual(['A1 – Supplier invoice', 'A2 – Invoice already paid'])
    expect(await frameworkEn.inputValue()).toBe('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE')
    expect(await en.locator('#f-billingFramework-hint').innerText()).toContain('Subcontracting, co-contracting, works: these frameworks need a validating structure')
    const ven = await axeViolations(en)
    expect(ven, describeViolations(ven)).toEqual([])
    if (w.engine === 'pglite') await shot(en, 'complete-framework-en')
    await closePage(en)

    // Nothing left to pay, then Validate: Chorus Pro receives A2.
    await page.getByLabel('Net à payer').fill('0')
    await page.getByRole('button', { name: 'Valider et déposer' }).click()
    await w.s.until(async () => (await w.doc(doc.id)).invoiceId, 20_000, 'the invoice submitted')
    const requests = (await (await w.s.sandbox('/requests?operation=factures/v1/soumettre')).json()) as string[]
    const sent = requests.map((r) => JSON.parse(r)).find((r) => r.numeroFactureSaisi === 'F-CADRE-UI')
    expect(sent.cadreDeFacturation).toEqual({ codeCadreFacturation: 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE' })
    await closePage(page)
  }, 90_000)
})
