import { makeCalendarDate, type CalendarDate } from '../domain/calendar-date'

export interface PrintedDate {
  readonly date: CalendarDate
  readonly index: number
  readonly length: number
}

const MONTHS: Record<string, number> = {
  janvier: 1, janv: 1, jan: 1, january: 1,
  fevrier: 2, fevr: 2, fev: 2, feb: 2, february: 2,
  mars: 3, mar: 3, march: 3,
  avril: 4, avr: 4, apr: 4, april: 4,
  mai: 5, may: 5,
  juin: 6, jun: 6, june: 6,
  juillet: 7, juil: 7, jul: 7, july: 7,
  aout: 8, aug: 8, august: 8,
  septembre: 9, sept: 9, sep: 9, september: 9,
  octobre: 10, oct: 10, october: 10,
  novembre: 11, nov: 11, november: 11,
  decembre: 12, dec: 12, december: 12,
}
const MONTH = '(janvier|janv|jan|january|f[ée]vrier|f[ée]vr|f[ée]v|feb|february|mars|march|mar|avril|avr|april|apr|mai|may|juin|june|jun|juillet|juil|july|jul|ao[uû]t|august|aug|septembre|september|sept|sep|octobre|october|oct|novembre|november|nov|d[ée]cembre|december|d[ée]c)\\.?'

const PATTERNS: Array<{ re: RegExp; pick: (m: RegExpExecArray) => [number, number, number] | null }> = [
  // ISO 2026-03-12
  { re: /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)/g, pick: (m) => [+m[1]!, +m[2]!, +m[3]!] },
  // 12/03/2026, 12-03-2026, 12.03.2026, 12/03/26: day first (French and European English layouts)
  { re: /(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?![\d/.-])/g, pick: (m) => [year(m[3]!), +m[2]!, +m[1]!] },
  // 12 mars 2026, 1er mars 2026, 12 March 2026, 12th of March, 2026
  { re: new RegExp(`(?<![\\p{L}\\d])(\\d{1,2})(?:er|st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}\\s*,?\\s+(\\d{4})(?!\\d)`, 'giu'), pick: (m) => month(m[2]!, +m[3]!, +m[1]!) },
  // March 12, 2026 / Mar. 12th 2026
  { re: new RegExp(`(?<![\\p{L}])${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\s*,?\\s+(\\d{4})(?!\\d)`, 'giu'), pick: (m) => month(m[1]!, +m[3]!, +m[2]!) },
]

function year(y: string): number {
  return y.length === 2 ? 2000 + Number(y) : Number(y)
}

function month(name: string, y: number, d: number): [number, number, number] | null {
  const key = name.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f.]/g, '')
  const m = MONTHS[key]
  return m ? [y, m, d] : null
}

/** Every date printed in a string, in order of appearance, in the formats French and English invoices use. */
export function findPrintedDates(text: string): PrintedDate[] {
  const out: PrintedDate[] = []
  for (const { re, pick } of PATTERNS) {
    re.lastIndex = 0
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const ymd = pick(m)
      const date = ymd && ymd[0] >= 1990 && ymd[0] <= 2100 ? makeCalendarDate(ymd[0], ymd[1], ymd[2]) : null
      if (date && !out.some((o) => m!.index < o.index + o.length && o.index < m!.index + m![0].length)) {
        out.push({ date, index: m.index, length: m[0].length })
      }
    }
  }
  return out.sort((a, b) => a.index - b.index)
}
