import { sql } from 'kysely'
import { SUBMIT_PRIORITY } from './priorities'
import { learnMapping } from '../db/recipient-mappings'
import { enqueue } from '../db/jobs'
import { RetryLaterError, type JobHandlers } from './job-handler'
import { analyseDocument, AnalysisRetry } from '../workflows/documents/analyse-document'
import { recheckDocument } from '../workflows/documents/recheck-document'
import { submitDocument, followFlow, type SubmitOptions } from '../workflows/documents/submit-document'
import { valueOf } from '../workflows/documents/document-form'
import type { DocumentDeps } from '../workflows/documents/document-deps'
import type { Ports } from '../workflows/ports'

/** After a successful submission, remember where this label's invoices go (a `learned` mapping). */
export const learnFromSubmission: NonNullable<SubmitOptions['onSubmitted']> = async (trx, doc, fields) => {
  const label = valueOf(fields, 'recipientLabel')
  const siret = valueOf(fields, 'recipientSiret')
  if (!label || !siret || !doc.account_id) return
  await learnMapping(trx, { accountId: doc.account_id, label, recipientSiret: siret, serviceCode: valueOf(fields, 'serviceCode') ?? null })
}

/** One handler per document job; each calls one workflow. */
export function documentHandlers(ports: Ports, deps: DocumentDeps): JobHandlers {
  return {
    // Chorus Pro unavailable: analyseDocument throws and the job's backoff retries; its last attempt records the error.
    // While the circuit is open calls fail fast without reaching Chorus Pro: such a failure waits for the
    // cool-down without spending an attempt (queue.ts, retryInMs). Spending them let a two-minute outage
    // exhaust the 10 attempts and leave documents in error for a person (test/reliability/chorus-faults.test.ts).
    'document.analyse': async (job) => {
      try {
        await analyseDocument(ports, deps, String(job.payload.documentId), { lastAttempt: job.attempts >= job.max_attempts })
      } catch (e) {
        if (e instanceof AnalysisRetry && ports.chorus.breakerState() !== 'closed') throw new RetryLaterError(e.message, 30_000)
        throw e
      }
    },
    'document.recheck': async (job) => {
      await recheckDocument(ports, deps, String(job.payload.documentId))
    },
    'document.submit': async (job) => {
      const outcome = await submitDocument(ports, String(job.payload.documentId), {
        manual: job.payload.manual === true,
        actor: typeof job.payload.actor === 'string' ? job.payload.actor : 'auto',
        onSubmitted: learnFromSubmission,
      })
      // Unavailable (or outcome unknown): the work stays queued without spending attempts; the next run reconciles first.
      if (outcome.status === 'unavailable') throw new RetryLaterError(outcome.error.message.en, 60_000)
    },
    // A flow still being integrated throws FlowPending: the job comes back with backoff (40 attempts, hours in all).
    'document.follow-flow': async (job) => {
      await followFlow(ports, String(job.payload.documentId), { onSubmitted: learnFromSubmission })
    },
    /** Cron sweep: every ready document of an auto-submit account, oldest first (the client paces the calls). */
    'documents.auto-submit': async () => {
      const rows = await ports.db
        .selectFrom('documents')
        .innerJoin('accounts', 'accounts.id', 'documents.account_id')
        .select('documents.id')
        .where('accounts.auto_submit', '=', true)
        .where('accounts.disabled_at', 'is', null)
        .where('documents.stage', '=', 'to_submit')
        .where('documents.ready', '=', true)
        .where('documents.submit_error', 'is', null)
        .orderBy('documents.received_at')
        .orderBy('documents.id')
        .limit(5000)
        .execute()
      for (const r of rows) await enqueue(ports.db, { kind: 'document.submit', payload: { documentId: r.id }, key: `document.submit:${r.id}`, priority: SUBMIT_PRIORITY })
      if (rows.length) ports.jobsEnqueued()
    },
    /**
     * Documents left `submitting` with no job to finish them (their instance died after its job
     * completed, or jobs were purged): queue their submission job, which reconciles before anything else.
     */
    'documents.reconcile': async () => {
      const rows = await sql<{ id: string }>`
        select d.id from documents d
        where d.stage = 'submitting' and d.updated_at < now() - interval '2 minutes'
          and not exists (select 1 from jobs j where j.key in ('document.submit:' || d.id, 'document.follow-flow:' || d.id) and j.state in ('pending', 'running'))`.execute(ports.db)
      for (const r of rows.rows) {
        const attempt = await ports.db.selectFrom('documents').select('submission_attempt').where('id', '=', r.id).executeTakeFirst()
        const flow = (attempt?.submission_attempt as any)?.flowNumber
        await enqueue(ports.db, flow
          ? { kind: 'document.follow-flow', payload: { documentId: r.id }, key: `document.follow-flow:${r.id}`, maxAttempts: 40 }
          : { kind: 'document.submit', payload: { documentId: r.id }, key: `document.submit:${r.id}`, priority: SUBMIT_PRIORITY })
      }
      if (rows.rows.length) ports.jobsEnqueued()
    },
    /** Daily: the directory changes (services closed, structures deactivated); re-check what waits. */
    'documents.recheck-all': async () => {
      const rows = await ports.db.selectFrom('documents').select('id').where('stage', '=', 'to_submit').execute()
      for (const r of rows) await enqueue(ports.db, { kind: 'document.recheck', payload: { documentId: r.id }, key: `document.recheck:${r.id}` })
      if (rows.length) ports.jobsEnqueued()
    },
  }
}
