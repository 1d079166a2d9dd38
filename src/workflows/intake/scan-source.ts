import { sql } from 'kysely'
import type { Ports } from '../ports'
import { emptyStats, getSource, listSources, recordScan, saveCursor, type ScanStats, type SourceRow } from '../../db/sources'
import { rulesOfSource } from '../../db/filing-rules'
import { liveJobKeys } from '../../db/jobs'
import { receiveDocument } from './receive-document'
import { noteSourceHealth } from '../notifications/immediate'
import type { AdapterFactory } from '../../sources/source-adapter'


export interface ScanOutcome {
  readonly stats: ScanStats
  readonly error: string | null
  readonly more: boolean
}

/**
 * One scan of one source: its adapter hands documents to intake one by one (each in its own short
 * transaction, so a crash loses at most the file in hand, which stays at the source). Counts and the
 * last error are recorded on the source; a failing source does not fail the job (cron comes back).
 */
export async function scanSource(ports: Ports, sourceId: string, adapterFor: AdapterFactory, signal: AbortSignal = new AbortController().signal): Promise<ScanOutcome | undefined> {
  const source = await getSource(ports.db, sourceId)
  if (!source || !source.enabled) return undefined
  const adapter = adapterFor(source)
  if (!adapter) return undefined
  const t0 = performance.now()
  const stats = emptyStats()
  const rules = await rulesOfSource(ports.db, source.id)
  const problems: string[] = []
  let error: string | null = null
  let more = false
  const log = ports.logger.child({ sourceId: source.id, source: source.name })
  try {
    const r = await adapter.scan({
      source,
      rules,
      signal,
      stats,
      note: (p) => { if (problems.length < 20) problems.push(p) },
      saveCursor: (cursor) => saveCursor(ports.db, source.id, cursor),
      located: async (documentId, path) => {
        await ports.db.updateTable('documents').set({ host_metadata: sql`host_metadata || ${JSON.stringify({ processedPath: path })}::jsonb` }).where('id', '=', documentId).execute()
      },
      receive: async (doc) => {
        stats.seen++
        const outcome = await receiveDocument(ports, { ...doc, sourceId: source.id }, rules)
        if (outcome.kind === 'received') stats.received++
        else if (outcome.kind === 'refused') stats.refused++
        else if (outcome.kind === 'duplicate') stats.duplicates++
        else stats.skipped++
        return outcome
      },
    })
    more = r.more ?? false
  } catch (e) {
    error = e instanceof Error ? e.message : String(e)
    log.warn({ err: error }, 'source scan failed')
  }
  stats.durationMs = Math.round(performance.now() - t0)
  const lastError = [error, ...problems].filter(Boolean).join(' | ').slice(0, 2000) || null
  await recordScan(ports.db, source.id, ports.now(), stats, lastError)
  // A source that stops working (the scan itself failed, not a note) is an immediate e-mail to the admins.
  await noteSourceHealth(ports, source, error).catch((e) => log.warn({ err: String(e) }, 'could not record the source’s health'))
  if (more) {
    await ports.jobs.enqueue('source.scan', { sourceId: source.id }, { maxAttempts: 10 })
  }
  log.info({ stats, error: lastError }, 'source scanned')
  return { stats, error: lastError, more }
}

/** Enqueues a scan of a source (on demand, by the watcher, at start); a waiting scan is not doubled. */
export async function requestScan(ports: Ports, sourceId: string): Promise<{ jobId: string; created: boolean }> {
  const r = await ports.jobs.enqueue('source.scan', { sourceId })
  return { jobId: r.id, created: r.created }
}

export function pollSecondsOf(source: SourceRow): number {
  const v = Number((source.config as Record<string, unknown>).pollSeconds ?? 60)
  return Number.isFinite(v) && v >= 1 ? v : 60
}

/**
 * Enqueues a scan for every enabled scanned source whose poll interval has elapsed. At start
 * (`catchUp`) every source is scanned at once under a key of its own: after a crash the previous
 * scan job still holds the regular key until its lease expires, and files dropped while we were
 * down should not wait for that. Two scans of one source at once are harmless: intake is idempotent
 * on (source, reference, checksum) and a file already moved by the other scan is left alone.
 */
export async function enqueueDueScans(ports: Ports, catchUp = false): Promise<number> {
  const now = ports.now().getTime()
  let n = 0
  for (const s of await listSources(ports.db)) {
    if (!s.enabled || s.kind === 'push') continue
    // Half a second of slack so a 60 s interval polled by a minutely cron does not slip to every other minute.
    const due = catchUp || !s.last_scan_at || now - s.last_scan_at.getTime() >= pollSecondsOf(s) * 1000 - 500
    if (!due) continue
    const r = await ports.jobs.enqueue('source.scan', { sourceId: s.id }, catchUp ? { key: `source.scan:${s.id}:catch-up` } : {})
    if (r.created) n++
  }
  return n
}

/** The sources that have a scan waiting or running, for the sources list ("scan pending"). */
export async function sourcesWithPendingScan(ports: Pick<Ports, 'db'>): Promise<Set<string>> {
  const keys = await liveJobKeys(ports.db, 'source.scan')
  // The kind's key is `source.scan:<id>`; a catch-up scan's (`…:catch-up`) is not the regular one.
  return new Set([...keys].flatMap((k) => /^source\.scan:(\d+)$/.exec(k)?.slice(1, 2) ?? []))
}
