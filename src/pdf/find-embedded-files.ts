import { scanPdfStreams } from './scan-pdf-streams'
import { DecodeBudget } from './stream-filters'

/** How an attachment was reached; kept so a test can prove every path is really walked. */
export type EmbeddedFileVia = 'names' | 'kids' | 'af' | 'page_af'

export interface EmbeddedFile {
  /** The attachment's name as a plain file name (no path, no control characters: see safeFileName). */
  readonly filename: string
  readonly bytes: Uint8Array
  readonly via: EmbeddedFileVia
  /** /AFRelationship (Factur-X requires Data or Alternative), when present. */
  readonly relationship: string | null
}

export interface FindEmbeddedFilesOptions {
  /** Decoded size above which an attachment is skipped (it still counts in the document's decode budget). */
  readonly maxFileBytes?: number
  /** Pages whose /AF is looked at (Factur-X puts /AF on the catalog; some writers put it on page 1). */
  readonly maxPagesForAf?: number
  /** The document's decode budget (default: a fresh 64 MB one). */
  readonly budget?: DecodeBudget
}

export interface FoundEmbeddedFiles {
  readonly files: EmbeddedFile[]
  /** Attachments skipped (too big, undecodable), for warnings. */
  readonly skipped: Array<{ filename: string; reason: string }>
}

/**
 * The /Names /EmbeddedFiles name tree (following /Kids) and the associated files (/AF) of the
 * catalog and of the first pages, which pdfjs-dist's getAttachments() ignores: a Factur-X writer may
 * register the XML only there. Read by the raw stream scan (scan-pdf-streams.ts), so attachments are
 * decoded once, bounded by the document's decode budget (PdfAnalysisError `pdf_too_heavy` past it),
 * encrypted documents (empty user password) included.
 */
export async function findEmbeddedFiles(pdfBytes: Uint8Array, opts: FindEmbeddedFilesOptions = {}): Promise<FoundEmbeddedFiles> {
  const scan = await scanPdfStreams(pdfBytes, { budget: opts.budget ?? new DecodeBudget(), maxFileBytes: opts.maxFileBytes, maxPagesForAf: opts.maxPagesForAf })
  return scan.embedded
}
