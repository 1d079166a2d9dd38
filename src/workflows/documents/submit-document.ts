import { now } from '../../db/sql-now'
import { randomUUID } from 'node:crypto'
import { sql, type Transaction } from 'kysely'
import { getAccount, technicalAccountOf } from '../../db/accounts'
import type { Account, DB, DocumentRow } from '../../db/schema'
import { isChorusError, type ChorusError, type SoumettreRequest, type TechnicalAccount, type FactureFournisseurResume } from '../../chorus'
import { normalizeAmount } from '../../domain/amount'
import { billingFrameworkOf, DEFAULT_BILLING_FRAMEWORK } from '../../domain/billing-framework'
import { heldForPersonUntil } from './person-edits'
import { depositedAt as storedDeposit } from '../../domain/deposit-date'
import type { InvoiceFields } from '../../domain/invoice-fields'
import type { Localized } from '../../domain/localized'
import { emitWebhookEvent } from '../webhooks/emit-webhook-event'
import { queueWriteBack } from '../write-back/queue-write-back'
import { chorusFileName } from './analyse-document'
import { layersOf, valueOf } from './document-form'
import type { Ports } from '../ports'
import { chorusProblem } from '../chorus-problem'
import { chorusInstant } from '../../domain/chorus-date'
import { describeFlowStatus } from '../../domain/invoice-status'
import { chooseSubmissionRoute, type RouteDecision } from '../../domain/submission-route'
import { attachmentProblem } from '../../domain/chorus-attachments'
import { RetryLaterError, type JobPayloads } from '../jobs'
import { faultPoint } from '../../fault-points'
import { linkReplacements } from '../tracking/handle-rejection'
import { learnFromSubmission } from '../recipients/learn-mapping'

export type SubmitOutcome =
  | { readonly status: 'submitted'; readonly invoiceId: string; readonly chorusInvoiceId: string; readonly reconciled: boolean }
  | { readonly status: 'flow_deposited'; readonly flowNumber: string }
  | { readonly status: 'refused'; readonly error: SubmitError }
  /** Chorus Pro is unavailable: the document stays ready and is retried later. */
  | { readonly status: 'unavailable'; readonly error: SubmitError }
  /** Nothing to do: not ready, already submitted or being submitted elsewhere. */
  | { readonly status: 'skipped'; readonly reason: 'not_found' | 'not_ready' | 'has_error' | 'already_submitted' | 'in_progress' | 'removed' | 'edited_by_person' }

export interface SubmitError {
  readonly code: string
  readonly message: Localized
  readonly raw?: unknown
}

export interface SubmitOptions {
  /** A person asked for it (validate, submit selection): a document refused before may go again. */
  readonly manual?: boolean
  readonly actor?: string
}

/** How long an unknown outcome of a flow deposit is searched for before the deposit counts as lost. */
const FLOW_GRACE_MS = 30 * 60_000

/**
 * Submits one ready document to Chorus Pro, exactly once whatever crashes:
 * 1. the document is marked `submitting` (with an attempt id) in its own commit before any call;
 * 2. the call is made; its exact payload and Chorus's answer are stored as events;
 * 3. success writes the invoice (tracking) and the document's `submitted` stage in one transaction.
 * A document found `submitting` (a crash between 1 and 3, or a timeout) is first reconciled by searching
 * Chorus Pro for its invoice number: found means submitted, never a second call.
 */
/**
 * The `document.submit` job. Unavailable (or outcome unknown): the work stays queued without spending
 * attempts; the next run reconciles first.
 */
export async function submitQueuedDocument(ports: Ports, p: JobPayloads['document.submit']): Promise<SubmitOutcome> {
  const outcome = await submitDocument(ports, p.documentId, { manual: p.manual === true, actor: p.actor ?? 'auto' })
  if (outcome.status === 'unavailable') throw new RetryLaterError(outcome.error.message.en, 60_000)
  return outcome
}

/**
 * The documents this process is submitting or reconciling right now. A second caller in the same process
 * (a person's Validate while the automatic submission is on the document, or the reverse) finds the
 * document `submitting`; that attempt is alive, not interrupted, so it must not be reconciled: a search
 * made before the other caller's soumettre lands finds nothing, would put the document back to ready and
 * send it a second time. Found in a clean-clone CI run, where a Validate adopted the invoice of the
 * automatic submission still in flight. (Across instances on one PostgreSQL, Chorus Pro's refusal of a
 * duplicate number, which is adopted, remains the guard: see README, Operations.)
 */
const inFlight = new Set<string>()

async function exclusively(documentId: string, run: () => Promise<SubmitOutcome>): Promise<SubmitOutcome> {
  if (inFlight.has(documentId)) return { status: 'skipped', reason: 'in_progress' }
  inFlight.add(documentId)
  try {
    return await run()
  } finally {
    inFlight.delete(documentId)
  }
}

export function submitDocument(ports: Ports, documentId: string, opts: SubmitOptions = {}): Promise<SubmitOutcome> {
  return exclusively(documentId, () => submitNow(ports, documentId, opts))
}

async function submitNow(ports: Ports, documentId: string, opts: SubmitOptions): Promise<SubmitOutcome> {
  const current = await ports.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst()
  if (!current) return { status: 'skipped', reason: 'not_found' }
  if (current.stage === 'submitted') return { status: 'skipped', reason: 'already_submitted' }
  if (current.stage === 'removed') return { status: 'skipped', reason: 'removed' }
  if (current.stage === 'submitting') return reconcileNow(ports, current, opts)
  if (current.stage !== 'to_submit' || !current.ready) return { status: 'skipped', reason: 'not_ready' }
  if (current.submit_error && !opts.manual) return { status: 'skipped', reason: 'has_error' }
  // Saving never submits: a document a person edited waits for them (Validate) or for the sweep once they have left it.
  if (!opts.manual && heldForPersonUntil(current, ports.now())) return { status: 'skipped', reason: 'edited_by_person' }

  const account = current.account_id ? await getAccount(ports.db, current.account_id) : undefined
  if (!account) return { status: 'skipped', reason: 'not_ready' }
  const fields = current.fields as InvoiceFields
  // The invoice file follows Chorus Pro's attachment limits (under 10 MB, not empty, name of at most 50
  // characters): a clear refusal before any call rather than Chorus Pro's after the claim.
  const fileProblem = attachmentProblem({ name: chorusFileName(current.filename), size: Number(current.size) })
  if (fileProblem) {
    const error: SubmitError = { code: fileProblem.code, message: fileProblem.message, raw: fileProblem.details }
    await recordEvent(ports, current.id, 'submission.error', error)
    await ports.db.updateTable('documents').set({ submit_error: JSON.stringify(error), updated_at: now() }).where('id', '=', current.id).where('stage', '=', 'to_submit').execute()
    return { status: 'refused', error }
  }
  // The route: the account's setting, then what the document allows. A form completed or corrected outside
  // the embedded XML goes by the PDF route, since a flow would send the XML unchanged (domain/submission-route.ts).
  const layers = layersOf(current)
  const decision = chooseSubmissionRoute({
    setting: account.submission_route,
    hasFacturx: current.has_facturx,
    validForStructuredRoute: layers.info?.xml?.validForStructuredRoute === true,
    xml: layers.xml,
    form: fields,
  })
  const route = decision.route

  // 1. Claim: only one instance, one job, one person's click gets past this line.
  const attempt = { id: randomUUID(), route, routeDecision: decision, startedAt: ports.now().toISOString(), by: opts.actor ?? 'auto' }
  const claimed = await ports.db
    .updateTable('documents')
    .set({ stage: 'submitting', submission_attempt: JSON.stringify(attempt), submit_error: null, updated_at: now() })
    .where('id', '=', documentId)
    .where('stage', '=', 'to_submit')
    .where('ready', '=', true)
    .returningAll()
    .executeTakeFirst()
  if (!claimed) return { status: 'skipped', reason: 'in_progress' }

  const tech = technicalAccountOf(account, ports.secrets)
  try {
    const supplierId = await supplierStructureId(ports, account, tech)
    if (route === 'facturx') return await depositFlow(ports, claimed, tech, attempt)

    let attachmentId = claimed.chorus_attachment_id
    if (!attachmentId) attachmentId = await depositAttachment(ports, claimed, tech)
    let request = soumettreRequest(claimed, fields, supplierId, Number(attachmentId))
    await recordEvent(ports, claimed.id, 'submission.request', { attemptId: attempt.id, operation: 'factures/v1/soumettre', route: decision, request })
    let response
    try {
      response = await ports.chorus.soumettre(tech, request)
    } catch (e) {
      // A refused attachment id (expired, or from another account): deposit the PDF again and submit once more.
      // Safe: the refusal is an answer, so Chorus created nothing.
      if (!isChorusError(e) || e.catalogue.code !== 'attachment_unknown') throw e
      attachmentId = await depositAttachment(ports, claimed, tech)
      request = soumettreRequest(claimed, fields, supplierId, Number(attachmentId))
      await recordEvent(ports, claimed.id, 'submission.request', { attemptId: attempt.id, operation: 'factures/v1/soumettre', route: decision, request, retryAfter: 'attachment_unknown' })
      response = await ports.chorus.soumettre(tech, request)
    }
    faultPoint('after-soumettre')
    return await recordSubmitted(ports, claimed, account, fields, {
      chorusInvoiceId: String(response.identifiantFactureCPP),
      status: response.statutFacture ?? 'DEPOSEE',
      depositedAt: response.dateDepot ?? null,
      // Chorus Pro gives the day; the moment is now, when it answered.
      knownAt: ports.now(),
      depositMode: 'DEPOT_PDF_API',
      flowNumber: null,
      response,
      reconciled: false,
    }, opts)
  } catch (e) {
    if (!isChorusError(e)) {
      // Our own bug or the database: the outcome may be unknown; leave `submitting` for reconciliation.
      throw e
    }
    return handleChorusFailure(ports, claimed, account, e, opts)
  }
}

async function handleChorusFailure(ports: Ports, doc: DocumentRow, account: Account, e: ChorusError, opts: SubmitOptions): Promise<SubmitOutcome> {
  const error = chorusProblem(e)
  await recordEvent(ports, doc.id, 'submission.error', { ...error, outcomeUnknown: e.outcomeUnknown })
  if (e.outcomeUnknown) {
    // Chorus may have created the invoice, or may still be creating it: keep `submitting` and reconcile
    // later (the job retries), by searching for the number once Chorus has had time to finish.
    return { status: 'unavailable', error }
  }
  if (e.catalogue.code === 'duplicate_invoice_number') {
    // Perhaps our own earlier attempt (a crash before our commit): adopt it if the search finds it.
    const adopted = await findInChorus(ports, doc, account)
    if (adopted) return recordSubmitted(ports, doc, account, doc.fields as InvoiceFields, adoptedFacts(adopted), opts)
  }
  const retryable = e.retryable
  await ports.db
    .updateTable('documents')
    .set({
      stage: 'to_submit',
      // A business refusal waits for a person; an unavailable Chorus Pro leaves the document ready for the next try.
      submit_error: retryable ? null : JSON.stringify(error),
      submission_attempt: null,
      updated_at: now(),
    })
    .where('id', '=', doc.id)
    .where('stage', '=', 'submitting')
    .execute()
  if (!retryable) {
    await ports.db.transaction().execute(async (trx) => {
      await emitWebhookEvent(ports, trx, 'document.error', { documentId: doc.id, filename: doc.filename, error: { code: error.code, message: error.message.fr, raw: error.raw } })
      await emitWebhookEvent(ports, trx, 'document.needs_attention', { documentId: doc.id, filename: doc.filename, accountId: doc.account_id, reasons: [{ code: error.code, field: null, message: error.message }] })
    })
  }
  return retryable ? { status: 'unavailable', error } : { status: 'refused', error }
}

/**
 * A document left `submitting`: decide from Chorus Pro's own records, never by calling soumettre again.
 * Found → submitted. Not found → back to ready (the PDF route is synchronous, so nothing is pending).
 * Chorus unreachable → stays `submitting`; the job retries.
 */
export function reconcile(ports: Ports, doc: DocumentRow, opts: SubmitOptions = {}): Promise<SubmitOutcome> {
  return exclusively(doc.id, () => reconcileNow(ports, doc, opts))
}

async function reconcileNow(ports: Ports, doc: DocumentRow, opts: SubmitOptions): Promise<SubmitOutcome> {
  const account = doc.account_id ? await getAccount(ports.db, doc.account_id) : undefined
  if (!account) throw new Error(`document ${doc.id} is submitting without an account`)
  const attempt = attemptOf(doc)
  if (attempt.route === 'facturx' && attempt.flowNumber) return followFlow(ports, doc.id, opts)
  const found = await findInChorus(ports, doc, account)
  if (found) {
    await recordEvent(ports, doc.id, 'submission.reconciled', { chorusInvoiceId: String(found.identifiantFactureCPP), status: found.statut })
    return recordSubmitted(ports, doc, account, doc.fields as InvoiceFields, adoptedFacts(found), opts)
  }
  if (attempt.route === 'facturx' && attempt.startedAt && ports.now().getTime() - Date.parse(attempt.startedAt) < FLOW_GRACE_MS) {
    // A flow deposit whose answer we lost may still be integrating: wait before concluding it never arrived.
    return { status: 'unavailable', error: { code: 'flow_outcome_pending', message: { fr: 'Dépôt de flux en cours de vérification dans Chorus Pro.', en: 'Flow deposit being checked in Chorus Pro.' } } }
  }
  await recordEvent(ports, doc.id, 'submission.reconciled', { found: false })
  await ports.db.updateTable('documents').set({ stage: 'to_submit', submission_attempt: null, updated_at: now() }).where('id', '=', doc.id).where('stage', '=', 'submitting').execute()
  return submitNow(ports, doc.id, opts)
}

async function findInChorus(ports: Ports, doc: DocumentRow, account: Account): Promise<FactureFournisseurResume | undefined> {
  const number = doc.invoice_number ?? valueOf(doc.fields as InvoiceFields, 'invoiceNumber')
  if (!number) return undefined
  const tech = technicalAccountOf(account, ports.secrets)
  const r = await ports.chorus.rechercherFactureFournisseur(tech, { numeroFacture: number })
  const siret = valueOf(doc.fields as InvoiceFields, 'recipientSiret')
  const year = valueOf(doc.fields as InvoiceFields, 'invoiceDate')?.slice(0, 4)
  return r.listeFactures.find((f) => f.numeroFacture === number && (!siret || !f.codeDestinataire || f.codeDestinataire === siret) && (!year || !f.dateFacture || f.dateFacture.startsWith(year)))
}

function adoptedFacts(f: FactureFournisseurResume) {
  return {
    chorusInvoiceId: String(f.identifiantFactureCPP),
    status: f.statut,
    depositedAt: f.dateDepot ?? null,
    knownAt: null as Date | null,
    depositMode: f.modeDepot ?? null,
    flowNumber: f.numeroFluxDepot ?? null,
    response: f,
    reconciled: true,
  }
}

interface SubmittedFacts {
  readonly chorusInvoiceId: string
  readonly status: string
  readonly depositedAt: string | null
  /** When we know the moment of the deposit ourselves (Chorus Pro gives only its day): see domain/deposit-date.ts. */
  readonly knownAt: Date | null
  readonly depositMode: string | null
  readonly flowNumber: string | null
  readonly response: unknown
  readonly reconciled: boolean
}

async function recordSubmitted(ports: Ports, doc: DocumentRow, account: Account, fields: InvoiceFields, facts: SubmittedFacts, opts: SubmitOptions): Promise<SubmitOutcome> {
  const invoiceId = await ports.db.transaction().execute(async (trx) => {
    const amount = (name: Parameters<typeof valueOf>[1]) => {
      const v = valueOf(fields, name)
      return v ? normalizeAmount(v) : null
    }
    const directoryName = layersOf(doc).info?.recipientName ?? null
    const row = await trx
      .insertInto('invoices')
      .values({
        account_id: account.id,
        document_id: doc.id,
        chorus_invoice_id: facts.chorusInvoiceId,
        flow_number: facts.flowNumber,
        invoice_number: valueOf(fields, 'invoiceNumber') ?? doc.invoice_number ?? '',
        invoice_type: valueOf(fields, 'invoiceType') ?? 'FACTURE',
        recipient_siret: valueOf(fields, 'recipientSiret') ?? null,
        recipient_name: directoryName,
        service_code: valueOf(fields, 'serviceCode') ?? null,
        engagement_number: valueOf(fields, 'engagementNumber') ?? null,
        currency: valueOf(fields, 'currency') ?? 'EUR',
        amount_net: amount('amountNet'),
        amount_vat: amount('amountVat'),
        amount_gross: amount('amountGross'),
        amount_due: amount('amountDue') ?? amount('amountGross'),
        invoice_date: valueOf(fields, 'invoiceDate') ?? null,
        deposited_at: storedDeposit(facts.depositedAt, facts.knownAt),
        deposit_mode: facts.depositMode,
        status: facts.status,
        status_at: ports.now(),
        next_poll_at: new Date(ports.now().getTime() + 60_000),
      })
      // The same Chorus invoice adopted twice (two reconciliations racing) stays one row.
      .onConflict((oc) => oc.columns(['account_id', 'chorus_invoice_id']).doUpdateSet({ document_id: doc.id }))
      .returning('id')
      .executeTakeFirstOrThrow()
    const updated = await trx
      .updateTable('documents')
      .set({ stage: 'submitted', invoice_id: row.id, submit_error: null, updated_at: now() })
      .where('id', '=', doc.id)
      .where('stage', '=', 'submitting')
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) !== 1) throw new Error(`document ${doc.id} left submitting while being recorded`)
    // The status history itself comes from Chorus Pro (consulter/historique, with its own ids) at the
    // next sync; a 'status' row written here would show DEPOSEE twice.
    // The submission event says which route the invoice took and why (a Factur-X sent by the PDF route names the fields concerned).
    const route = routeOf(doc)
    await trx
      .insertInto('invoice_events')
      .values({ invoice_id: row.id, document_id: doc.id, kind: 'submission', status: facts.status, actor: opts.actor ?? 'auto', comment: route?.message.fr ?? null, payload: JSON.stringify({ response: facts.response, reconciled: facts.reconciled, ...(route ? { route } : {}) }) })
      .execute()
    // Earlier submission events of this document (request, errors) now belong to its invoice's history too.
    await trx.updateTable('invoice_events').set({ invoice_id: row.id }).where('document_id', '=', doc.id).where('invoice_id', 'is', null).execute()
    // Where this label's invoices go is remembered (a learned recipient mapping), in the same transaction.
    await learnFromSubmission(ports, trx, doc, fields)
    await emitWebhookEvent(ports, trx, 'invoice.submitted', { invoiceId: row.id, documentId: doc.id, chorusInvoiceId: facts.chorusInvoiceId, invoiceNumber: valueOf(fields, 'invoiceNumber'), status: facts.status })
    // The host document (Odoo, a folder) hears of it through its own job: a host that is down never holds this back.
    await queueWriteBack(ports, trx, { documentId: doc.id, invoiceId: row.id, event: 'submitted', status: facts.status, statusAt: ports.now(), comment: null, chorusInvoiceId: facts.chorusInvoiceId, invoiceNumber: valueOf(fields, 'invoiceNumber') ?? doc.invoice_number ?? '' })
    return row.id
  })
  // A replacement invoice or credit note announced when a rejected invoice was handled is linked as soon as it exists.
  await linkReplacements(ports.db, account.id).catch((e) => ports.logger.warn({ err: String(e) }, 'linking replacements failed; the next sync retries'))
  return { status: 'submitted', invoiceId, chorusInvoiceId: facts.chorusInvoiceId, reconciled: facts.reconciled }
}

async function supplierStructureId(ports: Ports, account: Account, tech: TechnicalAccount): Promise<number> {
  if (account.chorus_structure_id) return Number(account.chorus_structure_id)
  const r = await ports.chorus.recupererStructuresActivesFournisseur(tech)
  const mine = r.listeStructures.find((s) => String(s.identifiant ?? '').replace(/\s/g, '') === account.siret) ?? (r.listeStructures.length === 1 ? r.listeStructures[0] : undefined)
  if (!mine) throw new Error(`no Chorus structure linked to ${account.siret} for this technical account: run Test connection on the supplier account`)
  await ports.db.updateTable('accounts').set({ chorus_structure_id: mine.idStructureCPP }).where('id', '=', account.id).execute()
  return Number(mine.idStructureCPP)
}

async function depositAttachment(ports: Ports, doc: DocumentRow, tech: TechnicalAccount): Promise<string> {
  const blob = await ports.db.selectFrom('blobs').select('content').where('sha256', '=', doc.blob_sha256!).executeTakeFirstOrThrow()
  const r = await ports.chorus.deposerPdf(tech, { fichierFacture: new Uint8Array(blob.content), nomFichier: chorusFileName(doc.filename), formatDepot: 'PDF_NON_SIGNE' })
  const id = String(r.pieceJointeId)
  await ports.db.updateTable('documents').set({ chorus_attachment_id: id }).where('id', '=', doc.id).execute()
  return id
}

function soumettreRequest(doc: DocumentRow, fields: InvoiceFields, supplierId: number, attachmentId: number): SoumettreRequest {
  const v = (name: Parameters<typeof valueOf>[1]) => valueOf(fields, name)
  const net = normalizeAmount(v('amountNet')!)
  const vat = normalizeAmount(v('amountVat')!)
  const gross = normalizeAmount(v('amountGross')!)
  const service = v('serviceCode')
  const ej = v('engagementNumber')
  const vatLines = layersOf(doc).info?.xml?.vatBreakdown ?? []
  return {
    modeDepot: 'DEPOT_PDF_API',
    numeroFactureSaisi: v('invoiceNumber')!,
    dateFacture: v('invoiceDate')!,
    destinataire: { codeDestinataire: v('recipientSiret')!, ...(service ? { codeServiceExecutant: service } : {}) },
    fournisseur: { idFournisseur: supplierId },
    // The form's framework (checked by completeness: one the connector can submit); none is Chorus Pro's A1.
    cadreDeFacturation: { codeCadreFacturation: billingFrameworkOf(v('billingFramework'))?.code ?? DEFAULT_BILLING_FRAMEWORK },
    references: {
      deviseFacture: v('currency') ?? 'EUR',
      typeFacture: v('invoiceType') === 'AVOIR' ? 'AVOIR' : 'FACTURE',
      typeTva: 'TVA_SUR_DEBIT',
      ...(ej ? { numeroBonCommande: ej } : {}),
    },
    ...(vatLines.length && vatLines.every((l) => l.base && l.amount)
      ? { ligneTva: vatLines.map((l) => ({ ligneTvaMontantBaseHtParTaux: l.base!, ligneTvaMontantTvaParTaux: l.amount!, ...(l.rate ? { ligneTvaTauxManuel: l.rate } : {}) })) }
      : {}),
    montantTotal: { montantHtTotal: net, montantTVA: vat, montantTtcTotal: gross, montantAPayer: normalizeAmount(v('amountDue') ?? gross) },
    pieceJointePrincipale: [{ pieceJointePrincipaleDesignation: chorusFileName(doc.filename), pieceJointePrincipaleId: attachmentId }],
  }
}

async function depositFlow(ports: Ports, doc: DocumentRow, tech: TechnicalAccount, attempt: { id: string; route: string; routeDecision: RouteDecision; startedAt: string }): Promise<SubmitOutcome> {
  const blob = await ports.db.selectFrom('blobs').select('content').where('sha256', '=', doc.blob_sha256!).executeTakeFirstOrThrow()
  const request = { nomFichier: chorusFileName(doc.filename), syntaxeFlux: 'IN_DP_E2_CII_FACTURX', avecSignature: false }
  await recordEvent(ports, doc.id, 'submission.request', { attemptId: attempt.id, operation: 'factures/v1/deposer/flux', route: attempt.routeDecision, request })
  const r = await ports.chorus.deposerFlux(tech, { ...request, fichierFlux: new Uint8Array(blob.content) })
  faultPoint('after-deposer-flux')
  await ports.db.transaction().execute(async (trx) => {
    await trx.updateTable('documents').set({ submission_attempt: JSON.stringify({ ...attempt, flowNumber: r.numeroFluxDepot, flowDepositedAt: ports.now().toISOString() }) }).where('id', '=', doc.id).execute()
    await trx.insertInto('invoice_events').values({ document_id: doc.id, kind: 'submission.response', payload: JSON.stringify({ response: r }) }).execute()
    // Flows are integrated asynchronously: follow the report until Chorus has an invoice id.
    await ports.jobs.enqueue('document.follow-flow', { documentId: doc.id }, { within: trx, runAt: new Date(ports.now().getTime() + 5_000) })
  })
  return { status: 'flow_deposited', flowNumber: String(r.numeroFluxDepot) }
}

/** Thrown by followFlow while the flow is still being processed, so its job comes back later. */
export class FlowPending extends Error {
  override readonly name = 'FlowPending'
}

/** Follows a deposited Factur-X flow: integrated → the invoice id from the supplier search; rejected → the document turns red with Chorus's words. */
export async function followFlow(ports: Ports, documentId: string, opts: SubmitOptions = {}): Promise<SubmitOutcome> {
  const doc = await ports.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst()
  if (!doc || doc.stage !== 'submitting') return { status: 'skipped', reason: 'not_found' }
  const account = (await getAccount(ports.db, doc.account_id!))!
  const tech = technicalAccountOf(account, ports.secrets)
  const flowNumber = attemptOf(doc).flowNumber
  // A flow number is recorded before the flow's job is queued; without one, reconcile by searching.
  if (!flowNumber) return reconcile(ports, { ...doc, submission_attempt: null })
  const report = await ports.chorus.consulterCRDetaille(tech, { numeroFluxDepot: flowNumber })
  const state = report.etatCourantDepotFlux
  const flow = describeFlowStatus(state)
  const number = doc.invoice_number
  const mine = report.listeErreurDP.filter((x) => !number || !x.numeroDP || x.numeroDP === number)
  if (flow.outcome === 'rejected' || flow.outcome === 'incident' || (flow.outcome === 'partly_integrated' && mine.length)) {
    const libelle = [...mine.map((x) => x.libelleErreurDP), ...report.listeErreurTechnique.map((x) => x.libelleErreur)].filter(Boolean).join(' | ')
    // Chorus Pro's words end with their own full stop ("… est obligatoire."): one sentence ends once.
    const reason = sentence(libelle || `${flow.label.fr} (${state})`)
    const reasonEn = sentence(libelle || `${flow.label.en} (${state})`)
    const error: SubmitError =
      flow.outcome === 'incident'
        ? {
            // IN_INCIDENTE: Chorus Pro did not process the flow; the same file goes again, nothing to correct (reference "Updates checked 2026-11").
            code: 'chorus_flow_incident',
            message: { fr: `Chorus Pro n’a pas traité le flux ${flowNumber} (incident)${libelle ? ` : ${reason}` : '.'} Renvoyez la facture telle quelle (Valider), sans rien corriger.`, en: `Chorus Pro did not process flow ${flowNumber} (incident)${libelle ? `: ${reasonEn}` : '.'} Send the invoice again as it is (Validate), nothing to correct.` },
            raw: { etatCourantDepotFlux: state, listeErreurDP: report.listeErreurDP, listeErreurTechnique: report.listeErreurTechnique },
          }
        : {
            code: 'chorus_flow_rejected',
            message: { fr: `Chorus Pro a rejeté le flux ${flowNumber} : ${reason} Corrigez la facture puis renvoyez-la.`, en: `Chorus Pro rejected flow ${flowNumber}: ${reasonEn} Correct the invoice, then send it again.` },
            raw: { etatCourantDepotFlux: state, listeErreurDP: report.listeErreurDP, listeErreurTechnique: report.listeErreurTechnique },
          }
    await recordEvent(ports, doc.id, 'submission.error', error)
    await ports.db.updateTable('documents').set({ stage: 'to_submit', submit_error: JSON.stringify(error), submission_attempt: null, updated_at: now() }).where('id', '=', doc.id).where('stage', '=', 'submitting').execute()
    return { status: 'refused', error }
  }
  if (flow.outcome !== 'integrated' && flow.outcome !== 'partly_integrated') throw new FlowPending(`flow ${flowNumber} is ${state}`)
  const r = await ports.chorus.rechercherFactureFournisseur(tech, { numeroFluxDepot: flowNumber })
  const f = r.listeFactures.find((x) => !number || x.numeroFacture === number) ?? r.listeFactures[0]
  if (!f) throw new FlowPending(`flow ${flowNumber} integrated but its invoice is not searchable yet`)
  return recordSubmitted(ports, doc, account, doc.fields as InvoiceFields, { ...adoptedFacts(f), reconciled: false, flowNumber, knownAt: flowDepositedAt(doc) }, opts)
}

/** Ends a text with exactly one full stop (or its own ! or ?). */
function sentence(text: string): string {
  const t = text.trim().replace(/[\s.]+$/, '')
  return /[!?]$/.test(t) ? t : `${t}.`
}

async function recordEvent(ports: Ports, documentId: string, kind: string, payload: unknown): Promise<void> {
  await ports.db.insertInto('invoice_events').values({ document_id: documentId, kind, payload: JSON.stringify(payload) }).execute()
}

/** What `documents.submission_attempt` holds while a submission is under way (written by submitDocument). */
interface SubmissionAttempt {
  readonly route?: string
  readonly flowNumber?: string
  readonly startedAt?: string
  /** When deposer/flux answered: the invoice's deposit moment (Chorus Pro gives only the day). */
  readonly flowDepositedAt?: string
}

function flowDepositedAt(doc: Pick<DocumentRow, 'submission_attempt'>): Date | null {
  const at = attemptOf(doc).flowDepositedAt
  const d = at ? new Date(at) : null
  return d && !Number.isNaN(d.getTime()) ? d : null
}

/** The route decision recorded with the attempt (none for an attempt written before routes were explained). */
function routeOf(doc: Pick<DocumentRow, 'submission_attempt'>): RouteDecision | undefined {
  const a = doc.submission_attempt
  if (typeof a !== 'object' || a === null || !('routeDecision' in a)) return undefined
  const d = (a as { routeDecision?: unknown }).routeDecision
  return d && typeof d === 'object' && 'route' in d && 'message' in d ? (d as RouteDecision) : undefined
}

function attemptOf(doc: Pick<DocumentRow, 'submission_attempt'>): SubmissionAttempt {
  const a = doc.submission_attempt
  if (typeof a !== 'object' || a === null) return {}
  const text = (k: string) => (k in a && typeof (a as Record<string, unknown>)[k] === 'string' ? String((a as Record<string, unknown>)[k]) : undefined)
  return { route: text('route'), flowNumber: text('flowNumber'), startedAt: text('startedAt'), flowDepositedAt: text('flowDepositedAt') }
}
