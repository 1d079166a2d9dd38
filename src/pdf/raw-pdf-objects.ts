import { PDFArray, PDFContext, PDFDict, PDFName, PDFNumber, PDFObjectParser, PDFRef, type PDFObject } from 'pdf-lib'

/**
 * The objects of a PDF as its bytes define them, found without decoding anything: every
 * `N G obj` in the file (several definitions of one number are all kept: pdf.js follows the xref
 * table, pdf-lib the last definition, and we must see whatever either may read), each stream's
 * dictionary and its raw data, and the trailers. Objects inside object streams are added once the
 * caller has decoded those streams (bounded) with `addObjectStream`.
 *
 * Objects are parsed by pdf-lib's PDFObjectParser, one at a time. A dictionary followed by `stream`
 * is parsed with its protected parseDict, and the data's extent found here (from /Length, or the next
 * `endstream`), as pdf.js does: pdf-lib's own stream fallback scans byte by byte in JavaScript.
 */
export interface RawObject {
  readonly num: number
  readonly gen: number
  readonly value: PDFObject
  /** For a stream: its raw (still encoded, maybe encrypted) data. */
  readonly data: Uint8Array | null
  /** The object stream it was read from, if any (its objects are not encrypted on their own). */
  readonly host: RawObject | null
}

interface ParserInternals {
  parseDict(): PDFDict
  parseObject(): PDFObject
  skipWhitespaceAndComments(): void
  readonly bytes: { offset(): number; peek(): number; peekAhead(n: number): number; done(): boolean }
}

/** More definitions than this is not a document but an attack on the scanner. */
const MAX_OBJECTS = 500_000

export class RawPdf {
  private readonly defs = new Map<string, RawObject[]>()
  readonly objects: RawObject[] = []
  readonly trailers: PDFDict[] = []
  private readonly context = PDFContext.create()
  /** The same bytes as a Buffer, for native searches (indexOf runs at memory speed, a regex does not). */
  private readonly buf: Buffer
  /** Streams whose /Length is indirect: extent settled once every object is known. */
  private readonly pendingLengths: Array<{ index: number; dict: PDFDict; start: number }> = []

  constructor(private readonly bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
    for (let i = this.buf.indexOf('obj'); i >= 0 && this.objects.length < MAX_OBJECTS; i = this.buf.indexOf('obj', i + 3)) {
      const header = this.objectHeaderBefore(i)
      if (header) this.parseTopLevel(header.num, header.gen, i + 3)
    }
    for (const p of this.pendingLengths) {
      const o = this.objects[p.index]!
      const length = this.resolveAll(p.dict.get(PDFName.of('Length'))).find((v) => v instanceof PDFNumber)
      const data = this.streamData(p.start, length instanceof PDFNumber ? length.asNumber() : null)
      this.objects[p.index] = { ...o, data }
      const list = this.defs.get(key(o.num, o.gen))!
      list[list.indexOf(o)] = this.objects[p.index]!
    }
    for (let i = this.buf.indexOf('trailer'); i >= 0; i = this.buf.indexOf('trailer', i + 7)) {
      try {
        const parser = this.parserAt(this.bytes, i + 7)
        parser.skipWhitespaceAndComments()
        this.trailers.push(parser.parseDict())
      } catch {
        // a broken trailer: the xref stream dictionaries may still name the catalog
      }
    }
  }

  /** Every definition of the object a reference names (one value for a direct object). */
  resolveAll(o: PDFObject | undefined): PDFObject[] {
    if (o === undefined) return []
    if (!(o instanceof PDFRef)) return [o]
    return (this.defs.get(key(o.objectNumber, o.generationNumber)) ?? []).map((d) => d.value)
  }

  /** Every definition (with stream data) of what a reference names. */
  definitionsOf(o: PDFObject | undefined): RawObject[] {
    if (!(o instanceof PDFRef)) return []
    return this.defs.get(key(o.objectNumber, o.generationNumber)) ?? []
  }

  /** The first definition of a value (direct, or the first object a reference names). */
  resolve(o: PDFObject | undefined): PDFObject | undefined {
    return this.resolveAll(o)[0]
  }

  /** Adds the objects of a decoded object stream (its /N pairs of number and offset after /First). */
  addObjectStream(host: RawObject, decoded: Uint8Array): void {
    const dict = host.value as PDFDict
    const n = this.resolve(dict.get(PDFName.of('N')))
    const first = this.resolve(dict.get(PDFName.of('First')))
    if (!(n instanceof PDFNumber) || !(first instanceof PDFNumber)) return
    const header = Buffer.from(decoded.buffer, decoded.byteOffset, Math.min(decoded.length, first.asNumber())).toString('latin1')
    const nums = header.trim().split(/[\0\t\n\f\r ]+/).map(Number)
    const count = Math.min(n.asNumber(), nums.length >> 1, MAX_OBJECTS - this.objects.length)
    for (let i = 0; i < count; i++) {
      const num = nums[2 * i]!
      const offset = first.asNumber() + nums[2 * i + 1]!
      if (!Number.isInteger(num) || !Number.isInteger(offset) || offset < 0 || offset >= decoded.length) continue
      try {
        const value = this.parserAt(decoded, offset).parseObject()
        this.add({ num, gen: 0, value, data: null, host })
      } catch {
        // one broken object does not hide the others
      }
    }
  }

  private parseTopLevel(num: number, gen: number, at: number): void {
    try {
      const parser = this.parserAt(this.bytes, at)
      parser.skipWhitespaceAndComments()
      if (parser.bytes.peek() === 0x3c && parser.bytes.peekAhead(1) === 0x3c) {
        const dict = parser.parseDict()
        const start = this.streamStart(at + parser.bytes.offset())
        if (start === null) return this.add({ num, gen, value: dict, data: null, host: null })
        const length = dict.get(PDFName.of('Length'))
        if (length instanceof PDFRef) {
          this.pendingLengths.push({ index: this.objects.length, dict, start })
          return this.add({ num, gen, value: dict, data: new Uint8Array(0), host: null })
        }
        const data = this.streamData(start, length instanceof PDFNumber ? length.asNumber() : null)
        return this.add({ num, gen, value: dict, data, host: null })
      }
      this.add({ num, gen, value: parser.parseObject(), data: null, host: null })
    } catch {
      // not an object after all (a match inside binary data) or a broken one: pdf.js will judge
    }
  }

  private add(o: RawObject): void {
    this.objects.push(o)
    const k = key(o.num, o.gen)
    const list = this.defs.get(k)
    if (list) list.push(o)
    else this.defs.set(k, [o])
  }

  /**
   * `N G` before the `obj` at `i` (PDF whitespace between, a delimiter or whitespace after), or null
   * when this `obj` is not an object header.
   */
  private objectHeaderBefore(i: number): { num: number; gen: number } | null {
    const b = this.buf
    if (i + 3 < b.length && isRegular(b[i + 3]!)) return null
    let p = i - 1
    const skipWhite = () => {
      const from = p
      while (p >= 0 && isWhite(b[p]!)) p--
      return p < from
    }
    const digits = (max: number) => {
      const end = p
      while (p >= 0 && isDigit(b[p]!) && end - p < max) p--
      return end > p ? Number(b.toString('latin1', p + 1, end + 1)) : null
    }
    if (!skipWhite()) return null
    const gen = digits(5)
    if (gen === null || !skipWhite()) return null
    // Whatever precedes the number is accepted ("endobj12 0 obj" too): an extra definition found is
    // harmless (more is checked), a missed one is not.
    const num = digits(10)
    return num === null ? null : { num, gen }
  }

  /** Where a stream's data begins, when the dictionary ending at `pos` is followed by `stream`. */
  private streamStart(pos: number): number | null {
    const b = this.buf
    let p = pos
    while (p < b.length && isWhite(b[p]!)) p++
    if (b.toString('latin1', p, p + 6) !== 'stream') return null
    p += 6
    if (b[p] === 0x0d) p++
    if (b[p] === 0x0a) p++
    return p
  }

  /** The data from `start`: /Length bytes when `endstream` follows them, else up to the next `endstream`. */
  private streamData(start: number, length: number | null): Uint8Array {
    const b = this.buf
    if (length !== null && Number.isInteger(length) && length >= 0 && start + length <= b.length) {
      let p = start + length
      while (p < b.length && isWhite(b[p]!)) p++
      if (b.toString('latin1', p, p + 9) === 'endstream') return this.bytes.subarray(start, start + length)
    }
    let end = b.indexOf('endstream', start)
    if (end < 0) end = b.length
    if (b[end - 1] === 0x0a) end--
    if (b[end - 1] === 0x0d) end--
    return this.bytes.subarray(start, Math.max(start, end))
  }

  private parserAt(bytes: Uint8Array, at: number): ParserInternals {
    // pdf-lib's parser, reached through its protected methods (see the class comment).
    return PDFObjectParser.forBytes(bytes.subarray(at), this.context) as unknown as ParserInternals
  }
}

/**
 * Definitions are filed by object number alone: pdf.js, repairing a file, also takes an object whose
 * generation does not match the reference (its "generation fallback"), so we must see it too.
 */
function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** Not whitespace and not a delimiter: part of a token. */
function isRegular(c: number): boolean {
  return !isWhite(c) && !'()<>[]{}/%'.includes(String.fromCharCode(c))
}

function key(num: number, _gen: number): string {
  return String(num)
}

export function nameOf(o: PDFObject | undefined): string | null {
  return o instanceof PDFName ? o.decodeText() : null
}

export function isDict(o: PDFObject | undefined): o is PDFDict {
  return o instanceof PDFDict
}

export function isArray(o: PDFObject | undefined): o is PDFArray {
  return o instanceof PDFArray
}
