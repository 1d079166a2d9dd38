/** Invoice dates are calendar dates, `YYYY-MM-DD`, with no time and no time zone. */
export type CalendarDate = string

export function isCalendarDate(v: unknown): v is CalendarDate {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false
  const [y, m, d] = v.split('-').map(Number) as [number, number, number]
  const dt = new Date(Date.UTC(y, m - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d
}

/** Today's calendar date in the given zone (default Europe/Paris, where schedules and "future" are judged). */
/** One formatter per time zone: building an Intl.DateTimeFormat costs ~1 ms, and todayIn was 250 ms of the main thread during a 100-upload burst (CPU profile). */
const dayFormats = new Map<string, Intl.DateTimeFormat>()

export function todayIn(timeZone = 'Europe/Paris', now: Date = new Date()): CalendarDate {
  let f = dayFormats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dayFormats.set(timeZone, f)
  }
  return f.format(now)
}

export function makeCalendarDate(year: number, month: number, day: number): CalendarDate | null {
  const s = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
  return isCalendarDate(s) ? s : null
}

/** fr-FR display: "21/11/2026". */
export function formatDateFr(d: CalendarDate): string {
  const [y, m, day] = d.split('-')
  return `${day}/${m}/${y}`
}
