import { inflateSync } from 'node:zlib'
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib'
import { PdfAnalysisError } from './pdf-analysis-error'

/** Decoded bytes the text reader may meet on the pages it reads: content streams, forms, embedded fonts. */
export const DEFAULT_CONTENT_BUDGET_BYTES = 64 * 1024 * 1024

/**
 * Refuses a PDF whose streams on the pages to be read would inflate past the budget, before pdfjs
 * decodes them. pdfjs has no such limit, and decoded buffers live outside the worker's V8 heap limit:
 * a 1 MB file inflating to 1 GB took the process to several GB (test/reliability/hostile-input). Each
 * stream is inflated with zlib's maxOutputLength set to what is left of the budget, so a bomb costs at
 * most the budget. Streams with other filters count at their stored size.
 */
export async function checkContentBudget(bytes: Uint8Array, pageNumbers: readonly number[], budget = DEFAULT_CONTENT_BUDGET_BYTES): Promise<void> {
  let doc: PDFDocument
  try {
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false })
  } catch {
    return // unreadable for pdf-lib: pdfjs will say what is wrong with it
  }
  const ctx = doc.context
  const seen = new Set<PDFObject>()
  let left = budget
  const lookup = (o: PDFObject | undefined): PDFObject | undefined => (o instanceof PDFRef ? ctx.lookup(o) : o)

  const spend = (o: PDFObject | undefined) => {
    const stream = lookup(o)
    if (!(stream instanceof PDFRawStream) || seen.has(stream)) return
    seen.add(stream)
    const filter = stream.dict.lookup(PDFName.of('Filter'))
    const flate = filter instanceof PDFName ? filter.asString() === '/FlateDecode' : filter instanceof PDFArray && filter.size() === 1 && String(filter.get(0)) === '/FlateDecode'
    let size = stream.contents.length
    if (flate) {
      try {
        size = inflateSync(stream.contents, { maxOutputLength: left + 1 }).length
      } catch (e) {
        if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') size = left + 1
        else return // a broken stream: pdfjs skips it
      }
    }
    left -= size
    if (left < 0) throw new PdfAnalysisError('pdf_too_heavy', { budgetMb: Math.round(budget / 1048576) })
  }

  const walkResources = (res: PDFObject | undefined, depth: number) => {
    const r = lookup(res)
    if (!(r instanceof PDFDict) || depth > 5 || seen.has(r)) return
    seen.add(r)
    const fonts = lookup(r.get(PDFName.of('Font')))
    if (fonts instanceof PDFDict) {
      for (const [, f] of fonts.entries()) {
        const font = lookup(f)
        if (!(font instanceof PDFDict)) continue
        const descendants = lookup(font.get(PDFName.of('DescendantFonts')))
        const candidates = [font, ...(descendants instanceof PDFArray ? descendants.asArray().map(lookup) : [])]
        for (const c of candidates) {
          const desc = c instanceof PDFDict ? lookup(c.get(PDFName.of('FontDescriptor'))) : undefined
          if (desc instanceof PDFDict) for (const k of ['FontFile', 'FontFile2', 'FontFile3']) spend(desc.get(PDFName.of(k)))
        }
      }
    }
    const xobjects = lookup(r.get(PDFName.of('XObject')))
    if (xobjects instanceof PDFDict) {
      for (const [, x] of xobjects.entries()) {
        const form = lookup(x)
        // Images are not decoded by the text reader; forms are content streams of their own.
        if (form instanceof PDFRawStream && String(form.dict.get(PDFName.of('Subtype'))) === '/Form') {
          spend(form)
          walkResources(form.dict.get(PDFName.of('Resources')), depth + 1)
        }
      }
    }
  }

  try {
    const pages = doc.getPages()
    for (const n of pageNumbers) {
      const page = pages[n - 1]
      if (!page) continue
      const contents = lookup(page.node.get(PDFName.of('Contents')))
      if (contents instanceof PDFArray) for (const c of contents.asArray()) spend(c)
      else spend(page.node.get(PDFName.of('Contents')))
      walkResources(page.node.Resources(), 0)
    }
  } catch (e) {
    if (e instanceof PdfAnalysisError) throw e
    // A structure pdf-lib cannot follow (encrypted objects, broken page tree): pdfjs decides what to make of it.
  }
}
