import type { Feature } from './feature'
import type { Ports } from './workflows/ports'
import type { DocumentDeps } from './workflows/documents/document-deps'
import { PdfWorkerPool } from './pdf/pdf-worker-pool'
import { lookupStructure } from './workflows/directory/directory-lookup'
import { findMapping } from './db/recipient-mappings'
import { documentHandlers } from './jobs/document-handlers'
import { documentActionsRoutes } from './http/api/document-actions-routes'
import { enqueue } from './db/jobs'

/**
 * Analysis, completeness and submission of documents: the PDF worker pool, the document jobs, the
 * Complete/Validate/selection routes, and the schedules (auto-submit every 10 minutes as the Open Bee
 * connector does, reconciliation of interrupted submissions, a daily re-check against the directory).
 */
export function documentsFeature(ports: Ports, opts: { pdfWorkers?: number; autoSubmitCron?: string } = {}): Feature {
  let pool: PdfWorkerPool | undefined
  const deps: DocumentDeps = {
    pdf: {
      analyse: (bytes, o) => {
        pool ??= new PdfWorkerPool({ size: opts.pdfWorkers })
        return pool.analyse(bytes, o)
      },
    },
    lookupRecipient: (account, siret) => lookupStructure(ports, account, siret),
    findMapping: async (accountId, label) => {
      const m = await findMapping(ports.db, accountId, label)
      return m ? { recipientSiret: m.mapping.recipientSiret, serviceCode: m.mapping.serviceCode, engagementNumber: m.mapping.engagementNumber } : undefined
    },
  }
  return {
    name: 'documents',
    apiRoutes: [documentActionsRoutes(ports, deps)],
    handlers: documentHandlers(ports, deps),
    schedules: [
      { name: 'documents.auto-submit', cron: opts.autoSubmitCron ?? '*/10 * * * *', kind: 'documents.auto-submit' },
      { name: 'documents.reconcile', cron: '*/5 * * * *', kind: 'documents.reconcile' },
      { name: 'documents.recheck-all', cron: '30 6 * * *', kind: 'documents.recheck-all' },
    ],
    async start() {
      // Submissions interrupted by a crash are reconciled before anything else is sent.
      await enqueue(ports.db, { kind: 'documents.reconcile', key: 'documents.reconcile' })
      ports.jobsEnqueued()
    },
    async stop() {
      await pool?.close()
    },
  }
}
