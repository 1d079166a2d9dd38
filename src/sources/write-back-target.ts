import type { SourceRow } from '../db/sources'
import type { Localized } from '../domain/localized'
import type { StatusGroup } from '../domain/invoice-status'

/** One status line of an invoice's Chorus Pro history, oldest first. */
export interface WriteBackHistoryLine {
  readonly status: string
  readonly label: Localized
  readonly at: string
  readonly comment: string | null
}

/** What the host is told: one change (a submission, a status change) and where the invoice stands. */
export interface WriteBackFacts {
  /** The change this write-back is about. */
  readonly event: 'submitted' | 'status_changed'
  readonly status: string
  readonly label: Localized
  /** Null for a status code the connector does not know: shown raw, no tag changes. */
  readonly group: StatusGroup | null
  readonly statusAt: Date
  /** Chorus Pro's comment on the status: for a refusal (rejected, to recycle, suspended), its reason. */
  readonly comment: string | null
  readonly chorusInvoiceId: string
  readonly invoiceNumber: string
  readonly depositedAt: string | null
  /** The whole history known now, oldest first (the folder's JSON file carries it). */
  readonly history: readonly WriteBackHistoryLine[]
}

/** The host document, as intake recorded it. */
export interface WriteBackDocument {
  readonly id: string
  readonly sourceRef: string
  readonly filename: string
  readonly hostMetadata: Record<string, unknown>
}

export interface WriteBackResult {
  /** What was done, for the write-back's row (tag ids, message id, file path). */
  readonly outcome: Record<string, unknown>
}

/**
 * Tells a host where an invoice stands. Each source kind that can be written to has one: Odoo
 * (tags and a chatter message), folders (a JSON file beside the PDF). Throws on failure; the
 * `document.write-back` job retries. `WriteBackGoneError` means retrying cannot help.
 */
export interface WriteBackTarget {
  /** False when the source's settings turn write-back off: no row is even recorded. */
  readonly enabled: boolean
  apply(doc: WriteBackDocument, facts: WriteBackFacts, signal?: AbortSignal): Promise<WriteBackResult>
}

export type WriteBackTargets = (source: SourceRow) => WriteBackTarget | undefined

/** The host document no longer exists (deleted in Odoo, the file gone): the write-back is dropped. */
export class WriteBackGoneError extends Error {
  override readonly name = 'WriteBackGoneError'
}
