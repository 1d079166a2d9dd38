import type { Candidate, FilingRule } from '../domain/filing-rule'
import type { ScanStats, SourceRow } from '../db/sources'
import type { DocumentRow } from '../db/schema'
import type { IntakeError } from './check-intake-file'

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
  /** Records where a taken file now lives, relative to the source's root (a folder's processed/ copy). */
  located?(documentId: string, path: string): Promise<void>
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

/** What a source reports: one version of one host document. */
export interface IncomingDocument {
  readonly sourceId: string
  /** Stable per host document across versions: a relative path, an Odoo id, the host's reference. */
  readonly sourceRef: string
  /** The version as the source knows it (Odoo's checksum); the bytes' sha256 when absent. */
  readonly checksum?: string | undefined
  readonly filename: string
  readonly hostMetadata: Record<string, unknown>
  /** How filing rules see it (path, host folder, tags); the metadata is hostMetadata. */
  readonly candidate?: Omit<Candidate, 'filename' | 'metadata'> | undefined
  /** An account named by the caller (host push); beats the rule's. */
  readonly accountId?: string | null | undefined
  /**
   * Reads the bytes, called only once the document is known to be taken and new. For a file over the
   * limit a source may return only its first kilobytes with the real size (nothing is stored then).
   */
  read(): Promise<{ bytes: Uint8Array; size: number; sha256?: string }>
  /** A refusal the source found itself (a symbolic link); recorded without reading. */
  readonly refused?: IntakeError | undefined
}

export type ReceiveOutcome =
  | { readonly kind: 'received'; readonly document: DocumentRow; readonly superseded: readonly string[] }
  | { readonly kind: 'refused'; readonly document: DocumentRow; readonly superseded: readonly string[] }
  | { readonly kind: 'duplicate'; readonly document: DocumentRow }
  | { readonly kind: 'skipped'; readonly reason: 'no_rule_matched' }
