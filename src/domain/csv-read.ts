/**
 * Reads the CSV files accountants actually have: French Excel's ("CSV (séparateur: point-virgule)",
 * ';' separated, Windows-1252, or "CSV UTF-8", with a byte-order mark), and ',' or tab separated files
 * from other tools. Quoted fields follow RFC 4180: a quote inside is doubled, and a quoted field may
 * span lines. Every row keeps the line number it starts on, so errors name the line a person sees in
 * a text editor (line 1 is the header).
 */

export type CsvDelimiter = ';' | ',' | '\t'

export interface CsvRow {
  /** 1-based line of the file where the row starts. */
  readonly line: number
  readonly cells: readonly string[]
}

export interface CsvDocument {
  readonly delimiter: CsvDelimiter
  readonly rows: readonly CsvRow[]
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError'
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Bytes to text: UTF-8 (the BOM, if any, is dropped), else Windows-1252, which is what French Excel
 * writes for "CSV (séparateur: point-virgule)". Invalid UTF-8 is the sign of the latter.
 */
export function decodeCsvBytes(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'windows-1252' } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
    return { text: stripBom(text), encoding: 'utf-8' }
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' }
  }
}

// 0x80–0x9F of Windows-1252 (€, Œ, œ, ’, …); the rest is Latin-1. Decoded by hand: Node 20's
// TextDecoder('windows-1252') decodes as Latin-1 and turns "Œ" into a control character (checked 2025, Node 20.19).
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192)
    out += Array.from(chunk, (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b))).join('')
  }
  return out
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/**
 * The delimiter of the header line: the candidate seen most often outside quotes (';' wins a tie, as
 * French files are the common case here).
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { ';': 0, ',': 0, '\t': 0 }
  let inQuotes = false
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break
    else if (!inQuotes && (ch === ';' || ch === ',' || ch === '\t')) counts[ch]++
  }
  if (counts['\t'] > counts[';'] && counts['\t'] > counts[',']) return '\t'
  return counts[','] > counts[';'] ? ',' : ';'
}

/** Parses a whole CSV text (BOM allowed). Throws CsvSyntaxError for an unterminated quote or text after a closing quote. */
export function parseCsv(input: string, delimiter: CsvDelimiter = detectDelimiter(stripBom(input))): CsvDocument {
  const text = stripBom(input)
  const rows: CsvRow[] = []
  let cells: string[] = []
  let cell = ''
  let line = 1
  let rowLine = 1
  let i = 0
  let quoted = false
  let afterQuote = false
  let quoteLine = 1
  const endRow = () => {
    cells.push(cell)
    rows.push({ line: rowLine, cells })
    cells = []
    cell = ''
    afterQuote = false
  }
  while (i < text.length) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"'
          i += 2
          continue
        }
        quoted = false
        afterQuote = true
        i++
        continue
      }
      if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++
      cell += ch
      i++
      continue
    }
    if (ch === delimiter) {
      cells.push(cell)
      cell = ''
      afterQuote = false
      i++
      continue
    }
    if (ch === '\r' || ch === '\n') {
      endRow()
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1
      line++
      rowLine = line
      continue
    }
    if (ch === '"' && cell.trim() === '' && !afterQuote) {
      // A quote opens a quoted field only at its start (spaces before it are dropped, as Excel does).
      cell = ''
      quoted = true
      quoteLine = line
      i++
      continue
    }
    if (afterQuote) {
      if (ch === ' ' || ch === '\t') {
        i++
        continue
      }
      throw new CsvSyntaxError(line, `unexpected character ${JSON.stringify(ch)} after a closing quote; a quote inside a quoted field must be doubled ("")`)
    }
    cell += ch
    i++
  }
  if (quoted) throw new CsvSyntaxError(quoteLine, 'a quoted field opened on this line is never closed')
  if (cell !== '' || cells.length > 0) endRow()
  return { delimiter, rows }
}

/** True when every cell of the row is empty or blank (Excel writes ";;;" for an empty line). */
export function isBlankRow(row: CsvRow): boolean {
  return row.cells.every((c) => c.trim() === '')
}
