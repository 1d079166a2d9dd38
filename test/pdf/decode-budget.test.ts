import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateRawSync, deflateSync } from 'node:zlib'
import { PDFDocument, PDFName, PDFRawStream, decodePDFRawStream, StandardFonts } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analysePdfLocally } from '../../src/pdf/analyse-pdf-locally'
import { PdfAnalysisError } from '../../src/pdf/pdf-analysis-error'
import { PdfWorkerPool } from '../../src/pdf/pdf-worker-pool'
import { scanPdfStreams } from '../../src/pdf/scan-pdf-streams'
import { DecodeBudget, decodeFilterChain } from '../../src/pdf/stream-filters'
import { attachmentStream, contentChainBomb, doubleFlate, embeddedDoubleFlateBomb, GIB_MB, embeddedPredictorBomb, embeddedPredictorRowBomb, objectStreamBomb, spacesZlib } from './corpus/bombs'
import { ciiXml } from './corpus/facturx'
import { makeSpec } from './corpus/invoice-spec'
import { plainEntry, plainVariants, xmlEntries } from './corpus/build-corpus'

const fixtures = join(import.meta.dirname, '../fixtures/pdf')
const TIME_LIMIT_MS = 8_000

let pool: PdfWorkerPool
let good: Uint8Array
let goodNumber: string

beforeAll(async () => {
  pool = new PdfWorkerPool({ size: 2, timeoutMs: TIME_LIMIT_MS, maxMemoryMb: 256 })
  const entry = await plainEntry(plainVariants(1)[0]!)
  good = entry.bytes
  goodNumber = entry.expectedText.invoiceNumber!
  await pool.warmUp()
}, 30_000)
afterAll(() => pool.close())

/** Through the real pool: refused as pdf_too_heavy (never a "successful" analysis), in time, and the pool reads a good document after. */
async function expectTooHeavy(bytes: Uint8Array) {
  const t0 = performance.now()
  const replacedBefore = pool.stats().replaced
  const outcome = await pool.analyse(bytes).then(
    (r) => ({ ok: r }),
    (e: unknown) => ({ err: e }),
  )
  expect('ok' in outcome ? 'analysis succeeded' : 'refused').toBe('refused')
  const err = (outcome as { err: unknown }).err
  expect(err).toBeInstanceOf(PdfAnalysisError)
  expect((err as PdfAnalysisError).code).toBe('pdf_too_heavy')
  expect((err as PdfAnalysisError).messages.fr).toMatch(/décompressé.*64 Mo/)
  expect((err as PdfAnalysisError).messages.en).toMatch(/decompressed.*64 MB/)
  expect(performance.now() - t0).toBeLessThan(TIME_LIMIT_MS)
  expect(pool.stats().replaced).toBe(replacedBefore) // refused by the worker, not killed by a limit
  const ok = await pool.analyse(good)
  expect(ok.text.fields.invoiceNumber?.value).toBe(goodNumber)
  return err as PdfAnalysisError
}

describe('one decode budget per document, every decode path (issue 13 item 2)', () => {
  it('refuses a 3.5 KB Factur-X attachment stacking two Flate filters (1 GiB)', async () => {
    const bytes = await embeddedDoubleFlateBomb()
    expect(bytes.length).toBeLessThan(4096)
    const err = await expectTooHeavy(bytes)
    expect(err.details).toMatchObject({ stream: 'embedded_file' })
  })

  it('refuses a Factur-X attachment with a /DecodeParms predictor decoding to 1 GiB', async () => {
    const err = await expectTooHeavy(await embeddedPredictorBomb())
    expect(err.details).toMatchObject({ stream: 'embedded_file' })
  })

  it('refuses a predictor whose rows are absurdly wide (pdf.js would allocate 4 GiB for one row)', async () => {
    const err = await expectTooHeavy(await embeddedPredictorRowBomb())
    expect(err.details).toMatchObject({ reason: 'predictor_rows' })
  })

  it('refuses an object stream bomb (double Flate, 1 GiB) that holds the page resources', async () => {
    const err = await expectTooHeavy(await objectStreamBomb())
    expect(err.details).toMatchObject({ stream: 'object_stream' })
  })

  it('refuses a content stream bomb in a filter chain (ASCIIHex, Flate, Flate)', async () => {
    const err = await expectTooHeavy(await contentChainBomb())
    expect(err.details).toMatchObject({ stream: 'content' })
  })

  it.each(['rc4', 'aes128', 'aes256'])('sees through encryption (empty user password, %s) to the content bomb', async (cipher) => {
    const err = await expectTooHeavy(new Uint8Array(readFileSync(join(fixtures, `bomb-content-chain-${cipher}.pdf`))))
    expect(err.details).toMatchObject({ stream: 'content' })
  })

  it('decodes at most the budget: the worker-side memory of a 1 GiB bomb stays near 64 MB', async () => {
    const bytes = await embeddedDoubleFlateBomb()
    const before = process.memoryUsage()
    const err = await analysePdfLocally(bytes).then(() => null, (e: unknown) => e)
    expect((err as PdfAnalysisError).code).toBe('pdf_too_heavy')
    const after = process.memoryUsage()
    expect(after.rss - before.rss).toBeLessThan(200 * 1024 * 1024)
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(100 * 1024 * 1024)
  })

  it('shares the budget between streams: two 40 MB pages are too heavy together, one is not', async () => {
    const pages = async (n: number) => {
      const doc = await PDFDocument.create()
      for (let i = 0; i < n; i++) {
        const page = doc.addPage()
        page.node.set(PDFName.of('Contents'), doc.context.register(doc.context.stream(spacesZlib(40), { Filter: 'FlateDecode' })))
      }
      return doc.save()
    }
    expect((await scanPdfStreams(await pages(1))).decodedBytes).toBeGreaterThan(40 * 1024 * 1024)
    await expect(scanPdfStreams(await pages(2))).rejects.toMatchObject({ code: 'pdf_too_heavy' })
  })

  it('never decodes images (text reading does not): a page with a 1 GiB Flate image is read', async () => {
    const doc = await PDFDocument.create()
    const page = doc.addPage()
    page.drawText('Facture 471102 du 05/03/2013, total 529,87 EUR', { x: 50, y: 700, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) })
    const img = doc.context.register(doc.context.stream(spacesZlib(1024), { Type: 'XObject', Subtype: 'Image', Width: 32768, Height: 32768, ColorSpace: 'DeviceGray', BitsPerComponent: 8, Filter: 'FlateDecode' }))
    page.node.setXObject(PDFName.of('Im1'), img)
    const r = await pool.analyse(await doc.save())
    expect(r.pages).toBe(1)
    expect(r.textLength).toBeGreaterThan(20)
  })

  it('refuses an image codec in the middle of a chain (pdf.js would decode the image into the next filter)', async () => {
    const doc = await PDFDocument.create()
    const page = doc.addPage()
    page.node.set(PDFName.of('Contents'), doc.context.register(doc.context.stream(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), { Filter: ['DCTDecode', 'FlateDecode'] } as never)))
    await expect(scanPdfStreams(await doc.save())).rejects.toMatchObject({ code: 'pdf_too_heavy', details: { reason: 'unboundable_filter:DCTDecode' } })
  })

  it('counts a stream zlib finds corrupt at the maximum deflate ratio for what it could not read', async () => {
    // Deflate against a preset dictionary, given without it: zlib stops at once ("invalid distance
    // too far back"), pdf.js's inflater does not check distances and would go on.
    const dictionary = Buffer.from('BT /F1 12 Tf 50 700 Td (Facture) Tj ET\n'.repeat(4))
    const corrupt = (size: number) => {
      const body = deflateRawSync(Buffer.concat([dictionary, Buffer.alloc(size, 0x20)]), { dictionary, level: 9 })
      return new Uint8Array(Buffer.concat([Buffer.from([0x78, 0x9c]), body, Buffer.alloc(4)]))
    }
    const small = await decodeFilterChain(corrupt(10_000), [{ name: 'FlateDecode', parms: null }], new DecodeBudget(), 'test')
    expect(small.bytes.length).toBeLessThan(1000)
    const stuffed = new Uint8Array(Buffer.concat([Buffer.from(corrupt(10)), Buffer.alloc(100_000, 0x55)]))
    await expect(decodeFilterChain(stuffed, [{ name: 'FlateDecode', parms: null }], new DecodeBudget(), 'test')).rejects.toMatchObject({ code: 'pdf_too_heavy' })
    await expect(decodeFilterChain(corrupt(10_000), [{ name: 'FlateDecode', parms: null }, { name: 'FlateDecode', parms: null }], new DecodeBudget(), 'test')).rejects.toMatchObject({
      code: 'pdf_too_heavy',
      details: { reason: 'corrupt_filter_chain' },
    })
  })

  it('counts a font file even when its dictionary calls it an image (only image XObjects are skipped)', async () => {
    const doc = await PDFDocument.create()
    const page = doc.addPage()
    const ctx = doc.context
    const fontFile = ctx.register(ctx.stream(doubleFlate(GIB_MB), { Subtype: 'Image', Filter: ['FlateDecode', 'FlateDecode'] } as never))
    const descriptor = ctx.register(ctx.obj({ Type: 'FontDescriptor', FontName: 'Bomb', FontFile2: fontFile }))
    page.node.setFontDictionary(PDFName.of('F9'), ctx.register(ctx.obj({ Type: 'Font', Subtype: 'TrueType', BaseFont: 'Bomb', FontDescriptor: descriptor })))
    await expect(scanPdfStreams(await doc.save())).rejects.toMatchObject({ code: 'pdf_too_heavy', details: { stream: 'resource' } })
  })

  it('reads the pages pdf.js reads: a bomb on an unread page costs nothing, unless a lying /Count could make pdf.js read it', async () => {
    const doc = await PDFDocument.create()
    for (let i = 0; i < 40; i++) doc.addPage([200, 200])
    const bombPage = doc.getPage(19)
    bombPage.node.set(PDFName.of('Contents'), doc.context.register(doc.context.stream(doubleFlate(GIB_MB), { Filter: ['FlateDecode', 'FlateDecode'] } as never)))
    const honest = await scanPdfStreams(await doc.save(), { maxTextPages: 20 })
    expect(honest.pages).toBe(40)
    doc.catalog.Pages().set(PDFName.of('Count'), doc.context.obj(20))
    await expect(scanPdfStreams(await doc.save(), { maxTextPages: 20 })).rejects.toMatchObject({ code: 'pdf_too_heavy', details: { stream: 'content' } })
  })

  it('counts an XFA form stream (pdf.js looks into it when it opens the document)', async () => {
    const doc = await PDFDocument.create()
    doc.addPage()
    const xfa = doc.context.register(doc.context.stream(doubleFlate(GIB_MB), { Filter: ['FlateDecode', 'FlateDecode'] } as never))
    doc.catalog.set(PDFName.of('AcroForm'), doc.context.obj({ Fields: [], XFA: xfa }))
    await expect(scanPdfStreams(await doc.save())).rejects.toMatchObject({ code: 'pdf_too_heavy', details: { stream: 'xfa' } })
  })

  it('on 600 randomly damaged files the scan only ever succeeds or refuses with a PdfAnalysisError', async () => {
    const seeds = [good, new Uint8Array(readFileSync(join(fixtures, 'encrypted-owner-only.pdf'))), new Uint8Array(readFileSync(join(fixtures, 'bomb-content-chain-aes128.pdf'))), await objectStreamBomb(), await embeddedDoubleFlateBomb()]
    let s = 12345
    const rnd = (n: number) => (s = (s * 1103515245 + 12345) >>> 0) % n
    for (let i = 0; i < 600; i++) {
      const b = seeds[i % seeds.length]!.slice()
      for (let j = 1 + rnd(8); j > 0; j--) {
        const at = rnd(b.length)
        const op = rnd(3)
        if (op === 0) b[at] = rnd(256)
        else if (op === 1) b[at] = [0x30, 0x39, 0x2f, 0x3c, 0x3e, 0x20, 0x0a][rnd(7)]!
        else b.fill(0x20, at, Math.min(b.length, at + rnd(50)))
      }
      // A 4 MB budget: a damaged bomb stops early, the test stays fast.
      const outcome = await scanPdfStreams(b, { budget: new DecodeBudget(4 * 1024 * 1024) }).then(() => null, (e: unknown) => e)
      if (outcome !== null) expect(outcome, `mutation ${i}`).toBeInstanceOf(PdfAnalysisError)
    }
  })

  it('a 20 MB attachment (over the XML size limit, under the budget) is skipped, the document read', async () => {
    const bytes = await attachmentStream(spacesZlib(20), { Filter: 'FlateDecode' })
    const r = await pool.analyse(bytes)
    expect(r.xml).toBeNull()
    expect(r.warnings).toContain('attachment_skipped:factur-x.xml:too_large')
  })
})

describe('bounded filters decode like pdf-lib (whose decoders are pdf.js\'s)', () => {
  const ours = async (data: Uint8Array, name: string) => (await decodeFilterChain(data, [{ name, parms: null }], new DecodeBudget(), 'test')).bytes
  const sample = new TextEncoder().encode('BT /F1 12 Tf 50 700 Td (Facture 471102 du 05.03.2013) Tj ET\n'.repeat(50))

  it.each(['ASCIIHexDecode', 'ASCII85Decode', 'RunLengthDecode', 'LZWDecode'])('%s agrees with pdf-lib on random and encoded input', async (filter) => {
    const ctx = (await PDFDocument.create()).context
    const ref = (data: Uint8Array) => decodePDFRawStream(PDFRawStream.of(ctx.obj({ Filter: filter }), data)).decode()
    let seed = 42
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff
    const inputs: Uint8Array[] = [encode(filter, sample)]
    for (let i = 0; i < 20; i++) inputs.push(Uint8Array.from({ length: 50 + i * 97 }, rand))
    for (const input of inputs) expect(Buffer.from(await ours(input, filter)).equals(Buffer.from(ref(input)))).toBe(true)
    expect(Buffer.from(await ours(inputs[0]!, filter)).toString()).toBe(Buffer.from(sample).toString())
  })

  it('undoes PNG predictors (all five row types) and the TIFF predictor', async () => {
    const columns = 16
    const rows = Array.from({ length: 12 }, (_, r) => Uint8Array.from({ length: columns }, (_, i) => (r * 31 + i * 7) & 0xff))
    const png: number[] = []
    rows.forEach((row, r) => {
      const type = r % 5
      const prev = r ? rows[r - 1]! : new Uint8Array(columns)
      png.push(type)
      for (let i = 0; i < columns; i++) {
        const left = i ? row[i - 1]! : 0
        const up = prev[i]!
        const upLeft = i ? prev[i - 1]! : 0
        const p = left + up - upLeft
        const paeth = Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft) ? left : Math.abs(p - up) <= Math.abs(p - upLeft) ? up : upLeft
        const pred = [0, left, up, (left + up) >> 1, paeth][type]!
        png.push((row[i]! - pred) & 0xff)
      }
    })
    const flat = Buffer.concat(rows)
    const out = await decodeFilterChain(new Uint8Array(deflateSync(Buffer.from(png))), [{ name: 'FlateDecode', parms: { Predictor: 12, Columns: columns } }], new DecodeBudget(), 'test')
    expect(Buffer.from(out.bytes).equals(flat)).toBe(true)
    const tiff = Buffer.concat(rows.map((row) => Buffer.from(row.map((b, i) => (b - (i ? row[i - 1]! : 0)) & 0xff))))
    const out2 = await decodeFilterChain(new Uint8Array(deflateSync(tiff)), [{ name: 'FlateDecode', parms: { Predictor: 2, Columns: columns } }], new DecodeBudget(), 'test')
    expect(Buffer.from(out2.bytes).equals(flat)).toBe(true)
  })

  it('reads a Factur-X attachment written with ASCIIHex + Flate + PNG predictor exactly', async () => {
    const spec = makeSpec(7)
    const xml = Buffer.from(ciiXml(spec, 'EN16931'))
    const columns = 64
    const rows: Buffer[] = []
    for (let i = 0; i < xml.length; i += columns) {
      const row = Buffer.alloc(columns, 0x20)
      xml.copy(row, 0, i, Math.min(xml.length, i + columns))
      rows.push(Buffer.concat([Buffer.from([0]), row]))
    }
    // Padding spaces after the root element are harmless to an XML parser.
    const hex = Buffer.from(deflateSync(Buffer.concat(rows)).toString('hex') + '>')
    const bytes = await attachmentStream(new Uint8Array(hex), { Filter: ['ASCIIHexDecode', 'FlateDecode'], DecodeParms: [null, { Predictor: 10, Columns: columns }] })
    const r = await pool.analyse(bytes)
    expect(r.xml?.fields.invoiceNumber?.value).toBe(spec.number)
    expect(r.xml?.fields.amountGross?.value).toBe(spec.gross)
  })

  it('reads a Factur-X attachment registered only in /AF through owner-password encryption', async () => {
    const entry = (await xmlEntries()).find((e) => e.id === 'facturx-extended-af-only')!
    const r = await pool.analyse(new Uint8Array(readFileSync(join(fixtures, 'facturx-af-only-encrypted-aes128.pdf'))))
    expect(r.encrypted).toBe(true)
    expect(r.xml?.via).toBe('af')
    for (const [k, v] of Object.entries(entry.expectedXml!)) expect(r.xml?.fields[k as keyof typeof r.xml.fields]?.value, k).toBe(v)
  })

  it('reads the owner-encrypted fixture\'s streams decrypted (same decoded size as its plain original)', async () => {
    const encrypted = await scanPdfStreams(new Uint8Array(readFileSync(join(fixtures, 'encrypted-owner-only.pdf'))))
    expect(encrypted.encrypted).toBe(true)
    expect(encrypted.pages).toBe(1)
    const plain = await scanPdfStreams(good)
    // Same page content and font decoded (object streams differ between pdf-lib's and qpdf's writing).
    expect(encrypted.decodedBytes).toBeGreaterThan(plain.decodedBytes * 0.5)
  })
})

/** Encoders for the filters without one in Node (test data only). */
function encode(filter: string, data: Uint8Array): Uint8Array {
  switch (filter) {
    case 'ASCIIHexDecode':
      return new TextEncoder().encode(Buffer.from(data).toString('hex') + '>')
    case 'ASCII85Decode': {
      let s = ''
      for (let i = 0; i < data.length; i += 4) {
        const chunk = [0, 1, 2, 3].map((k) => data[i + k] ?? 0)
        let t = ((chunk[0]! << 24) | (chunk[1]! << 16) | (chunk[2]! << 8) | chunk[3]!) >>> 0
        const digits: string[] = []
        for (let k = 0; k < 5; k++) {
          digits.unshift(String.fromCharCode(33 + (t % 85)))
          t = Math.floor(t / 85)
        }
        s += digits.slice(0, Math.min(4, data.length - i) + 1).join('')
      }
      return new TextEncoder().encode(s + '~>')
    }
    case 'RunLengthDecode': {
      const out: number[] = []
      for (let i = 0; i < data.length; i += 128) {
        const chunk = data.subarray(i, i + 128)
        out.push(chunk.length - 1, ...chunk)
      }
      out.push(128)
      return Uint8Array.from(out)
    }
    case 'LZWDecode': {
      // Plain LZW with 9..12-bit codes, early change 1, a clear code first and at a full table.
      const bits: number[] = []
      let width = 9
      const put = (code: number) => {
        for (let b = width - 1; b >= 0; b--) bits.push((code >> b) & 1)
      }
      let dict = new Map<string, number>()
      let next = 258
      put(256)
      let w = ''
      for (const byte of data) {
        const c = String.fromCharCode(byte)
        if (dict.has(w + c) || (w + c).length === 1) {
          w += c
          continue
        }
        put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!)
        dict.set(w + c, next++)
        if (next + 1 > 1 << width && width < 12) width++
        if (next >= 4094) {
          put(256)
          dict = new Map()
          next = 258
          width = 9
        }
        w = c
      }
      if (w) put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!)
      put(257)
      while (bits.length % 8) bits.push(0)
      return Uint8Array.from({ length: bits.length / 8 }, (_, i) => bits.slice(i * 8, i * 8 + 8).reduce((a, b) => (a << 1) | b, 0))
    }
  }
  throw new Error(filter)
}
