/**
 * CSV for spreadsheets. Defaults suit French Excel: UTF-8 with a BOM (without it Excel reads UTF-8 as
 * Windows-1252), `;` between cells and a decimal comma. `,` and a decimal point by option.
 *
 * Formula injection (OWASP "CSV Injection"): a cell starting with `=`, `+`, `-`, `@`, tab or CR is
 * prefixed with an apostrophe so a spreadsheet shows it as text, unless it is a plain number (a negative
 * amount stays a number). The invoice export builds the same cells in SQL (migrations/0003_tracking.ts,
 * csv_text); test/tracking/csv.test.ts checks that both agree.
 */
export const CSV_BOM = '\uFEFF'
export const CSV_EOL = '\r\n'

export type CsvSeparator = ';' | ','

export interface CsvFormat {
  readonly separator: CsvSeparator
  readonly decimal: ',' | '.'
}

export const CSV_FR: CsvFormat = { separator: ';', decimal: ',' }
export const CSV_EN: CsvFormat = { separator: ',', decimal: '.' }

/** `;` goes with the decimal comma, `,` with the point: anything else is unreadable in a spreadsheet. */
export function csvFormat(separator: CsvSeparator | undefined): CsvFormat {
  return separator === ',' ? CSV_EN : CSV_FR
}

const NUMBER = /^[+-]?[0-9]+([.,][0-9]+)?$/
const DANGEROUS_START = new Set(['=', '+', '-', '@', '\t', '\r'])

export function neutraliseFormula(value: string): string {
  return value.length > 0 && DANGEROUS_START.has(value[0]!) && !NUMBER.test(value) ? `'${value}` : value
}

/** One text cell: neutralised, then quoted when it holds the separator, a quote, CR or LF. Null is empty. */
export function csvCell(value: string | null | undefined, separator: CsvSeparator = ';'): string {
  if (value === null || value === undefined || value === '') return ''
  const w = neutraliseFormula(value)
  return w.includes(separator) || w.includes('"') || w.includes('\n') || w.includes('\r') ? `"${w.replace(/"/g, '""')}"` : w
}

/** An exact decimal string ("1234.56") with the format's decimal mark, no thousands separator. */
export function csvDecimal(value: string | null | undefined, format: CsvFormat): string {
  if (value === null || value === undefined) return ''
  return format.decimal === ',' ? value.replace('.', ',') : value
}

export function csvLine(cells: readonly string[], separator: CsvSeparator): string {
  return cells.join(separator) + CSV_EOL
}
