import { now } from '../../db/sql-now'
import { sql } from 'kysely'
import { getAccount, technicalAccountOf } from '../../db/accounts'
import type { DocumentRow } from '../../db/schema'
import { isChorusError, type ChorusError } from '../../chorus'
import { PdfAnalysisError } from '../../pdf/pdf-analysis-error'
import type { LocalPdfAnalysis } from '../../pdf/analyse-pdf-locally'
import type { Localized } from '../../domain/localized'
import { emitWebhookEvent } from '../webhooks/emit-webhook-event'
import { chorusOcrFields } from './chorus-ocr-fields'
import { layersOf, mergeForm, valueOf, type ExtractedLayers } from './document-form'
import { recheckDocument } from './recheck-document'
import type { DocumentDeps } from './document-deps'
import type { Ports } from '../ports'
import { chorusProblem } from '../chorus-problem'
import { RetryLaterError, type JobRun } from '../jobs'

export interface AnalysisError {
  readonly code: string
  readonly message: Localized
  readonly raw?: unknown
}

/** Thrown to make the job retry with backoff: Chorus Pro is unavailable and this was not the last attempt. */
export class AnalysisRetry extends Error {
  override readonly name = 'AnalysisRetry'
}

/**
 * The `document.analyse` job. Chorus Pro unavailable: the job's backoff retries, and its last attempt
 * records the error. While the circuit is open calls fail fast without reaching Chorus Pro: such a
 * failure waits for the cool-down without spending an attempt. Spending them let a two-minute outage
 * exhaust the 10 attempts and leave documents in error for a person (test/reliability/chorus-faults.test.ts).
 */
export async function analyseQueuedDocument(ports: Ports, deps: DocumentDeps, documentId: string, run: Pick<JobRun, 'lastAttempt'>): Promise<'done' | 'error' | 'skipped'> {
  try {
    return await analyseDocument(ports, deps, documentId, { lastAttempt: run.lastAttempt })
  } catch (e) {
    if (e instanceof AnalysisRetry && ports.chorus.breakerState() !== 'closed') throw new RetryLaterError(e.message, 30_000)
    throw e
  }
}

/**
 * Analyses one received document: its own text and embedded Factur-X/UBL XML (off the event loop),
 * then Chorus Pro's OCR (deposer/pdf, whose attachment id is kept for submission), then the form and
 * its completeness. Unreadable documents and Chorus refusals end in "to submit" with a clear analysis
 * error; an unavailable Chorus Pro makes the job retry, and only its last attempt records the error.
 */
export async function analyseDocument(ports: Ports, deps: DocumentDeps, documentId: string, opts: { lastAttempt: boolean }): Promise<'done' | 'error' | 'skipped'> {
  const doc = await ports.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst()
  if (!doc || !['received', 'analysing', 'to_submit'].includes(doc.stage)) return 'skipped'
  await ports.db.updateTable('documents').set({ stage: 'analysing', updated_at: now() }).where('id', '=', documentId).where('stage', 'in', ['received', 'analysing', 'to_submit']).execute()

  const account = doc.account_id ? await getAccount(ports.db, doc.account_id) : undefined
  const blob = doc.blob_sha256 ? await ports.db.selectFrom('blobs').select('content').where('sha256', '=', doc.blob_sha256).executeTakeFirst() : undefined
  const previous = layersOf(doc)
  if (!blob) return finish(ports, deps, doc, previous, { code: 'file_missing', message: { fr: 'Le fichier de ce document n’a pas été conservé : déposez-le à nouveau.', en: 'This document’s file was not kept: file it again.' } })
  const bytes = new Uint8Array(blob.content)

  // 1. Local reading, in the worker pool.
  let local: LocalPdfAnalysis
  try {
    local = await deps.pdf.analyse(bytes, { supplierSirets: account ? [account.siret] : [] })
  } catch (e) {
    if (e instanceof PdfAnalysisError) return finish(ports, deps, doc, previous, { code: e.code, message: e.messages, raw: e.details })
    throw e
  }
  const info: Record<string, unknown> = {
    ...(previous.info ?? {}),
    pages: local.pages,
    textLength: local.textLength,
    encrypted: local.encrypted,
    warnings: local.warnings,
    attachments: local.attachments,
    xml: local.xml && {
      found: local.xml.found,
      filename: local.xml.filename,
      syntax: local.xml.syntax,
      profile: local.xml.profile,
      validForStructuredRoute: local.xml.validForStructuredRoute,
      structuredRouteProblems: local.xml.structuredRouteProblems,
      // The same problems as sentences, in French and English, for the page that says why the PDF route is used.
      structuredRouteMessages: local.xml.structuredRouteMessages,
      vatBreakdown: local.xml.vatBreakdown,
    },
  }
  let layers: ExtractedLayers = { ...previous, xml: local.xml?.fields ?? {}, text: local.text.fields, info }

  // 2. Chorus Pro's analysis, as the Open Bee connector does; skipped when the Factur-X route will be used.
  let ocrError: AnalysisError | undefined
  let attachmentId: string | null = doc.chorus_attachment_id
  // `auto` and `facturx` send a valid Factur-X as a flow (domain/submission-route.ts): no OCR deposit for it.
  const structured = account !== undefined && account.submission_route !== 'pdf' && local.xml?.validForStructuredRoute === true
  if (!account) {
    // Without a supplier account there is no technical account to call Chorus with; completeness says so.
  } else if (!structured) {
    try {
      const tech = technicalAccountOf(account, ports.secrets)
      const r = await ports.chorus.deposerPdf(tech, { fichierFacture: bytes, nomFichier: chorusFileName(doc.filename), formatDepot: 'PDF_NON_SIGNE' })
      attachmentId = String(r.pieceJointeId)
      layers = { ...layers, chorus_ocr: chorusOcrFields(r), info: { ...info, chorusAttachmentId: attachmentId, ocrAt: ports.now().toISOString() } }
    } catch (e) {
      if (!isChorusError(e)) throw e
      if (e.retryable && !opts.lastAttempt) throw new AnalysisRetry(e.message)
      ocrError = chorusProblem(e)
    }
  }

  // 3. A number Chorus Pro already knows for this supplier (searched once here, not on every recheck).
  const number = valueOf(mergeForm(layers), 'invoiceNumber')
  if (account && number && !ocrError) {
    try {
      const found = await ports.chorus.rechercherFactureFournisseur(technicalAccountOf(account, ports.secrets), { numeroFacture: number })
      const year = valueOf(mergeForm(layers), 'invoiceDate')?.slice(0, 4)
      const same = found.listeFactures.find((f) => f.numeroFacture === number && (!year || !f.dateFacture || f.dateFacture.startsWith(year)))
      layers = { ...layers, info: { ...layers.info, chorusDuplicate: same ? { number, chorusInvoiceId: String(same.identifiantFactureCPP) } : null } }
    } catch (e) {
      if (!isChorusError(e)) throw e
      ports.logger.warn({ documentId, err: e.message }, 'duplicate search in Chorus Pro failed; relying on local history')
    }
  }

  await ports.db.updateTable('documents').set({ chorus_attachment_id: attachmentId, has_facturx: local.xml?.found === true && local.xml.syntax === 'CII', facturx_profile: local.xml?.profile ?? null }).where('id', '=', documentId).execute()
  return finish(ports, deps, doc, layers, ocrError)
}

async function finish(ports: Ports, deps: DocumentDeps, doc: DocumentRow, layers: ExtractedLayers, error: AnalysisError | undefined): Promise<'done' | 'error'> {
  const fields = mergeForm(layers)
  await ports.db
    .updateTable('documents')
    .set({
      analysis_status: error ? 'error' : 'done',
      analysis_error: error ? JSON.stringify(error) : null,
      extracted: JSON.stringify(layers),
      fields: JSON.stringify(fields),
      invoice_number: valueOf(fields, 'invoiceNumber') ?? null,
      updated_at: now(),
    })
    .where('id', '=', doc.id)
    .where('stage', '=', 'analysing')
    .execute()
  const check = await recheckDocument(ports, deps, doc.id, { completingAnalysis: true })
  await ports.db.transaction().execute(async (trx) => {
    await emitWebhookEvent(ports, trx, error ? 'document.error' : 'document.analysed', {
      documentId: doc.id,
      filename: doc.filename,
      ready: check?.ready ?? false,
      problems: check?.problems.map((p) => p.code) ?? [],
      error: error ? { code: error.code, message: error.message.fr } : null,
    })
    // Red in To submit: what the tab shows, for a host that raises its own alerts.
    if (error || (check && !check.ready)) {
      await emitWebhookEvent(ports, trx, 'document.needs_attention', {
        documentId: doc.id,
        filename: doc.filename,
        accountId: doc.account_id,
        reasons: error ? [{ code: error.code, field: null, message: error.message }] : (check?.problems ?? []).map((p) => ({ code: p.code, field: p.field, message: p.message })),
      })
    }
    const account = doc.account_id ? await trx.selectFrom('accounts').select(['auto_submit']).where('id', '=', doc.account_id).executeTakeFirst() : undefined
    // Auto-submit: a ready document goes at once; the cron sweep catches whatever this misses.
    if (!error && check?.ready && account?.auto_submit) {
      await ports.jobs.enqueue('document.submit', { documentId: doc.id, auto: true }, { within: trx })
    }
  })
  return error ? 'error' : 'done'
}

/** Chorus wants a name with its extension; keep it short and plain (attachment names are limited to 50 characters in OCA's experience). */
export function chorusFileName(filename: string): string {
  const base = filename.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '')
  const stem = base.replace(/\.pdf$/i, '').slice(0, 46) || 'facture'
  return `${stem}.pdf`
}

