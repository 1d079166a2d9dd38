import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Hono } from 'hono'
import type { Config } from './config'
import type { AppEnv } from './http/app-env'
import type { Schedule } from './cron/scheduler'
import type { JobHandlerMap } from './jobs/job-handler'
import type { Ports } from './workflows/ports'
import type { DocumentDeps } from './workflows/documents/document-deps'
import { ensureDefaultSources, listSources, type SourceRow } from './db/sources'
import { findMapping } from './db/recipient-mappings'
import { PdfWorkerPool } from './pdf/pdf-worker-pool'
import { folderSource } from './sources/folder/folder-source'
import { folderWatchers, type FolderWatchers } from './sources/folder/folder-watchers'
import { odooSource } from './sources/odoo/odoo-source'
import type { AdapterFactory } from './sources/source-adapter'
import { odooWriteBack } from './sources/odoo/odoo-write-back'
import { folderWriteBack } from './sources/folder/folder-write-back'
import type { WriteBackTargets } from './sources/write-back-target'
import { folderConfinementOf } from './workflows/intake/check-source-config'
// Workflows, one import line per feature folder.
import { checkAllAccounts } from './workflows/accounts/check-all-accounts'
import { lookupStructure } from './workflows/directory/directory-lookup'
import { analyseQueuedDocument } from './workflows/documents/analyse-document'
import { recheckDocument } from './workflows/documents/recheck-document'
import { followFlow, submitQueuedDocument } from './workflows/documents/submit-document'
import { queueAutoSubmissions } from './workflows/documents/queue-auto-submissions'
import { queueInterruptedSubmissions } from './workflows/documents/queue-interrupted-submissions'
import { queueWaitingRechecks } from './workflows/documents/queue-waiting-rechecks'
import { enqueueDueScans, requestScan, scanSource } from './workflows/intake/scan-source'
import { purgeHistory } from './workflows/maintenance/purge-history'
import { expireOldExports, runQueuedExport } from './workflows/tracking/export-invoices'
import { runStatusSync, type SyncOptions } from './workflows/tracking/sync-statuses'
import { deliverWebhook } from './workflows/webhooks/deliver-webhook'
import { runWriteBack } from './workflows/write-back/run-write-back'
import { runImmediate } from './workflows/notifications/immediate'
import { runNotificationsTick } from './workflows/notifications/run-digest'
import { runSendMail } from './workflows/notifications/send-mail'
import { createSmtpMailer, type Mailer } from './mail/smtp-mailer'
// Routes, one file per resource.
import { accountsRoutes } from './http/api/accounts-routes'
import { apiKeysRoutes } from './http/api/api-keys-routes'
import { auditRoutes } from './http/api/audit-routes'
import { directoryRoutes } from './http/api/directory-routes'
import { documentActionsRoutes } from './http/api/document-actions-routes'
import { documentsRoutes } from './http/api/documents-routes'
import { exportsRoutes } from './http/api/exports-routes'
import { filingRulesRoutes } from './http/api/filing-rules-routes'
import { invoicesRoutes } from './http/api/invoices-routes'
import { recipientsRoutes } from './http/api/recipients-routes'
import { sourcesRoutes } from './http/api/sources-routes'
import { uiSessionsRoutes } from './http/api/ui-sessions-routes'
import { webhooksRoutes } from './http/api/webhooks-routes'
import { writeBacksRoutes } from './http/api/write-backs-routes'
import { notificationsRoutes } from './http/api/notifications-routes'
import { uiRoutes } from './http/ui/ui-routes'

/**
 * The whole service on one page: which routes are mounted, which workflow runs each job kind, which
 * schedules enqueue what, and what runs beside them. service.ts starts what this returns; a feature's
 * code lives in its folders (ARCHITECTURE.md lists them) and is only put together here.
 */
export interface Wiring {
  /** Under /api/v1, in this order. The tab pages mount them again behind their session cookie. */
  readonly apiRoutes: ReadonlyArray<OpenAPIHono<AppEnv>>
  readonly pageRoutes: ReadonlyArray<Hono<any>>
  readonly handlers: JobHandlerMap
  readonly schedules: ReadonlyArray<Schedule>
  /** Once the server listens and the Chorus client is bound: folder watchers, the intake tick, start-up reconciliation. */
  start(): Promise<void>
  /** First thing on shutdown, before the worker stops. */
  stop(): Promise<void>
}

export interface WiringOptions {
  /** The in-process intake tick (per-source poll intervals shorter than cron's minute, watcher sync). */
  readonly intakeTickMs?: number
  readonly pdfWorkers?: number
  readonly sync?: SyncOptions
  /** Where people reach the service (links in tickets and e-mails): PUBLIC_URL, else the address it listens on. */
  readonly publicUrl?: () => string
  /** The SMTP adapter (tests may give another). */
  readonly mailer?: Mailer
}

/** Which adapter scans a configured source. Push sources have none: the host calls us. */
export function sourceAdapters(ports: Ports): AdapterFactory {
  return (source: SourceRow) => {
    const logger = ports.logger.child({ sourceId: source.id })
    if (source.kind === 'folder') return folderSource(source.config, logger, folderConfinementOf(ports))
    if (source.kind === 'odoo') return odooSource(source.config, ports.secrets, logger)
    return undefined
  }
}

/** Who is told where an invoice stands: Odoo (tags, chatter), folders (a JSON file beside the PDF). */
export function writeBackTargets(ports: Ports): WriteBackTargets {
  return (source: SourceRow) => {
    if (source.kind === 'odoo') return odooWriteBack(source.config, ports.secrets, source.id)
    if (source.kind === 'folder') return folderWriteBack(source.config, folderConfinementOf(ports))
    return undefined
  }
}

export function wire(ports: Ports, config: Config, opts: WiringOptions = {}): Wiring {
  let pool: PdfWorkerPool | undefined
  const documents: DocumentDeps = {
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
  const adapters = sourceAdapters(ports)
  const hosts = writeBackTargets(ports)
  const mailer = opts.mailer ?? createSmtpMailer()
  const publicUrl = opts.publicUrl ?? (() => config.publicUrl ?? `http://localhost:${config.port}`)

  const apiRoutes = [
    accountsRoutes(ports),
    directoryRoutes(ports),
    auditRoutes(ports.db),
    documentsRoutes(ports),
    sourcesRoutes(ports),
    filingRulesRoutes(ports),
    documentActionsRoutes(ports, documents),
    invoicesRoutes(ports),
    exportsRoutes(ports),
    webhooksRoutes(ports),
    writeBacksRoutes(ports),
    notificationsRoutes(ports, mailer, publicUrl),
    recipientsRoutes(ports),
    uiSessionsRoutes(ports.db, { publicUrl: opts.publicUrl ?? (() => config.publicUrl ?? `http://localhost:${config.port}`) }),
  ]
  // The tab pages act through the same API routes (app.ts mounts the API keys routes itself, so the
  // settings page is given them here).
  const pageRoutes = [uiRoutes({ db: ports.db, apiGroups: [apiKeysRoutes(ports.db), ...apiRoutes], bodyLimitBytes: config.bodyLimitBytes, frameAncestors: config.uiFrameAncestors })]

  const handlers: JobHandlerMap = {
    'source.scan': (p, run) => scanSource(ports, p.sourceId, adapters, run.signal),
    'sources.poll': () => enqueueDueScans(ports),
    'document.analyse': (p, run) => analyseQueuedDocument(ports, documents, p.documentId, run),
    'document.recheck': (p) => recheckDocument(ports, documents, p.documentId),
    'document.submit': (p) => submitQueuedDocument(ports, p),
    'document.follow-flow': (p) => followFlow(ports, p.documentId),
    'documents.auto-submit': () => queueAutoSubmissions(ports),
    'documents.reconcile': () => queueInterruptedSubmissions(ports),
    'documents.recheck-all': () => queueWaitingRechecks(ports),
    'invoices.sync': (p, run) => runStatusSync(ports, p, run, opts.sync),
    'export.run': (p, run) => runQueuedExport(ports, p.exportId, run),
    'exports.expire': () => expireOldExports(ports),
    'webhook.deliver': (p, run) => deliverWebhook(ports, p.deliveryId, run),
    'accounts.check': () => checkAllAccounts(ports),
    'maintenance.purge': () => purgeHistory(ports),
    'document.write-back': (p, run) => runWriteBack(ports, hosts, p.writeBackId, run),
    'mail.send': (p, run) => runSendMail(ports, mailer, p.outboxId, run),
    'notifications.immediate': (p) => runImmediate(ports, p.subject, publicUrl()),
    'notifications.tick': () => runNotificationsTick(ports, publicUrl()),
  }

  // Cron only enqueues; times are Europe/Paris.
  const schedules: Schedule[] = [
    { name: 'sources.poll', cron: '* * * * *', kind: 'sources.poll' },
    // Every 10 minutes, as the Open Bee connector does.
    { name: 'documents.auto-submit', cron: config.autoSubmitCron, kind: 'documents.auto-submit' },
    { name: 'documents.reconcile', cron: '*/5 * * * *', kind: 'documents.reconcile' },
    { name: 'documents.recheck-all', cron: '30 6 * * *', kind: 'documents.recheck-all' },
    { name: 'invoices.sync', cron: '*/30 * * * *', kind: 'invoices.sync' },
    { name: 'exports.expire', cron: '7 * * * *', kind: 'exports.expire' },
    { name: 'accounts.check', cron: '0 7 * * *', kind: 'accounts.check' },
    { name: 'maintenance.purge', cron: '15 3 * * *', kind: 'maintenance.purge' },
    // Hourly: the daily digest goes at the hour set in the mail settings (Europe/Paris).
    { name: 'notifications.tick', cron: '0 * * * *', kind: 'notifications.tick' },
  ]

  let watchers: FolderWatchers | undefined
  let tick: NodeJS.Timeout | undefined
  const log = ports.logger.child({ component: 'intake' })
  const onTick = async () => {
    try {
      await enqueueDueScans(ports)
      watchers?.sync(await listSources(ports.db))
    } catch (e) {
      log.warn({ err: String(e) }, 'intake tick failed')
    }
  }

  return {
    apiRoutes,
    pageRoutes,
    handlers,
    schedules,
    async start() {
      // Submissions interrupted by a crash are reconciled before anything else is sent.
      await ports.jobs.enqueue('documents.reconcile', {})
      await ensureDefaultSources(ports.db, ports.inboxDir)
      watchers = folderWatchers((id) => { requestScan(ports, id).catch((e) => log.warn({ sourceId: id, err: String(e) }, 'could not enqueue a scan')) }, log)
      watchers.sync(await listSources(ports.db))
      // Catch up with whatever arrived while we were down.
      await enqueueDueScans(ports, true)
      tick = setInterval(onTick, opts.intakeTickMs ?? 5000)
      tick.unref()
    },
    async stop() {
      clearInterval(tick)
      watchers?.close()
      await pool?.close()
    },
  }
}
