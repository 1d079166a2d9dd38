import type { InvoiceFields } from '../domain/invoice-fields'
import { extractTextFields } from './extract-text-fields'
import type { EmbeddedFile, EmbeddedFileVia } from './find-embedded-files'
import type { InvoiceProfile } from './facturx-profile'
import type { Localized } from '../domain/localized'
import { MAX_XML_BYTES, parseInvoiceXml } from './parse-invoice-xml'
import { PdfAnalysisError } from './pdf-analysis-error'
import { scanPdfStreams, type PdfStreamScan } from './scan-pdf-streams'
import { DecodeBudget } from './stream-filters'
import { readPageLines, type TextLine } from './read-page-lines'
import { describeStructuredRouteProblem, type PartyIdentifiers, type VatBreakdownLine, type XmlInvoice, type XmlSyntax } from './xml-invoice'

export interface AnalysePdfOptions {
  /** Documents with more pages are refused (an invoice is rarely longer; a scan batch is not one invoice). */
  readonly maxPages?: number
  /** Text is read from at most this many pages: the first and last halves, where headers and totals are. */
  readonly maxTextPages?: number
  /** The supplier account's own SIRETs, when known: they are never the recipient. */
  readonly supplierSirets?: readonly string[]
  /** Decoded bytes the document may cost, every decode path together (default 64 MB). */
  readonly decodeBudgetBytes?: number
}

export const DEFAULT_MAX_PAGES = 500
export const DEFAULT_MAX_TEXT_PAGES = 20

export interface XmlAnalysis {
  /** False when an XML attachment exists but is not a CII or UBL invoice (then fields are empty). */
  readonly found: boolean
  readonly filename: string
  readonly via: EmbeddedFileVia
  readonly syntax: XmlSyntax | null
  readonly profile: InvoiceProfile | null
  readonly guidelineId: string | null
  /** EN16931 or richer CII with every field Chorus Pro needs: may go through deposer/flux. */
  readonly validForStructuredRoute: boolean
  /** Stable codes (`zugferd1_not_accepted`, `missing:amountDue`, ...). */
  readonly structuredRouteProblems: readonly string[]
  /** The same problems in French and English, for the person (one per code, same order). */
  readonly structuredRouteMessages: readonly Localized[]
  readonly fields: InvoiceFields
  readonly vatBreakdown: readonly VatBreakdownLine[]
  readonly seller: PartyIdentifiers | null
  readonly buyer: PartyIdentifiers | null
  readonly typeCode: string | null
}

export interface LocalPdfAnalysis {
  readonly pages: number
  /** Characters of text found; near zero means a scan, for which only Chorus OCR can help. */
  readonly textLength: number
  /** Encrypted without a user password (opens, but Chorus Pro may refuse it). */
  readonly encrypted: boolean
  readonly xml: XmlAnalysis | null
  readonly text: { readonly fields: InvoiceFields }
  readonly attachments: ReadonlyArray<{ readonly filename: string; readonly via: EmbeddedFileVia; readonly size: number }>
  /** Stable codes (e.g. `amounts_inconsistent`), for logs and the person's attention. */
  readonly warnings: readonly string[]
}

type PdfjsModule = typeof import('pdfjs-dist/legacy/build/pdf.mjs')
let pdfjsPromise: Promise<PdfjsModule> | undefined
/** pdfjs-dist is heavy to import (~0.5 s); loaded once per thread, on first use. */
export function loadPdfjs(): Promise<PdfjsModule> {
  pdfjsPromise ??= import('pdfjs-dist/legacy/build/pdf.mjs')
  return pdfjsPromise
}

/**
 * Reads a PDF the way the submission form needs it: the embedded Factur-X/UBL XML when there is
 * one, and the printed text, each into fields with origin and confidence. Throws PdfAnalysisError
 * for documents that cannot be read. CPU-bound: call it through the worker pool in the service.
 *
 * Text comes from pdfjs-dist, the engine inside pdf-parse 2 (same version), used directly because
 * we need item positions to rebuild the reading order and one load to serve text, page count and
 * encryption state.
 */
export async function analysePdfLocally(bytes: Uint8Array, opts: AnalysePdfOptions = {}): Promise<LocalPdfAnalysis> {
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES
  const maxTextPages = Math.max(1, opts.maxTextPages ?? DEFAULT_MAX_TEXT_PAGES)
  if (!looksLikePdf(bytes)) throw new PdfAnalysisError('pdf_not_pdf')
  const warnings: string[] = []
  // Before pdf.js or pdf-lib sees the bytes: every stream they would decode, decoded once under one
  // budget (pdf_too_heavy past it); attachments come out of it decoded.
  const scan = await scanPdfStreams(bytes, {
    budget: new DecodeBudget(opts.decodeBudgetBytes),
    maxTextPages,
    maxFileBytes: MAX_XML_BYTES * 2,
  })
  const pdfjs = await loadPdfjs()
  // pdfjs may transfer (detach) the buffer it is given; the caller keeps theirs.
  const task = pdfjs.getDocument({
    data: bytes.slice(),
    isEvalSupported: false,
    enableXfa: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  })
  let doc: Awaited<typeof task.promise>
  try {
    doc = await task.promise
  } catch (e) {
    await task.destroy().catch(() => {})
    const name = (e as { name?: string }).name
    if (name === 'PasswordException') throw new PdfAnalysisError('pdf_encrypted')
    throw new PdfAnalysisError('pdf_corrupt', { reason: (e as Error).message })
  }
  try {
    const pages = doc.numPages
    if (!pages) throw new PdfAnalysisError('pdf_no_pages')
    if (pages > maxPages) throw new PdfAnalysisError('pdf_too_many_pages', { pages, maxPages })
    const encrypted = (await doc.getPermissions().catch(() => null)) !== null
    if (encrypted) warnings.push('pdf_encrypted_no_password')

    const toRead = pagesToRead(pages, maxTextPages)
    const lines: TextLine[] = []
    let readable = 0
    for (const n of toRead) {
      try {
        const page = await doc.getPage(n)
        lines.push(...(await readPageLines(page, n)))
        page.cleanup()
        readable++
      } catch {
        warnings.push(`page_unreadable:${n}`)
      }
    }
    if (!readable) throw new PdfAnalysisError('pdf_corrupt', { reason: 'no readable page' })
    if (pages > maxTextPages) warnings.push(`text_partial:${maxTextPages}/${pages}`)
    const textLength = lines.reduce((n, l) => n + l.text.length, 0)
    if (textLength < 20) warnings.push('no_text_layer')

    const attachments = embeddedFiles(scan, warnings)
    const xml = readXml(attachments, warnings)
    const text = extractTextFields(lines, { supplierSirets: opts.supplierSirets ?? [] })
    warnings.push(...text.warnings)
    return {
      pages,
      textLength,
      encrypted,
      xml,
      text: { fields: text.fields },
      attachments: attachments.map((a) => ({ filename: a.filename, via: a.via, size: a.bytes.length })),
      warnings,
    }
  } finally {
    await doc.destroy().catch(() => {})
  }
}

export function looksLikePdf(bytes: Uint8Array): boolean {
  // The header may follow some junk (allowed in the first 1024 bytes by every reader).
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).toString('latin1')
  return head.includes('%PDF-')
}

function pagesToRead(pages: number, max: number): number[] {
  if (pages <= max) return Array.from({ length: pages }, (_, i) => i + 1)
  const head = Math.ceil(max / 2)
  const tail = max - head
  return [...Array.from({ length: head }, (_, i) => i + 1), ...Array.from({ length: tail }, (_, i) => pages - tail + 1 + i)]
}

function embeddedFiles(scan: PdfStreamScan, warnings: string[]): EmbeddedFile[] {
  for (const s of scan.embedded.skipped) warnings.push(`attachment_skipped:${s.filename}:${s.reason}`)
  return scan.embedded.files
}

const PREFERRED_XML = ['factur-x.xml', 'zugferd-invoice.xml', 'xrechnung.xml', 'order-x.xml']

/**
 * Picks the invoice XML: the Factur-X name first, then ZUGFeRD's (`ZUGFeRD-invoice.xml`, 1.0 and 2.0,
 * compared without case), then any other .xml that parses as an invoice.
 */
function readXml(files: readonly EmbeddedFile[], warnings: string[]): XmlAnalysis | null {
  const xmlFiles = files
    .filter((f) => /\.xml$/i.test(f.filename) || startsLikeXml(f.bytes))
    .sort((a, b) => rank(a.filename) - rank(b.filename))
  if (!xmlFiles.length) return null
  for (const f of xmlFiles) {
    const inv = parseInvoiceXml(f.bytes)
    if (inv) {
      warnings.push(...inv.warnings)
      return fromInvoice(inv, f)
    }
  }
  const first = xmlFiles[0]!
  warnings.push(`xml_not_invoice:${first.filename}`)
  return {
    found: false,
    filename: first.filename,
    via: first.via,
    syntax: null,
    profile: null,
    guidelineId: null,
    validForStructuredRoute: false,
    structuredRouteProblems: ['not_an_invoice_xml'],
    structuredRouteMessages: [describeStructuredRouteProblem('not_an_invoice_xml')],
    fields: {},
    vatBreakdown: [],
    seller: null,
    buyer: null,
    typeCode: null,
  }
}

function rank(filename: string): number {
  const i = PREFERRED_XML.indexOf(filename.toLowerCase())
  return i < 0 ? PREFERRED_XML.length : i
}

function startsLikeXml(b: Uint8Array): boolean {
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 64)).toString('utf8').replace(/^\uFEFF/, '').trimStart()
  return head.startsWith('<?xml') || head.startsWith('<')
}

function fromInvoice(inv: XmlInvoice, f: EmbeddedFile): XmlAnalysis {
  return {
    found: true,
    filename: f.filename,
    via: f.via,
    syntax: inv.syntax,
    profile: inv.profile,
    guidelineId: inv.guidelineId,
    validForStructuredRoute: inv.validForStructuredRoute,
    structuredRouteProblems: inv.structuredRouteProblems,
    structuredRouteMessages: inv.structuredRouteProblems.map(describeStructuredRouteProblem),
    fields: inv.fields,
    vatBreakdown: inv.vatBreakdown,
    seller: inv.seller,
    buyer: inv.buyer,
    typeCode: inv.typeCode,
  }
}
