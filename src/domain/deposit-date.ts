import { formatDateFr, type CalendarDate } from './calendar-date'
import { CHORUS_TIME_ZONE, chorusInstant, parseChorusDate } from './chorus-date'

/**
 * When an invoice was deposited, as `invoices.deposited_at` (a timestamptz, so that the list sorts and the
 * "deposited from / to" filters stay index range scans) holds it, with no invented time (issue 17, item 1):
 *
 * - Chorus Pro gave only a day (`dateDepot` of the supplier search and of soumettre's answer): the start of
 *   that day in Paris. It stands for the day, not for midnight: pages and the CSV show it as a date.
 * - The moment is known (our own submission: the instant Chorus Pro answered soumettre or deposer/flux, on
 *   the day Chorus Pro gives): that instant, never exactly the start of a Paris day (it is moved one
 *   millisecond on), so a known time is never read as a bare day.
 */

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: CHORUS_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })

/** The calendar date in Paris of an instant. */
export function parisDay(at: Date): CalendarDate {
  return dayFormat.format(at)
}

/** The instant a bare Paris day is stored as. */
export function startOfParisDay(day: CalendarDate): Date {
  return chorusInstant(day, new Date(Number.NaN))
}

/** Whether a stored instant stands for a whole day (see above). */
export function isWholeParisDay(at: Date): boolean {
  return !Number.isNaN(at.getTime()) && startOfParisDay(parisDay(at)).getTime() === at.getTime()
}

/** A known instant as stored: never one that reads as a bare day. */
export function exactInstant(at: Date): Date {
  return isWholeParisDay(at) ? new Date(at.getTime() + 1) : at
}

/**
 * The deposit to store: Chorus Pro's instant when it gave one; the known moment when Chorus gave only its
 * day (or nothing); the bare day when the moment is unknown (an invoice found by a search, an adopted one);
 * null when there is nothing to go by.
 */
export function depositedAt(chorusValue: unknown, knownAt: Date | null): Date | null {
  const d = parseChorusDate(chorusValue)
  if (d?.kind === 'instant') return exactInstant(d.at)
  if (d?.kind === 'date') return knownAt && parisDay(knownAt) === d.date ? exactInstant(knownAt) : startOfParisDay(d.date)
  return knownAt ? exactInstant(knownAt) : null
}

/** How a stored deposit (or any instant stored under the same rule) reads: a date, or a date and a time. */
export type StoredWhen = { readonly kind: 'date'; readonly date: CalendarDate } | { readonly kind: 'instant'; readonly at: Date }

export function whenOf(at: Date): StoredWhen {
  return isWholeParisDay(at) ? { kind: 'date', date: parisDay(at) } : { kind: 'instant', at }
}

/** `21/11/2026` for a day, `21/11/2026 14:05` for an instant (Paris time). */
export function formatWhenFr(at: Date): string {
  const w = whenOf(at)
  if (w.kind === 'date') return formatDateFr(w.date)
  return timeFormat.format(w.at)
}

const timeFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: CHORUS_TIME_ZONE, dateStyle: 'short', timeStyle: 'short' })
