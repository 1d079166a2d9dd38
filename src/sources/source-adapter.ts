import type { FilingRule } from '../domain/filing-rule'
import type { ScanStats, SourceRow } from '../db/sources'
import type { IncomingDocument, ReceiveOutcome } from '../workflows/intake/receive-document'

/** What a scan gives an adapter: the source, its rules, and one way to hand documents in. */
export interface ScanContext {
  readonly source: SourceRow
  readonly rules: readonly FilingRule[]
  readonly signal: AbortSignal
  readonly stats: ScanStats
  /** Hands one document version to intake (rules, dedupe, storage, analysis job) and counts the outcome. */
  receive(doc: Omit<IncomingDocument, 'sourceId'>): Promise<ReceiveOutcome>
  /** Persists the adapter's progress (Odoo's write_date cursor) once what precedes it is committed. */
  saveCursor(cursor: unknown): Promise<void>
  /** Non-fatal problems, joined into the source's last error. */
  note(problem: string): void
}

export interface ScanResult {
  /** More work is waiting (a scan takes a bounded batch): the caller enqueues another scan at once. */
  readonly more?: boolean
}

/**
 * One interface for every intake source: each reports documents with their bytes, a stable source
 * reference, a version (checksum) and the host's metadata, through `ctx.receive`. Push sources have
 * no adapter: the host calls us.
 */
export interface SourceAdapter {
  scan(ctx: ScanContext): Promise<ScanResult>
}

export type AdapterFactory = (source: SourceRow) => SourceAdapter | undefined
