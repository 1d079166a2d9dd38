import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib'
import { analysePdfLocally } from '../../src/pdf/analyse-pdf-locally'
import { PdfAnalysisError } from '../../src/pdf/pdf-analysis-error'
import { invoicePdf } from '../support/invoice-pdf'

/** A one-page PDF whose content stream inflates to `mb` megabytes of spaces (a decompression bomb). */
async function bomb(mb: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595, 842])
  page.drawText('Facture', { x: 50, y: 800, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) })
  const payload = deflateSync(Buffer.alloc(mb * 1024 * 1024, 0x20), { level: 9 })
  const stream = doc.context.flateStream(new Uint8Array(0))
  const raw = doc.context.stream(payload, { Filter: 'FlateDecode', Length: payload.length })
  void stream
  page.node.set(PDFName.of('Contents'), doc.context.register(raw))
  return doc.save()
}

describe('decompression budget of the pages read', () => {
  it('refuses a page whose content inflates past 64 MB, without inflating it all', async () => {
    const bytes = await bomb(200)
    expect(bytes.length).toBeLessThan(1024 * 1024)
    const before = process.memoryUsage().rss
    const err = await analysePdfLocally(bytes).then(() => null, (e) => e)
    expect(err).toBeInstanceOf(PdfAnalysisError)
    expect((err as PdfAnalysisError).code).toBe('pdf_too_heavy')
    expect((err as PdfAnalysisError).messages.fr).toMatch(/décompressé/)
    // At most the budget was inflated (plus the test's own buffers), never the 200 MB.
    expect(process.memoryUsage().rss - before).toBeLessThan(180 * 1024 * 1024)
  })

  it('reads an ordinary invoice and a heavy but legitimate page under the budget', async () => {
    const { bytes, spec } = await invoicePdf({ seed: 77 })
    const ok = await analysePdfLocally(bytes)
    expect(ok.text.fields.invoiceNumber?.value).toBe(spec.number)
    const heavy = await analysePdfLocally(await bomb(20))
    expect(heavy.pages).toBe(1)
  })
})
