import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analysePdfLocally } from '../../src/pdf/analyse-pdf-locally'
import { PdfAnalysisError } from '../../src/pdf/pdf-analysis-error'
import { PdfWorkerPool } from '../../src/pdf/pdf-worker-pool'
import { attachXml, ciiXml } from './corpus/facturx'
import { makeSpec } from './corpus/invoice-spec'
import { plainEntry, plainVariants, type CorpusEntry } from './corpus/build-corpus'
import { rawPdfBytes } from './corpus/raw-pdf-writer'

const fixtures = join(import.meta.dirname, '../fixtures/pdf')
const TIME_LIMIT_MS = 8_000

/** Every hostile document goes through the real pool: a clear error, within the limit, and the pool still works after. */
let pool: PdfWorkerPool
let good: Uint8Array
/** What is printed on `good` (and on the owner-encrypted fixture, made from the same invoice). */
let goodFields: CorpusEntry['expectedText']

beforeAll(async () => {
  pool = new PdfWorkerPool({ size: 2, timeoutMs: TIME_LIMIT_MS, maxMemoryMb: 256 })
  const entry = await plainEntry(plainVariants(1)[0]!)
  good = entry.bytes
  goodFields = entry.expectedText
  await pool.warmUp()
}, 30_000)
afterAll(() => pool.close())

async function expectError(bytes: Uint8Array, code: string, opts = {}) {
  const t0 = performance.now()
  const err = await pool.analyse(bytes, opts).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(PdfAnalysisError)
  expect((err as PdfAnalysisError).code).toBe(code)
  expect((err as PdfAnalysisError).messages.fr.length).toBeGreaterThan(10)
  expect((err as PdfAnalysisError).messages.en.length).toBeGreaterThan(10)
  expect(performance.now() - t0).toBeLessThan(TIME_LIMIT_MS + 1000)
  // The pool survives: the next good document is read, with its own number.
  const ok = await pool.analyse(good)
  expect(ok.text.fields.invoiceNumber?.value).toBe(goodFields.invoiceNumber)
}

async function bombPdf(xml: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.addPage()
  await attachXml(doc, xml, 'factur-x.xml', 'names_and_af')
  return doc.save()
}

describe('hostile and broken PDFs through the worker pool', () => {
  it('refuses a file that is not a PDF', () => expectError(new TextEncoder().encode('<html>hello</html>'), 'pdf_not_pdf'))

  it('refuses a PDF encrypted with a user password', () =>
    expectError(new Uint8Array(readFileSync(join(fixtures, 'encrypted-user-password.pdf'))), 'pdf_encrypted'))

  it('reads an owner-only encrypted PDF and flags it', async () => {
    const r = await pool.analyse(new Uint8Array(readFileSync(join(fixtures, 'encrypted-owner-only.pdf'))))
    expect(r.encrypted).toBe(true)
    expect(r.warnings).toEqual(['pdf_encrypted_no_password'])
    // The fixture is `good` encrypted by qpdf: the same fields are read through the encryption.
    expect(r.pages).toBe(1)
    expect(r.text.fields.invoiceNumber?.value).toBe('F2026-0431')
    expect(r.text.fields.invoiceNumber?.value).toBe(goodFields.invoiceNumber)
    expect(r.text.fields.supplierSiret?.value).toBe(goodFields.supplierSiret)
    expect(r.text.fields.amountGross?.value).toBe(goodFields.amountGross)
  })

  it('refuses garbage after a PDF header as corrupt', () => {
    const junk = new Uint8Array(4000).map((_, i) => (i * 7919) % 251)
    return expectError(new Uint8Array([...new TextEncoder().encode('%PDF-1.7\n'), ...junk]), 'pdf_corrupt')
  })

  it('refuses a PDF cut to its first 300 bytes (inside its first stream, no catalog, no xref) as corrupt', () => {
    const cut = good.slice(0, 300)
    // What is left: the header and the start of the first content stream, which is not even closed.
    const left = new TextDecoder('latin1').decode(cut)
    expect(left.startsWith('%PDF-')).toBe(true)
    expect(left).not.toContain('endstream')
    expect(left).not.toContain('/Catalog')
    expect(left).not.toContain('startxref')
    return expectError(cut, 'pdf_corrupt')
  })

  it('refuses a PDF with zero pages', () => expectError(rawPdfBytes({ pages: 0, family: 'Helvetica', ops: [] }), 'pdf_no_pages'))

  it('refuses a 1,000-page PDF above the page limit', async () => {
    const doc = await PDFDocument.create()
    for (let i = 0; i < 1000; i++) doc.addPage([200, 200])
    await expectError(await doc.save(), 'pdf_too_many_pages')
  })

  it('refuses an entity-expansion bomb in the embedded XML', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&lol9;</rsm:CrossIndustryInvoice>`
    await expectError(await bombPdf(bomb), 'pdf_xml_unsafe')
  })

  it('refuses an external entity (XXE) in the embedded XML', async () => {
    const xxe = ciiXml(makeSpec(5), 'EN16931').replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>').replace('<ram:ID>', '<ram:ID>&x;')
    await expectError(await bombPdf(xxe), 'pdf_xml_unsafe')
  })

  it('refuses a 64 MB flate bomb attachment: it spends the whole decode budget of the document', async () => {
    const { deflateSync } = await import('node:zlib')
    const doc = await PDFDocument.create()
    doc.addPage()
    const ctx = doc.context
    const huge = deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 })
    const stream = ctx.stream(huge, { Type: 'EmbeddedFile', Filter: 'FlateDecode' })
    const { PDFName, PDFString } = await import('pdf-lib')
    const spec = ctx.register(ctx.obj({ Type: 'Filespec', F: PDFString.of('factur-x.xml'), EF: { F: ctx.register(stream) } }))
    doc.catalog.set(PDFName.of('AF'), ctx.obj([spec]))
    // (An attachment over the XML size limit but under the budget is skipped: test/pdf/decode-budget.test.ts.)
    await expectError(await doc.save(), 'pdf_too_heavy')
  })

  it('terminates and replaces a worker that exceeds the time limit', async () => {
    const doc = await PDFDocument.create()
    const font = await doc.embedFont('Helvetica')
    for (let p = 0; p < 150; p++) {
      const page = doc.addPage()
      for (let i = 0; i < 60; i++) page.drawText(`Ligne ${i} de la page ${p} : 1 234,56 €`, { x: 40, y: 800 - i * 13, size: 9, font })
    }
    const slow = await doc.save()
    const fast = new PdfWorkerPool({ size: 1, timeoutMs: 50 })
    try {
      await fast.warmUp()
      const err = await fast.analyse(slow, { maxTextPages: 150 }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(PdfAnalysisError)
      expect((err as PdfAnalysisError).code).toBe('pdf_timeout')
      expect(fast.stats().replaced).toBe(1)
      const again = await (async () => {
        const p = new PdfWorkerPool({ size: 1, timeoutMs: 10_000 })
        try {
          return await p.analyse(good)
        } finally {
          await p.close()
        }
      })()
      expect(again.pages).toBe(1)
    } finally {
      await fast.close()
    }
  })

  it('runs in-process too, with the same errors', async () => {
    await expect(analysePdfLocally(new TextEncoder().encode('nope'))).rejects.toMatchObject({ code: 'pdf_not_pdf' })
  })
})
