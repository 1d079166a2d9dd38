import { constants as zlibConstants, createInflate, inflateSync } from 'node:zlib'
import { PdfAnalysisError } from './pdf-analysis-error'

/**
 * Bounded decoding of PDF stream filters, with one byte budget shared by everything decoded for a
 * document. Every decoded byte of every filter in a chain is spent from the budget before (or as) it
 * is produced, so a bomb costs at most the budget, whatever the chain (double Flate, LZW, predictors
 * with an absurd /Columns, ...). The decoders follow pdf.js's own (src/core/*_stream.js, Apache-2.0):
 * where pdf.js is lenient we are at least as generous, so the count is never below what pdf.js (or
 * pdf-lib, whose decoders are ported from it) would produce from the same bytes.
 */

/** Decoded bytes one document may cost, across every decode path (pages read, object streams, attachments). */
export const DEFAULT_DECODE_BUDGET_BYTES = 64 * 1024 * 1024

export class DecodeBudget {
  private used = 0
  constructor(readonly limit: number = DEFAULT_DECODE_BUDGET_BYTES) {}

  get spent(): number {
    return this.used
  }

  get left(): number {
    return Math.max(0, this.limit - this.used)
  }

  /** Spends n decoded bytes; over the limit the document is refused. */
  spend(n: number, what: string): void {
    this.used += n
    if (this.used > this.limit) throw tooHeavy(this.limit, what)
  }
}

export function tooHeavy(limit: number, what: string, reason = 'decoded_size'): PdfAnalysisError {
  return new PdfAnalysisError('pdf_too_heavy', { budgetMb: Math.round(limit / 1048576), stream: what, reason })
}

/** Decode parameters as the filters read them (/DecodeParms or /DP, refs already resolved). */
export interface DecodeParms {
  readonly Predictor?: number
  readonly Colors?: number
  readonly BitsPerComponent?: number
  readonly Columns?: number
  readonly EarlyChange?: number
}

export interface FilterStep {
  /** Full filter name without the slash (abbreviations already expanded). */
  readonly name: string
  /** Null when /DecodeParms is absent or not a dictionary (pdf.js then applies no predictor). */
  readonly parms: DecodeParms | null
}

const ABBREVIATIONS: Record<string, string> = {
  Fl: 'FlateDecode',
  LZW: 'LZWDecode',
  A85: 'ASCII85Decode',
  AHx: 'ASCIIHexDecode',
  RL: 'RunLengthDecode',
  CCF: 'CCITTFaxDecode',
  DCT: 'DCTDecode',
  JPX: 'JPXDecode',
}

export function fullFilterName(name: string): string {
  return ABBREVIATIONS[name] ?? name
}

/** Image codecs: never decoded when reading text or attachments; their own size bounds are the image's. */
const IMAGE_FILTERS = new Set(['DCTDecode', 'JPXDecode', 'JBIG2Decode', 'CCITTFaxDecode'])

export interface DecodedStream {
  readonly bytes: Uint8Array
  /** The chain ends in an image codec that was left undecoded (bytes are its input). */
  readonly imageEncoded: boolean
}

/** Deflate's best ratio (258-byte matches in two bits): what a lenient inflater may get from one input byte. */
const MAX_DEFLATE_RATIO = 1032

/**
 * Decodes `data` through `steps` in order, spending every intermediate and final output from `budget`.
 * Unknown filters (and /Crypt, handled by decryption before) are passed through, as pdf.js does. An
 * image codec ends the decoding when it is the last step; anywhere else the chain cannot be bounded
 * (pdf.js would decode the image into the next filter) and the document is refused.
 */
export async function decodeFilterChain(data: Uint8Array, steps: readonly FilterStep[], budget: DecodeBudget, what: string): Promise<DecodedStream> {
  let bytes = data
  for (let i = 0; i < steps.length; i++) {
    const { name, parms } = steps[i]!
    const last = i === steps.length - 1
    if (bytes.length === 0) return { bytes, imageEncoded: false } // pdf.js: an empty stream decodes to nothing
    switch (name) {
      case 'FlateDecode':
        bytes = await inflateBounded(bytes, budget, what, last)
        bytes = predict(bytes, parms, budget, what)
        break
      case 'LZWDecode':
        bytes = lzwDecode(bytes, parms?.EarlyChange ?? 1, budget, what)
        bytes = predict(bytes, parms, budget, what)
        break
      case 'ASCIIHexDecode':
        bytes = spendAll(asciiHexDecode(bytes), budget, what)
        break
      case 'ASCII85Decode':
        bytes = ascii85Decode(bytes, budget, what)
        break
      case 'RunLengthDecode':
        bytes = runLengthDecode(bytes, budget, what)
        break
      default:
        if (IMAGE_FILTERS.has(name)) {
          if (last) return { bytes, imageEncoded: true }
          throw tooHeavy(budget.limit, what, `unboundable_filter:${name}`)
        }
      // Crypt (already decrypted) and filters pdf.js does not know: left as they are.
    }
  }
  return { bytes, imageEncoded: false }
}

function spendAll(out: Uint8Array, budget: DecodeBudget, what: string): Uint8Array {
  budget.spend(out.length, what)
  return out
}

/** The zlib header pdf.js insists on; without it pdf.js decodes the stream to nothing. */
function hasZlibHeader(b: Uint8Array): boolean {
  if (b.length < 2) return false
  const cmf = b[0]!
  const flg = b[1]!
  return (cmf & 0x0f) === 8 && ((cmf << 8) + flg) % 31 === 0 && (flg & 0x20) === 0
}

/**
 * zlib with maxOutputLength at what is left of the budget: inflation stops there. A stream zlib finds
 * corrupt part-way may still be decoded further by pdf.js's more lenient inflater (it does not check
 * distances, for one); its remaining input is then counted at deflate's maximum ratio, and a corrupt
 * stream in the middle of a chain (whose next input we cannot know) is refused.
 */
async function inflateBounded(input: Uint8Array, budget: DecodeBudget, what: string, last: boolean): Promise<Uint8Array> {
  if (!hasZlibHeader(input)) return new Uint8Array(0)
  let out: Buffer
  try {
    out = inflateSync(input, { maxOutputLength: budget.left + 1, finishFlush: zlibConstants.Z_SYNC_FLUSH })
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooHeavy(budget.limit, what)
    const partial = await inflatePartial(input, budget.left + 1)
    if (partial === 'too_large') throw tooHeavy(budget.limit, what)
    const unread = input.length - partial.consumed
    budget.spend(partial.bytes.length, what)
    if (unread > 16) {
      if (!last) throw tooHeavy(budget.limit, what, 'corrupt_filter_chain')
      budget.spend(unread * MAX_DEFLATE_RATIO, what)
    }
    return partial.bytes
  }
  budget.spend(out.length, what)
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}

/** What zlib's streaming inflater produced before the data error, and how much input it had read. */
function inflatePartial(input: Uint8Array, cap: number): Promise<{ bytes: Uint8Array; consumed: number } | 'too_large'> {
  return new Promise((resolve) => {
    const z = createInflate({ finishFlush: zlibConstants.Z_SYNC_FLUSH })
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const finish = (v: { bytes: Uint8Array; consumed: number } | 'too_large') => {
      if (settled) return
      settled = true
      z.destroy()
      resolve(v)
    }
    const result = () => ({ bytes: new Uint8Array(Buffer.concat(chunks, size)), consumed: Math.min(input.length, z.bytesWritten) })
    z.on('data', (c: Buffer) => {
      size += c.length
      if (size > cap) return finish('too_large')
      chunks.push(c)
    })
    z.on('error', () => finish(result()))
    z.on('end', () => finish(result()))
    z.end(input)
  })
}

/** Bytes of one predicted row, as pdf.js computes it (also the size it allocates for a row). */
function predict(input: Uint8Array, parms: DecodeParms | null, budget: DecodeBudget, what: string): Uint8Array {
  const predictor = parms?.Predictor ?? 1
  if (!parms || predictor <= 1) return input
  if (predictor !== 2 && (predictor < 10 || predictor > 15)) return new Uint8Array(0) // pdf.js: invalid stream, nothing
  const colors = positive(parms.Colors, 1)
  const bits = positive(parms.BitsPerComponent, 8)
  const columns = positive(parms.Columns, 1)
  const pixBytes = Math.ceil((colors * bits) / 8)
  const rowBytes = Math.ceil((columns * colors * bits) / 8)
  const inRow = predictor === 2 ? rowBytes : rowBytes + 1
  // pdf.js allocates a whole row for every row started, however short the input: /Columns 10^9 is a bomb.
  const rows = Math.ceil(input.length / inRow)
  if (rows * rowBytes > budget.left) throw tooHeavy(budget.limit, what, 'predictor_rows')
  budget.spend(rows * rowBytes, what)
  const out = new Uint8Array(rows * rowBytes)
  if (predictor === 2) {
    tiffPredict(input, out, rowBytes, colors, bits, columns)
    return out
  }
  let inPos = 0
  for (let r = 0; r < rows; r++) {
    const type = input[inPos++] ?? 0
    const row = out.subarray(r * rowBytes, (r + 1) * rowBytes)
    const raw = input.subarray(inPos, inPos + rowBytes)
    inPos += rowBytes
    const prev = r > 0 ? out.subarray((r - 1) * rowBytes, r * rowBytes) : new Uint8Array(rowBytes)
    for (let i = 0; i < rowBytes; i++) {
      const c = raw[i] ?? 0
      const left = i >= pixBytes ? row[i - pixBytes]! : 0
      const up = prev[i]!
      const upLeft = i >= pixBytes ? prev[i - pixBytes]! : 0
      switch (type) {
        case 0:
          row[i] = c
          break
        case 1:
          row[i] = left + c
          break
        case 2:
          row[i] = up + c
          break
        case 3:
          row[i] = ((left + up) >> 1) + c
          break
        case 4: {
          const p = left + up - upLeft
          const pa = Math.abs(p - left)
          const pb = Math.abs(p - up)
          const pc = Math.abs(p - upLeft)
          row[i] = (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft) + c
          break
        }
        default:
          return out.subarray(0, r * rowBytes) // pdf.js stops at an unknown row type
      }
    }
  }
  return out
}

function tiffPredict(input: Uint8Array, out: Uint8Array, rowBytes: number, colors: number, bits: number, columns: number): void {
  for (let r = 0; r * rowBytes < input.length; r++) {
    const raw = input.subarray(r * rowBytes, (r + 1) * rowBytes)
    const row = out.subarray(r * rowBytes, (r + 1) * rowBytes)
    if (bits === 8) {
      for (let i = 0; i < rowBytes; i++) row[i] = (i >= colors ? row[i - colors]! : 0) + (raw[i] ?? 0)
    } else if (bits === 16) {
      const bpp = colors * 2
      for (let i = 0; i < rowBytes; i += 2) {
        const prev = i >= bpp ? (row[i - bpp]! << 8) + row[i - bpp + 1]! : 0
        const sum = ((raw[i] ?? 0) << 8) + (raw[i + 1] ?? 0) + prev
        row[i] = (sum >> 8) & 0xff
        if (i + 1 < rowBytes) row[i + 1] = sum & 0xff
      }
    } else {
      // Sub-byte components: only the size matters for the budget; keep the bytes as they are.
      row.set(raw.subarray(0, Math.min(raw.length, rowBytes, Math.ceil((columns * colors * bits) / 8))))
    }
  }
}

function positive(v: number | undefined, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt
}

/** Growable output bounded by what is left of the budget; its length is spent when it is done. */
class Output {
  private buf = new Uint8Array(4096)
  length = 0
  constructor(
    private readonly budget: DecodeBudget,
    private readonly what: string,
  ) {}

  ensure(n: number): Uint8Array {
    if (this.length + n > this.buf.length) {
      const need = this.length + n
      if (need > this.budget.left) throw tooHeavy(this.budget.limit, this.what)
      const next = new Uint8Array(Math.min(Math.max(need, this.buf.length * 2), this.budget.left + 1))
      next.set(this.buf.subarray(0, this.length))
      this.buf = next
    }
    return this.buf
  }

  done(): Uint8Array {
    this.budget.spend(this.length, this.what)
    return this.buf.subarray(0, this.length)
  }
}

/**
 * pdf.js's LZW decoder, step for step, including what it does with hostile input: a code past the
 * table lengthens the current sequence without limit, and at the end of the data the rest of a
 * 512-code block comes out as zeros. Only the budget stops it.
 */
function lzwDecode(input: Uint8Array, earlyChange: number, budget: DecodeBudget, what: string): Uint8Array {
  const out = new Output(budget, what)
  const values = new Uint8Array(4096)
  const lengths = new Uint16Array(4096)
  const prevCodes = new Uint16Array(4096)
  const seq = new Uint8Array(4096)
  for (let i = 0; i < 256; i++) {
    values[i] = i
    lengths[i] = 1
  }
  let seqLength = 0
  let nextCode = 258
  let codeLength = 9
  let prevCode: number | null = null
  let cached = 0
  let bitsCached = 0
  let pos = 0
  let eof = false
  const readBits = (n: number): number | null => {
    while (bitsCached < n) {
      if (pos >= input.length) {
        eof = true
        return null
      }
      cached = (cached << 8) | input[pos++]!
      bitsCached += 8
    }
    bitsCached -= n
    return (cached >>> bitsCached) & ((1 << n) - 1)
  }
  while (!eof) {
    for (let i = 0; i < 512; i++) {
      const code = readBits(codeLength)
      const hasPrev = seqLength > 0
      if (code === null || code < 256) {
        seq[0] = code ?? 0
        seqLength = 1
      } else if (code >= 258) {
        if (code < nextCode) {
          seqLength = lengths[code]!
          for (let j = seqLength - 1, q = code; j >= 0; j--) {
            seq[j] = values[q]!
            q = prevCodes[q]!
          }
        } else {
          seq[seqLength++] = seq[0]! // past 4096 the write is lost, the length still grows (as in pdf.js)
        }
      } else if (code === 256) {
        codeLength = 9
        nextCode = 258
        seqLength = 0
        continue
      } else {
        return out.done() // 257: end of data
      }
      if (hasPrev) {
        prevCodes[nextCode] = prevCode ?? 0
        lengths[nextCode] = (prevCode === null ? NaN : lengths[prevCode]!) + 1
        values[nextCode] = seq[0]!
        nextCode++
        const n = nextCode + earlyChange
        codeLength = n & (n - 1) ? codeLength : Math.min(Math.log(n) / 0.6931471805599453 + 1, 12) | 0
      }
      prevCode = code
      const buf = out.ensure(seqLength)
      buf.set(seq.subarray(0, Math.min(seqLength, seq.length)), out.length)
      out.length += seqLength // bytes past the 4096-byte sequence stay zero, as pdf.js writes undefined
    }
  }
  return out.done()
}

function asciiHexDecode(input: Uint8Array): Uint8Array {
  const out = new Uint8Array((input.length + 1) >> 1)
  let n = 0
  let first = -1
  let closed = false
  for (const ch of input) {
    let d: number
    if (ch >= 0x30 && ch <= 0x39) d = ch & 0x0f
    else if ((ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66)) d = (ch & 0x0f) + 9
    else if (ch === 0x3e) {
      closed = true
      break
    } else continue
    if (first < 0) first = d
    else {
      out[n++] = (first << 4) | d
      first = -1
    }
  }
  if (first >= 0 && closed) out[n++] = first << 4 // pdf.js keeps a lone last digit only before '>'
  return out.subarray(0, n)
}

/** pdf.js's isWhiteSpace (no NUL, no form feed). */
function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a
}

function ascii85Decode(input: Uint8Array, budget: DecodeBudget, what: string): Uint8Array {
  const out = new Output(budget, what)
  let pos = 0
  const next = () => {
    let c = pos < input.length ? input[pos++]! : -1
    while (c !== -1 && isWhite(c)) c = pos < input.length ? input[pos++]! : -1
    return c
  }
  const group = new Array<number>(5)
  for (;;) {
    let c = next()
    if (c === -1 || c === 0x7e) break
    if (c === 0x7a) {
      out.ensure(4).fill(0, out.length, out.length + 4)
      out.length += 4
      continue
    }
    group[0] = c
    let i = 1
    for (; i < 5; i++) {
      c = next()
      group[i] = c
      if (c === -1 || c === 0x7e) break
    }
    const got = i
    for (; i < 5; i++) group[i] = 0x21 + 84
    let t = 0
    for (let k = 0; k < 5; k++) t = t * 85 + (group[k]! - 0x21)
    const bytes = [(t >>> 24) & 0xff, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff]
    const buf = out.ensure(4)
    for (let k = 0; k < got - 1; k++) buf[out.length++] = bytes[k]!
    if (got < 5) break
  }
  return out.done()
}

function runLengthDecode(input: Uint8Array, budget: DecodeBudget, what: string): Uint8Array {
  const out = new Output(budget, what)
  let pos = 0
  while (pos + 1 < input.length) {
    const len = input[pos]!
    if (len === 128) break
    if (len < 128) {
      // pdf.js counts the run's full length even when the data ends inside it (zeros then).
      const src = input.subarray(pos + 1, pos + 2 + len)
      const buf = out.ensure(len + 1)
      buf.set(src, out.length)
      out.length += len + 1
      pos += 2 + len
    } else {
      const n = 257 - len
      const buf = out.ensure(n)
      buf.fill(input[pos + 1]!, out.length, out.length + n)
      out.length += n
      pos += 2
    }
  }
  return out.done()
}
