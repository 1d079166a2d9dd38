import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase, type TestEngine } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { facturxPdf, invoicePdf } from '../support/invoice-pdf'
import { ACCOUNT, saisie, sandboxClient } from '../chorus/sandbox-harness'
import { SEED_STRUCTURES, SANDBOX_CREDENTIALS } from '../../src/sandbox'

/**
 * How a submission recovers from what Chorus Pro answers, end to end on the real service and its
 * sandbox (reached over loopback HTTP): a duplicate-number refusal for our own earlier invoice is
 * adopted, an attachment id Chorus Pro no longer knows is deposited again, and a Factur-X flow that
 * Chorus Pro rejects leaves the document red in To submit, never sent again by itself.
 *
 * Every scenario turns the demo account's auto-submit off, so that nothing is sent before the test has
 * set the scene, and submits with Validate as a person would. The cron is off (CRON_ENABLED=false) so
 * that no half-hourly sync or ten-minute sweep lands in the middle of a scenario; where the automatic
 * sweep matters, the test enqueues exactly the run the cron would.
 */

type Calls = Record<string, number>
const SOUMETTRE = 'factures/v1/soumettre'
const DEPOSER_PDF = 'factures/v1/deposer/pdf'
const DEPOSER_FLUX = 'factures/v1/deposer/flux'

/** The structures with no routing requirement (no service code, no engagement number needed). */
const OPEN = SEED_STRUCTURES.filter((x) => x.active && !x.serviceRequired && !x.engagementRequired && !x.serviceOrEngagementRequired)

async function push(s: TestService, bytes: Uint8Array<ArrayBuffer>, filename: string): Promise<string> {
  const form = new FormData()
  form.set('file', new File([bytes], filename, { type: 'application/pdf' }))
  const res = await s.api('/documents', { method: 'POST', body: form })
  expect(res.status, await res.clone().text()).toBe(201)
  return ((await res.json()) as any).document.id as string
}

const getDoc = async (s: TestService, id: string) => (await (await s.api(`/documents/${id}`)).json()) as any
const calls = async (s: TestService) => (await (await s.sandbox('/calls')).json()) as Calls
const delta = (after: Calls, before: Calls, op: string) => (after[op] ?? 0) - (before[op] ?? 0)

/** Waits until analysis is over and returns the document (whatever its state then). */
const analysed = (s: TestService, id: string) =>
  s.until(async () => {
    const d = await getDoc(s, id)
    return d.state !== 'analysing' ? d : undefined
  }, 30_000, `document ${id} analysed`)

async function demoAccount(s: TestService, patch: Record<string, unknown>): Promise<string> {
  const accounts = (await (await s.api('/accounts')).json()) as any
  const demo = accounts.items.find((a: any) => a.isDemo)
  expect(demo, 'the sandbox demo account').toBeTruthy()
  const res = await s.api(`/accounts/${demo.id}`, { method: 'PATCH', json: patch })
  expect(res.status, await res.clone().text()).toBe(200)
  return demo.id as string
}

/** The connector on `engine`: PGlite in its DATA_DIR, or a fresh PostgreSQL database of its own. */
function serviceOn(engine: TestEngine) {
  let t: TestDatabase | undefined
  let s: TestService | undefined
  return {
    async start(): Promise<TestService> {
      t = engine.name === 'postgres' ? await engine.open() : undefined
      s = await startTestService({ CRON_ENABLED: 'false', ...(t?.url ? { DATABASE_URL: t.url } : {}) })
      return s
    },
    async stop() {
      await s?.stop()
      await t?.close()
    },
  }
}

describe.each(testEngines())('submission recovery on $name', (engine) => {
  describe('a duplicate-number refusal for our own earlier invoice', () => {
    const svc = serviceOn(engine)
    let s: TestService
    beforeAll(async () => {
      s = await svc.start()
    }, 60_000)
    afterAll(() => svc.stop())

    it('sends once when two Validates race: the second waits for the first, which keeps its deposit time', async () => {
      await demoAccount(s, { autoSubmit: false, submissionRoute: 'pdf' })
      const { bytes } = await invoicePdf({ seed: 74, recipientIndex: 0, number: 'F-2026-0074', serviceCode: null, engagement: null })
      const id = await push(s, bytes, 'facture-74.pdf')
      expect((await analysed(s, id)).state).toBe('ready')
      // Chorus Pro slow to answer: the second click lands while the first submission is in flight.
      expect((await s.sandbox('/faults', { method: 'POST', json: { latencyMs: 800 } })).status).toBe(200)
      const before = await calls(s)
      try {
        const first = s.api(`/documents/${id}/validate`, { method: 'POST' })
        await s.until(async () => (await getDoc(s, id)).stage === 'submitting', 10_000, 'the first Validate claimed the document')
        const [a, b] = await Promise.all([first, s.api(`/documents/${id}/validate`, { method: 'POST' })])
        expect([a.status, b.status]).toEqual([200, 200])
      } finally {
        await s.sandbox('/faults', { method: 'POST', json: { latencyMs: 0 } })
      }
      const doc = await s.until(async () => { const d = await getDoc(s, id); return d.state === 'submitted' ? d : undefined }, 20_000, 'submitted')
      const after = await calls(s)
      expect(delta(after, before, SOUMETTRE)).toBe(1)
      const invoice = (await (await s.api(`/invoices/${doc.invoiceId}`)).json()) as any
      // Recorded by the submission itself, not adopted by a search: the time of the deposit is known.
      expect(invoice.depositTimeKnown).toBe(true)
      expect(invoice.history.filter((e: any) => e.kind === 'submission').map((e: any) => e.payload.reconciled)).toEqual([false])
    })

    it('adopts the invoice Chorus Pro already has instead of sending it again', async () => {
      await demoAccount(s, { autoSubmit: false, submissionRoute: 'pdf' })
      const { bytes, spec } = await invoicePdf({ seed: 71, recipientIndex: 0, number: 'F-2026-0071', serviceCode: null, engagement: null })
      const id = await push(s, bytes, 'facture-71.pdf')
      const ready = await analysed(s, id)
      expect(ready.state, JSON.stringify(ready.problems)).toBe('ready')
      const f = Object.fromEntries(Object.entries(ready.fields as Record<string, { value: string | null }>).map(([k, v]) => [k, v.value]))
      expect(f.invoiceNumber).toBe('F-2026-0071')
      expect(f.recipientSiret).toBe(spec.recipient.siret)

      // An earlier attempt for this very document reached Chorus Pro, and its answer was lost: the same
      // PDF deposited and submitted with the same number, date, recipient and amounts.
      const chorus = sandboxClient(`${s.url}/sandbox`)
      const pj = await chorus.deposerPdf(ACCOUNT, { fichierFacture: bytes, nomFichier: 'facture-71.pdf', formatDepot: 'PDF_NON_SIGNE' })
      const earlier = await chorus.soumettre(ACCOUNT, {
        modeDepot: 'DEPOT_PDF_API',
        numeroFactureSaisi: f.invoiceNumber!,
        dateFacture: f.invoiceDate!,
        destinataire: { codeDestinataire: f.recipientSiret! },
        fournisseur: { idFournisseur: SANDBOX_CREDENTIALS.supplierIdStructureCPP },
        cadreDeFacturation: { codeCadreFacturation: 'A1_FACTURE_FOURNISSEUR' },
        references: { deviseFacture: 'EUR', typeFacture: 'FACTURE', typeTva: 'TVA_SUR_DEBIT' },
        montantTotal: { montantHtTotal: f.amountNet!, montantTVA: f.amountVat!, montantTtcTotal: f.amountGross!, montantAPayer: f.amountDue ?? f.amountGross! },
        pieceJointePrincipale: [{ pieceJointePrincipaleDesignation: 'facture-71.pdf', pieceJointePrincipaleId: pj.pieceJointeId }],
      })
      const earlierId = String(earlier.identifiantFactureCPP)

      const before = await calls(s)
      const res = await s.api(`/documents/${id}/validate`, { method: 'POST' })
      const body = (await res.json()) as any
      expect(res.status, JSON.stringify(body)).toBe(200)
      expect(body.document.state).toBe('submitted')
      expect(body.document.error).toBeNull()
      expect(body.invoiceId).toBeTruthy()
      const after = await calls(s)
      // One soumettre, answered by the duplicate refusal; nothing deposited again, nothing sent twice.
      expect(delta(after, before, SOUMETTRE)).toBe(1)
      expect(delta(after, before, DEPOSER_PDF)).toBe(0)

      // The tracked invoice is the one Chorus Pro already had.
      const invoice = (await (await s.api(`/invoices/${body.invoiceId}`)).json()) as any
      expect(invoice.chorusInvoiceId).toBe(earlierId)
      expect(invoice.documentId).toBe(id)
      expect(invoice.invoiceNumber).toBe('F-2026-0071')
      expect(invoice.amountGross).toBe(spec.gross)
      const submission = invoice.history.filter((e: any) => e.kind === 'submission')
      expect(submission).toHaveLength(1)
      expect(submission[0].payload.reconciled).toBe(true)
      // The refusal that led to the adoption is kept in the history.
      expect(invoice.history.filter((e: any) => e.kind === 'submission.error').map((e: any) => e.payload.code)).toEqual(['chorus_duplicate_invoice_number'])

      // One tracked invoice for this number, and one invoice in Chorus Pro.
      const tracked = (await (await s.api('/invoices?q=F-2026-0071')).json()) as any
      expect(tracked.items.map((i: any) => i.chorusInvoiceId)).toEqual([earlierId])
      const inChorus = await chorus.rechercherFactureFournisseur(ACCOUNT, { numeroFacture: 'F-2026-0071' })
      expect(inChorus.listeFactures.map((x) => String(x.identifiantFactureCPP))).toEqual([earlierId])
    })
  })

  describe('an attachment id Chorus Pro no longer knows', () => {
    const svc = serviceOn(engine)
    let s: TestService
    beforeAll(async () => {
      s = await svc.start()
    }, 60_000)
    afterAll(() => svc.stop())

    it('deposits the PDF again and submits once with the new attachment id', async () => {
      await demoAccount(s, { autoSubmit: false, submissionRoute: 'pdf' })
      const chorus = sandboxClient(`${s.url}/sandbox`)
      // Two deposits first, so that the document's own attachment id is not the first the sandbox
      // hands out again after its reset (the re-deposit below is then visibly a new id).
      const other = await invoicePdf({ seed: 70, recipientIndex: 0, number: 'F-2026-0070' })
      for (let i = 0; i < 2; i++) await chorus.deposerPdf(ACCOUNT, { fichierFacture: other.bytes, nomFichier: `autre-${i}.pdf`, formatDepot: 'PDF_NON_SIGNE' })

      const { bytes, spec } = await invoicePdf({ seed: 72, recipientIndex: 0, number: 'F-2026-0072', serviceCode: null, engagement: null })
      const id = await push(s, bytes, 'facture-72.pdf')
      const ready = await analysed(s, id)
      expect(ready.state, JSON.stringify(ready.problems)).toBe('ready')
      // Analysis deposited the PDF for Chorus Pro's OCR: the document holds that attachment id.
      expect((await calls(s))[DEPOSER_PDF]).toBe(3)

      // Chorus Pro forgets every attachment (the sandbox's reset: attachments, invoices, tokens, counters).
      expect((await s.sandbox('/reset', { method: 'POST' })).status).toBe(200)
      expect(await calls(s)).toEqual({})
      // The reset also forgot the connector's access token: let it renew it on a directory refresh first,
      // so that the counts below are the submission's alone (a call refused at the gateway with a 401 is
      // counted too, then sent again with the new token).
      const structure = await s.api(`/structures/${spec.recipient.siret}?refresh=true`)
      expect(structure.status).toBe(200)
      expect(((await structure.json()) as any).fromCache).toBe(false)
      const before = await calls(s)
      expect(before['oauth/token']).toBe(1)

      const res = await s.api(`/documents/${id}/validate`, { method: 'POST' })
      const body = (await res.json()) as any
      expect(res.status, JSON.stringify(body)).toBe(200)
      expect(body.document.state).toBe('submitted')
      const after = await calls(s)
      // soumettre with the old id (refused: attachment unknown), one new deposit, soumettre once more.
      expect(delta(after, before, SOUMETTRE)).toBe(2)
      expect(delta(after, before, 'oauth/token')).toBe(0)

      const invoice = (await (await s.api(`/invoices/${body.invoiceId}`)).json()) as any
      // The history is newest first; in the order they were sent:
      const requests = invoice.history
        .filter((e: any) => e.kind === 'submission.request')
        .sort((a: any, b: any) => Number(a.id) - Number(b.id))
        .map((e: any) => e.payload)
      expect(requests).toHaveLength(2)
      const oldId = requests[0].request.pieceJointePrincipale[0].pieceJointePrincipaleId
      const newId = requests[1].request.pieceJointePrincipale[0].pieceJointePrincipaleId
      expect(requests[0].retryAfter).toBeUndefined()
      expect(requests[1].retryAfter).toBe('attachment_unknown')
      // The first id handed out after the reset; the old one was the third before it.
      expect(newId).toBe(5_000_001)
      expect(oldId).toBe(5_000_003)
      // The refused soumettre created nothing: the first attempt's refusal is not a submission error.
      expect(invoice.history.filter((e: any) => e.kind === 'submission.error')).toEqual([])

      // Chorus Pro has exactly one invoice for this number, carrying the new attachment.
      const found = await chorus.rechercherFactureFournisseur(ACCOUNT, { numeroFacture: 'F-2026-0072' })
      expect(found.listeFactures).toHaveLength(1)
      expect(String(found.listeFactures[0]!.identifiantFactureCPP)).toBe(invoice.chorusInvoiceId)
      expect(found.listeFactures[0]!.montantTTC).toBe(spec.gross)
      const detail = await chorus.consulterFactureFournisseur(ACCOUNT, { identifiantFactureCPP: Number(invoice.chorusInvoiceId) })
      expect(detail.facture.listeDesPiecesJointes?.map((p: any) => p.pieceJointeId)).toEqual([newId])
    })
  })

  describe('a Factur-X flow that Chorus Pro rejects', () => {
    const svc = serviceOn(engine)
    let s: TestService
    beforeAll(async () => {
      s = await svc.start()
      // Flows are integrated (or rejected) two clock steps after the deposit: make a step short.
      expect((await s.sandbox('/clock', { method: 'POST', json: { stepMs: 200 } })).status).toBe(200)
    }, 60_000)
    afterAll(() => svc.stop())

    it('ends red in To submit with Chorus Pro’s reason, and is never sent again by itself', async () => {
      const accountId = await demoAccount(s, { autoSubmit: false, submissionRoute: 'facturx' })
      const number = 'FX-2026-0073'
      const { bytes } = await facturxPdf({ seed: 73, recipientIndex: 0, number, serviceCode: null, engagement: null })
      const id = await push(s, bytes, 'facturx-73.pdf')
      const ready = await analysed(s, id)
      expect(ready.state, JSON.stringify(ready.problems)).toBe('ready')
      expect(ready.hasFacturX).toBe(true)
      expect(ready.fields.invoiceNumber).toMatchObject({ value: number, origin: 'xml' })

      // Between analysis (which searched Chorus Pro for the number and found nothing) and the deposit,
      // someone enters an invoice with the same number this year on the Chorus Pro portal, for another
      // recipient. Deposits are accepted as they come; the flow's integration then rejects the duplicate.
      const chorus = sandboxClient(`${s.url}/sandbox`)
      const otherRecipient = OPEN.find((x) => x.siret !== ready.fields.recipientSiret.value)!
      await chorus.soumettre(ACCOUNT, saisie(otherRecipient.siret, { numero: number, dateFacture: '2026-11-20' }))

      const before = await calls(s)
      const res = await s.api(`/documents/${id}/validate`, { method: 'POST' })
      const body = (await res.json()) as any
      expect(res.status, JSON.stringify(body)).toBe(200)
      // Deposited: being followed until Chorus Pro has integrated or rejected the flow.
      expect(body.document.stage).toBe('submitting')
      expect(body.invoiceId).toBeNull()

      const red = await s.until(async () => {
        const d = await getDoc(s, id)
        return d.stage !== 'submitting' ? d : undefined
      }, 40_000, 'flow report followed')
      expect(red.stage).toBe('to_submit')
      expect(red.state).toBe('error')
      expect(red.invoiceId).toBeNull()
      expect(red.error.code).toBe('chorus_flow_rejected')
      expect(red.error.message).toMatch(/^Chorus Pro a rejeté le flux CPP001111\d{16} : /)
      expect(red.error.message).toContain('Vous avez déjà déposé une demande de paiement avec ce numéro de facture pour cette structure.')
      expect(red.error.raw.etatCourantDepotFlux).toBe('IN_REJETE')
      expect(red.error.raw.listeErreurDP.map((e: any) => e.numeroDP)).toEqual([number])
      const afterRejection = await calls(s)
      expect(delta(afterRejection, before, DEPOSER_FLUX)).toBe(1)
      expect(delta(afterRejection, before, SOUMETTRE)).toBe(0)
      expect(delta(afterRejection, before, DEPOSER_PDF)).toBe(0)
      expect(afterRejection['transverses/v1/consulterCRDetaille']).toBeGreaterThanOrEqual(1)

      // It is in the To submit tab, in red.
      const tab = (await (await s.api('/documents?tab=to-submit&state=error')).json()) as any
      expect(tab.items.map((d: any) => d.id)).toContain(id)
      // No invoice is tracked for this document.
      const tracked = (await (await s.api(`/invoices?q=${number}`)).json()) as any
      expect(tracked.items.filter((i: any) => i.documentId === id)).toEqual([])

      // Nothing sends it again by itself: auto-submit back on, then the cron's sweep and an automatic
      // submission job for this very document (exactly the rows the cron and analysis enqueue) run.
      await demoAccount(s, { autoSubmit: true })
      const db = s.service.database.db
      const jobs = await db
        .insertInto('jobs')
        .values([
          { kind: 'documents.auto-submit', payload: JSON.stringify({}) },
          { kind: 'document.submit', payload: JSON.stringify({ documentId: id, auto: true }), key: `document.submit:${id}`, priority: 3 },
        ])
        .returning('id')
        .execute()
      const finished = await s.until(async () => {
        const rows = await db.selectFrom('jobs').select(['id', 'state', 'last_error']).where('id', 'in', jobs.map((j) => j.id)).execute()
        return rows.every((r) => r.state === 'done' || r.state === 'dead') ? rows : undefined
      }, 20_000, 'the sweep and the automatic submission job')
      expect(finished.map((r) => r.state)).toEqual(['done', 'done'])
      // The sweep queued nothing for it either.
      const queued = await db.selectFrom('jobs').select('id').where('key', '=', `document.submit:${id}`).where('state', 'in', ['pending', 'running']).execute()
      expect(queued).toEqual([])

      const last = await calls(s)
      expect(delta(last, afterRejection, DEPOSER_FLUX)).toBe(0)
      expect(delta(last, afterRejection, SOUMETTRE)).toBe(0)
      expect(delta(last, afterRejection, DEPOSER_PDF)).toBe(0)
      const still = await getDoc(s, id)
      expect(still.stage).toBe('to_submit')
      expect(still.state).toBe('error')
      expect(still.error.code).toBe('chorus_flow_rejected')
      expect(still.accountId).toBe(accountId)
    }, 90_000)
  })

  describe('the auto route (the default): a valid Factur-X as a flow, unless its form says more than its XML', () => {
    const svc = serviceOn(engine)
    let s: TestService
    beforeAll(async () => {
      s = await svc.start()
      expect((await s.sandbox('/clock', { method: 'POST', json: { stepMs: 200 } })).status).toBe(200)
    }, 60_000)
    afterAll(() => svc.stop())

    // Each document prints its own service label: a recipient mapping learned from one submission (label →
    // recipient) must not route another test's document.
    const received = async (op: string): Promise<string[]> => (await (await s.sandbox(`/requests?operation=${op}`)).json()) as string[]
    const followed = (id: string) =>
      s.until(async () => {
        const d = await getDoc(s, id)
        return d.stage !== 'submitting' ? d : undefined
      }, 40_000, 'flow report followed')

    it('the demo account never chose a route: it is on auto', async () => {
      const accounts = (await (await s.api('/accounts')).json()) as any
      expect(accounts.items.find((a: any) => a.isDemo).submissionRoute).toBe('auto')
    })

    it('an untouched Factur-X goes as a flow; rejected, it ends red with Chorus Pro’s sentence ended once', async () => {
      await demoAccount(s, { autoSubmit: false })
      const number = 'FX-2026-0081'
      const { bytes } = await facturxPdf({ seed: 81, serviceLabel: 'Bureau 81', recipientIndex: 0, number, serviceCode: null, engagement: null })
      const id = await push(s, bytes, 'facturx-81.pdf')
      const ready = await analysed(s, id)
      expect(ready.state, JSON.stringify(ready.problems)).toBe('ready')
      const chorus = sandboxClient(`${s.url}/sandbox`)
      const otherRecipient = OPEN.find((x) => x.siret !== ready.fields.recipientSiret.value)!
      await chorus.soumettre(ACCOUNT, saisie(otherRecipient.siret, { numero: number, dateFacture: '2026-11-20' }))

      const before = await calls(s)
      const res = await s.api(`/documents/${id}/validate`, { method: 'POST' })
      expect(res.status, await res.clone().text()).toBe(200)
      const red = await followed(id)
      expect(red.error.code).toBe('chorus_flow_rejected')
      expect(red.error.message).toContain('pour cette structure. Corrigez la facture puis renvoyez-la.')
      expect(red.error.message).not.toMatch(/\.\./)
      const after = await calls(s)
      expect(delta(after, before, DEPOSER_FLUX)).toBe(1)
      expect(delta(after, before, SOUMETTRE)).toBe(0)
      // The request event says which route and why.
      const events = await s.service.database.db.selectFrom('invoice_events').select(['kind', 'payload']).where('document_id', '=', id).where('kind', '=', 'submission.request').execute()
      expect(events.map((e: any) => e.payload.route)).toEqual([expect.objectContaining({ route: 'facturx', reason: 'facturx' })])
    }, 90_000)

    it('a flow Chorus Pro did not process (IN_INCIDENTE) ends red asking to send it again unchanged; sent again, it goes through', async () => {
      await demoAccount(s, { autoSubmit: false })
      const number = 'FX-2026-0087'
      const { bytes } = await facturxPdf({ seed: 87, serviceLabel: 'Bureau 87', recipientIndex: 0, number, serviceCode: null, engagement: null })
      const id = await push(s, bytes, 'facturx-87.pdf')
      expect((await analysed(s, id)).state).toBe('ready')
      expect((await s.sandbox('/faults', { method: 'POST', json: { incidentFlowsNext: 1 } })).status).toBe(200)
      const before = await calls(s)
      expect((await s.api(`/documents/${id}/validate`, { method: 'POST' })).status).toBe(200)
      const red = await followed(id)
      expect(red.state).toBe('error')
      expect(red.error.code).toBe('chorus_flow_incident')
      expect(red.error.message).toMatch(/^Chorus Pro n’a pas traité le flux CPP001111\d{16} \(incident\)\. Renvoyez la facture telle quelle \(Valider\), sans rien corriger\.$/)
      expect(red.error.raw.etatCourantDepotFlux).toBe('IN_INCIDENTE')
      // Sent again by a person, as it is: a new flow, integrated this time.
      expect((await s.api(`/documents/${id}/validate`, { method: 'POST' })).status).toBe(200)
      const done = await followed(id)
      expect(done.stage, JSON.stringify(done.error)).toBe('submitted')
      expect(delta(await calls(s), before, DEPOSER_FLUX)).toBe(2)
    }, 90_000)

    it('a service code a person added to a Factur-X goes by the PDF route with the form’s fields, and the submission says why', async () => {
      await demoAccount(s, { autoSubmit: false })
      const number = 'FX-2026-0082'
      // The recipient requires a service code; the embedded XML has none (no BuyerReference).
      const { bytes, spec } = await facturxPdf({ seed: 82, serviceLabel: 'Bureau 82', recipientIndex: 1, number, serviceCode: null, engagement: null })
      const id = await push(s, bytes, 'facturx-82.pdf')
      const red = await analysed(s, id)
      expect(red.hasFacturX).toBe(true)
      expect(red.state).not.toBe('ready')
      const edited = await s.api(`/documents/${id}`, { method: 'PATCH', json: { fields: { serviceCode: 'ACHATS' } } })
      expect(edited.status, await edited.clone().text()).toBe(200)
      expect(((await edited.json()) as any).state).toBe('ready')

      const before = await calls(s)
      const res = await s.api(`/documents/${id}/validate`, { method: 'POST' })
      const body = (await res.json()) as any
      expect(res.status, JSON.stringify(body)).toBe(200)
      expect(body.document.state).toBe('submitted')
      const after = await calls(s)
      // Sent with the person's service code by deposer/pdf + soumettre: the flow (which Chorus Pro would
      // reject, "…BuyerReference.value est obligatoire") is not used.
      expect(delta(after, before, DEPOSER_FLUX)).toBe(0)
      expect(delta(after, before, SOUMETTRE)).toBe(1)
      const raw = (await received(SOUMETTRE)).at(-1)!
      expect(JSON.parse(raw).destinataire).toEqual({ codeDestinataire: spec.recipient.siret, codeServiceExecutant: 'ACHATS' })

      const invoice = (await (await s.api(`/invoices/${body.invoiceId}`)).json()) as any
      expect(invoice.serviceCode).toBe('ACHATS')
      const submission = invoice.history.find((e: any) => e.kind === 'submission')
      expect(submission.payload.route).toMatchObject({ route: 'pdf', reason: 'fields_not_in_xml', fields: ['serviceCode'] })
      expect(submission.comment).toMatch(/^Voie PDF au lieu du flux Factur-X : code service diffère du XML intégré/)
      const request = invoice.history.find((e: any) => e.kind === 'submission.request')
      expect(request.payload.route.reason).toBe('fields_not_in_xml')
      const inChorus = await sandboxClient(`${s.url}/sandbox`).rechercherFactureFournisseur(ACCOUNT, { numeroFacture: number })
      expect(inChorus.listeFactures[0]).toMatchObject({ codeServiceExecutant: 'ACHATS', modeDepot: 'DEPOT_PDF_API' })
    }, 90_000)

    it('on the explicit facturx route too: an engagement number a person added goes by the PDF route', async () => {
      await demoAccount(s, { autoSubmit: false, submissionRoute: 'facturx' })
      const number = 'FX-2026-0083'
      const { bytes } = await facturxPdf({ seed: 83, serviceLabel: 'Bureau 83', recipientIndex: 2, number, serviceCode: null, engagement: null })
      const id = await push(s, bytes, 'facturx-83.pdf')
      await analysed(s, id)
      const edited = await s.api(`/documents/${id}`, { method: 'PATCH', json: { fields: { engagementNumber: 'EJ-2026-0001' } } })
      expect(((await edited.json()) as any).state).toBe('ready')
      const before = await calls(s)
      const res = await s.api(`/documents/${id}/validate`, { method: 'POST' })
      const body = (await res.json()) as any
      expect(res.status, JSON.stringify(body)).toBe(200)
      expect(body.document.state).toBe('submitted')
      const after = await calls(s)
      expect(delta(after, before, DEPOSER_FLUX)).toBe(0)
      expect(delta(after, before, SOUMETTRE)).toBe(1)
      expect(JSON.parse((await received(SOUMETTRE)).at(-1)!).references.numeroBonCommande).toBe('EJ-2026-0001')
      const invoice = (await (await s.api(`/invoices/${body.invoiceId}`)).json()) as any
      expect(invoice.history.find((e: any) => e.kind === 'submission').payload.route).toMatchObject({ route: 'pdf', fields: ['engagementNumber'] })
      await demoAccount(s, { submissionRoute: 'auto' })
    }, 90_000)

    it('an invoice file Chorus Pro would refuse (10 MB or more) is refused before any call, naming the file and the limit', async () => {
      await demoAccount(s, { autoSubmit: false })
      const { bytes } = await invoicePdf({ seed: 86, serviceLabel: 'Bureau 86', recipientIndex: 0, number: 'F-2026-0086', serviceCode: null, engagement: null })
      const id = await push(s, bytes, 'facture-86.pdf')
      expect((await analysed(s, id)).state).toBe('ready')
      // Intake refuses files over 10 MB; one of exactly 10 MB passes it, and Chorus Pro wants under 10 MB.
      await s.service.database.db.updateTable('documents').set({ size: 10 * 1024 * 1024 }).where('id', '=', id).execute()
      const before = await calls(s)
      const res = await s.api(`/documents/${id}/validate`, { method: 'POST', headers: { 'accept-language': 'en' } })
      const body = (await res.json()) as any
      expect(res.status, JSON.stringify(body)).toBe(422)
      expect(body.error.code).toBe('attachment_too_large')
      expect(body.error.message).toMatch(/"facture-86\.pdf" weighs 10\.0 MB: Chorus Pro only accepts files under 10 MB/)
      expect(await calls(s)).toEqual(before)
      const doc = await getDoc(s, id)
      expect(doc.stage).toBe('to_submit')
      expect(doc.state).toBe('error')
    }, 60_000)

    it('a plain PDF goes by the PDF route, its amounts exact on the wire (0.1 + 0.2 style and 13-digit amounts)', async () => {
      await demoAccount(s, { autoSubmit: false })
      for (const [i, a] of [
        { net: '0.10', vat: '0.20', gross: '0.30' },
        { net: '1234567890123.45', vat: '246913578024.69', gross: '1481481468148.14' },
      ].entries()) {
        const number = `F-2026-008${4 + i}`
        const { bytes } = await invoicePdf({ seed: 84 + i, serviceLabel: `Bureau ${84 + i}`, recipientIndex: 0, number, serviceCode: null, engagement: null })
        const id = await push(s, bytes, `facture-${84 + i}.pdf`)
        await analysed(s, id)
        const edited = await s.api(`/documents/${id}`, { method: 'PATCH', json: { fields: { amountNet: a.net, amountVat: a.vat, amountGross: a.gross, amountDue: a.gross } } })
        expect(((await edited.json()) as any).state).toBe('ready')
        const res = await s.api(`/documents/${id}/validate`, { method: 'POST' })
        const body = (await res.json()) as any
        expect(res.status, JSON.stringify(body)).toBe(200)
        const raw = (await received(SOUMETTRE)).at(-1)!
        expect(raw).toContain(`"montantTotal":{"montantHtTotal":${a.net},"montantTVA":${a.vat},"montantTtcTotal":${a.gross},"montantAPayer":${a.gross}}`)
        const invoice = (await (await s.api(`/invoices/${body.invoiceId}`)).json()) as any
        expect(invoice).toMatchObject({ amountNet: a.net, amountGross: a.gross })
        expect(invoice.history.find((e: any) => e.kind === 'submission').payload.route).toMatchObject({ route: 'pdf', reason: 'no_facturx' })
        const inChorus = await sandboxClient(`${s.url}/sandbox`).rechercherFactureFournisseur(ACCOUNT, { numeroFacture: number })
        expect(inChorus.listeFactures[0]).toMatchObject({ montantHT: a.net, montantTTC: a.gross })
      }
    }, 90_000)
  })
})
