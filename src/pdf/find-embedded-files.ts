import { scanPdfStreams, type FoundEmbeddedFiles } from './scan-pdf-streams'
import { DecodeBudget } from './stream-filters'

export type { EmbeddedFile, EmbeddedFileVia, FoundEmbeddedFiles } from './scan-pdf-streams'

export interface FindEmbeddedFilesOptions {
  /** Decoded size above which an attachment is skipped (it still counts in the document's decode budget). */
  readonly maxFileBytes?: number
  /** Pages whose /AF is looked at (Factur-X puts /AF on the catalog; some writers put it on page 1). */
  readonly maxPagesForAf?: number
  /** The document's decode budget (default: a fresh 64 MB one). */
  readonly budget?: DecodeBudget
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
