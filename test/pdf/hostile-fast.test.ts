/**
 * The fast subset of the hostile-input suite (test/reliability/hostile-input.test.ts, outside
 * `npm test`): one file of each class, through the real worker pool, so a regression fails CI. Each
 * hostile file gets its clear error (or, for a hostile attachment name, a harmless name) within the
 * time limit, never a successful analysis where an error is due, and the pool reads a good invoice
 * after it. Runs in a few seconds.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PdfErrorCode } from '../../src/pdf/pdf-analysis-error'
import { PdfAnalysisError } from '../../src/pdf/pdf-analysis-error'
import { PdfWorkerPool } from '../../src/pdf/pdf-worker-pool'
import { contentChainBomb, embeddedDoubleFlateBomb, objectStreamBomb } from './corpus/bombs'
import { plainEntry, plainVariants } from './corpus/build-corpus'
import { attachXml, ciiXml } from './corpus/facturx'
import { makeSpec } from './corpus/invoice-spec'

const fixtures = join(import.meta.dirname, '../fixtures/pdf')
const TIME_LIMIT_MS = 8_000
const LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&lol9;</rsm:CrossIndustryInvoice>`

let pool: PdfWorkerPool
let good: Uint8Array
let goodNumber: string

beforeAll(async () => {
  pool = new PdfWorkerPool({ size: 1, timeoutMs: TIME_LIMIT_MS, maxMemoryMb: 256 })
  const entry = await plainEntry(plainVariants(1)[0]!)
  good = entry.bytes
  goodNumber = entry.expectedText.invoiceNumber!
  await pool.warmUp()
}, 30_000)
afterAll(() => pool.close())

async function withAttachment(xml: string, name = 'factur-x.xml'): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.addPage()
  await attachXml(doc, xml, name, 'af')
  return doc.save()
}

async function refused(bytes: Uint8Array | Promise<Uint8Array>, code: PdfErrorCode): Promise<void> {
  const t0 = performance.now()
  const outcome = await pool.analyse(await bytes).then(
    () => 'analysis succeeded',
    (e: unknown) => e,
  )
  expect(outcome).toBeInstanceOf(PdfAnalysisError)
  const err = outcome as PdfAnalysisError
  expect(err.code).toBe(code)
  expect(err.messages.fr.length).toBeGreaterThan(20)
  expect(err.messages.en.length).toBeGreaterThan(20)
  expect(performance.now() - t0).toBeLessThan(TIME_LIMIT_MS)
  expect((await pool.analyse(good)).text.fields.invoiceNumber?.value).toBe(goodNumber)
}

describe('hostile input, one of each class, through the worker pool', () => {
  it('content-stream bomb (filter chain, 1 GiB)', () => refused(contentChainBomb(), 'pdf_too_heavy'))
  it('embedded-file bomb (Factur-X attachment, double Flate, 1 GiB in 3.5 KB)', () => refused(embeddedDoubleFlateBomb(), 'pdf_too_heavy'))
  it('object-stream bomb (1 GiB)', () => refused(objectStreamBomb(), 'pdf_too_heavy'))
  it('bomb behind owner-password encryption (AES-256)', () => refused(new Uint8Array(readFileSync(join(fixtures, 'bomb-content-chain-aes256.pdf'))), 'pdf_too_heavy'))
  it('XML entity-expansion bomb in the embedded XML', () => refused(withAttachment(LAUGHS), 'pdf_xml_unsafe'))
  it('XML external entity (XXE) in the embedded XML', () =>
    refused(withAttachment(ciiXml(makeSpec(5), 'EN16931').replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>').replace('<ram:ID>', '<ram:ID>&x;')), 'pdf_xml_unsafe'))
  it('malformed PDF (garbage after the header)', () => refused(new Uint8Array([...new TextEncoder().encode('%PDF-1.7\n'), ...new Uint8Array(3000).map((_, i) => (i * 7919) % 251)]), 'pdf_corrupt'))
  it('truncated PDF', () => refused(good.slice(0, 300), 'pdf_corrupt'))
  it('encrypted PDF (user password)', () => refused(new Uint8Array(readFileSync(join(fixtures, 'encrypted-user-password.pdf'))), 'pdf_encrypted'))

  it('attachment named with path traversal and control characters: a plain name comes out, the invoice is read', async () => {
    const spec = makeSpec(9)
    const hostile = '../../..\\windows\\..//etc/\u0000\u202Efactur-x.xml\r\n'
    const r = await pool.analyse(await withAttachment(ciiXml(spec, 'EN16931'), hostile))
    expect(r.attachments.map((a) => a.filename)).toEqual(['factur-x.xml'])
    expect(r.xml?.filename).toBe('factur-x.xml')
    expect(r.xml?.fields.invoiceNumber?.value).toBe(spec.number)
    for (const s of [...r.attachments.map((a) => a.filename), ...r.warnings]) expect(s).not.toMatch(/[\u0000-\u001f\u007f\u202a-\u202e/\\]|\.\./)
  })
})
