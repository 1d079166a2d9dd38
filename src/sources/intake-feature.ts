import type { Feature } from '../feature'
import type { Ports } from '../workflows/ports'
import type { JobHandlers } from '../jobs/job-handler'
import { ensureDefaultSources, listSources, type SourceRow } from '../db/sources'
import { enqueueDueScans, POLL_JOB, requestScan, scanSource, SCAN_JOB } from '../workflows/intake/scan-source'
import { documentsRoutes } from '../http/api/documents-routes'
import { sourcesRoutes } from '../http/api/sources-routes'
import { filingRulesRoutes } from '../http/api/filing-rules-routes'
import { folderSource } from './folder/folder-source'
import { folderWatchers, type FolderWatchers } from './folder/folder-watchers'
import { odooSource } from './odoo/odoo-source'
import type { AdapterFactory } from './source-adapter'

export function intakeAdapters(ports: Ports): AdapterFactory {
  return (source: SourceRow) => {
    const logger = ports.logger.child({ sourceId: source.id })
    if (source.kind === 'folder') return folderSource(source.config, logger)
    if (source.kind === 'odoo') return odooSource(source.config, ports.secrets, logger)
    return undefined
  }
}

export function intakeHandlers(ports: Ports, adapters: AdapterFactory = intakeAdapters(ports)): JobHandlers {
  return {
    [SCAN_JOB]: async (job, ctx) => {
      const sourceId = String((job.payload as { sourceId?: unknown }).sourceId ?? '')
      await scanSource(ports, sourceId, adapters, ctx.signal)
    },
    [POLL_JOB]: async () => {
      await enqueueDueScans(ports)
    },
  }
}

/**
 * Intake: sources (watched folders, Odoo Documents, host push), filing rules, and the documents
 * API. Cron polls every minute; an in-process tick honours shorter per-source intervals and keeps
 * the folder watchers in line with the configured sources.
 */
export function intakeFeature(ports: Ports, opts: { tickMs?: number } = {}): Feature {
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
    name: 'intake',
    apiRoutes: [documentsRoutes(ports), sourcesRoutes(ports), filingRulesRoutes(ports)],
    handlers: intakeHandlers(ports),
    schedules: [{ name: POLL_JOB, cron: '* * * * *', kind: POLL_JOB }],
    async start() {
      await ensureDefaultSources(ports.db, ports.inboxDir)
      watchers = folderWatchers((id) => { requestScan(ports, id).catch((e) => log.warn({ sourceId: id, err: String(e) }, 'could not enqueue a scan')) }, log)
      watchers.sync(await listSources(ports.db))
      // Catch up with whatever arrived while we were down.
      await enqueueDueScans(ports, true)
      tick = setInterval(onTick, opts.tickMs ?? 5000)
      tick.unref()
    },
    stop() {
      clearInterval(tick)
      watchers?.close()
    },
  }
}
