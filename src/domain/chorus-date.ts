import { isCalendarDate, type CalendarDate } from './calendar-date'

/**
 * A date as Chorus Pro gave it: a calendar date when it gave only a day (`dateFacture`, often `dateDepot`),
 * an instant when it gave a time. A day is never turned into an instant here: which hour it stands for
 * is the caller's decision, not a guess of the parser's.
 */
export type ChorusDate = { readonly kind: 'date'; readonly date: CalendarDate } | { readonly kind: 'instant'; readonly at: Date }

/** Chorus Pro's clock: a date-time without an offset is wall-clock time in Paris. */
export const CHORUS_TIME_ZONE = 'Europe/Paris'

/**
 * A millisecond epoch smaller than this (3 March 1973) is not a Chorus Pro date (the platform opened in
 * 2017): most likely an epoch in seconds or a count, read as unreadable rather than as a day in 1970.
 */
const MIN_EPOCH_MS = 100_000_000_000

// 2026-03-01 | 2026-03-01Z | 2026-03-01+01:00 (an XML date with its zone: still one calendar day)
const DATE_ONLY = /^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:?\d{2})?$/i
// 2026-03-01 15:02 | 2026-03-01T15:02:03 | …T15:02:03.123 | …+01:00 | …+0100 | …+01 | …Z
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/**
 * Reads every date format Chorus Pro answers with (reference chorus-pro-api.md §2):
 * - `YYYY-MM-DD` (dateFacture, dateDepot of searches) → `{ kind: 'date' }`;
 * - `YYYY-MM-DD HH:MI` (recycler's dateDepot, completer's dateTraitement, histoStatutDatePassage), with or
 *   without seconds and fractions, `T` or a space between → an instant, read as Paris time;
 * - ISO 8601 with an offset (`Z`, `+01:00`, `+0100`, `+01`; dateHeureEtatCourantFlux) → that instant;
 * - a JSON number: epoch milliseconds → that instant.
 * Anything else (an impossible day or hour, another layout, an empty string, null) is undefined.
 */
export function parseChorusDate(value: unknown): ChorusDate | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < MIN_EPOCH_MS) return undefined
    const at = new Date(Math.trunc(value))
    return Number.isNaN(at.getTime()) ? undefined : { kind: 'instant', at }
  }
  if (typeof value !== 'string') return undefined
  const s = value.trim()
  const day = DATE_ONLY.exec(s)
  if (day) return isCalendarDate(day[1]) ? { kind: 'date', date: day[1]! } : undefined
  const m = DATE_TIME.exec(s)
  if (!m) return undefined
  const [, y, mo, d, h, mi, sec, frac, zone] = m
  if (!isCalendarDate(`${y}-${mo}-${d}`)) return undefined
  const hour = Number(h)
  const minute = Number(mi)
  const second = sec === undefined ? 0 : Number(sec)
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const ms = frac === undefined ? 0 : Math.trunc(Number(`0.${frac}`) * 1000)
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), hour, minute, second, ms)
  if (zone === undefined) return { kind: 'instant', at: new Date(fromWallClock(wall, CHORUS_TIME_ZONE)) }
  const offset = offsetMinutes(zone)
  if (offset === undefined) return undefined
  return { kind: 'instant', at: new Date(wall - offset * 60_000) }
}

/** `Z` → 0, `+01:00` / `+0100` / `+01` → 60, `-05:30` → -330; undefined past ±18 h. */
function offsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)
  if (!m) return undefined
  const hours = Number(m[2])
  const minutes = m[3] === undefined ? 0 : Number(m[3])
  if (hours > 18 || minutes > 59) return undefined
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes)
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>()

/** The zone's offset from UTC at an instant, in milliseconds (Paris: 1 h in winter, 2 h in summer). */
function zoneOffsetMs(epochMs: number, timeZone: string): number {
  let f = zoneFormats.get(timeZone)
  if (!f) {
    // One formatter per zone: building an Intl.DateTimeFormat per call is slow (see the sandbox's note).
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    zoneFormats.set(timeZone, f)
  }
  const p: Record<string, number> = {}
  for (const part of f.formatToParts(new Date(epochMs))) if (part.type !== 'literal') p[part.type] = Number(part.value)
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!)
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000))
}

/**
 * The instant at which the zone's clocks show this wall-clock time (given as if it were UTC). An hour that
 * happens twice (autumn) is the first one; an hour the clocks skip (spring) is read with the offset before
 * the change, so 02:30 on the spring day is 03:30 summer time (both as Temporal's "compatible" does).
 */
function fromWallClock(wall: number, timeZone: string): number {
  const day = 86_400_000
  const before = zoneOffsetMs(wall - day, timeZone)
  const after = zoneOffsetMs(wall + day, timeZone)
  for (const offset of [...new Set([before, after])].sort((a, b) => b - a)) {
    if (zoneOffsetMs(wall - offset, timeZone) === offset) return wall - offset
  }
  return wall - before
}

/**
 * An instant for a timestamp column: the instant Chorus gave; for a bare date, the start of that day in
 * Paris (a day, not a time of day: pages show such values as dates); `fallback` when unreadable.
 */
export function chorusInstant(value: unknown, fallback: Date): Date {
  const d = parseChorusDate(value)
  if (!d) return fallback
  if (d.kind === 'instant') return d.at
  const [y, m, day] = d.date.split('-').map(Number)
  return new Date(fromWallClock(Date.UTC(y!, m! - 1, day!), CHORUS_TIME_ZONE))
}
