import { describe, expect, it } from 'vitest'
import { parseChorusDate, type ChorusDate } from '../../src/domain/chorus-date'

const instant = (v: unknown) => {
  const r = parseChorusDate(v)
  expect(r?.kind).toBe('instant')
  return (r as Extract<ChorusDate, { kind: 'instant' }>).at.toISOString()
}

describe('Chorus Pro dates', () => {
  it('keeps a date-only value a calendar date, never an invented time (dateFacture, dateDepot of searches)', () => {
    expect(parseChorusDate('2026-03-01')).toEqual({ kind: 'date', date: '2026-03-01' })
    expect(parseChorusDate('2024-02-29')).toEqual({ kind: 'date', date: '2024-02-29' })
    // An XML date that carries its zone is still one calendar day.
    expect(parseChorusDate('2026-03-01Z')).toEqual({ kind: 'date', date: '2026-03-01' })
    expect(parseChorusDate('2026-03-01+01:00')).toEqual({ kind: 'date', date: '2026-03-01' })
  })

  it('reads "AAAA-MM-JJ HH:MI" as Paris time (recycler dateDepot, completer dateTraitement, histoStatutDatePassage)', () => {
    expect(instant('2016-05-24 15:02')).toBe('2016-05-24T13:02:00.000Z') // summer: +02:00
    expect(instant('2026-01-15 09:30')).toBe('2026-01-15T08:30:00.000Z') // winter: +01:00
    expect(instant('2026-01-15T09:30')).toBe('2026-01-15T08:30:00.000Z')
  })

  it('reads a date-time without a zone, with seconds and with milliseconds, as Paris time', () => {
    expect(instant('2026-07-14 10:00:05')).toBe('2026-07-14T08:00:05.000Z')
    expect(instant('2026-07-14T10:00:05')).toBe('2026-07-14T08:00:05.000Z')
    expect(instant('2026-07-14T10:00:05.123')).toBe('2026-07-14T08:00:05.123Z')
    expect(instant('2026-07-14 10:00:05.123456')).toBe('2026-07-14T08:00:05.123Z') // microseconds: kept to the millisecond
  })

  it('reads ISO 8601 with an offset as that instant, whatever the form of the offset (dateHeureEtatCourantFlux)', () => {
    expect(instant('2026-03-01T10:00:00Z')).toBe('2026-03-01T10:00:00.000Z')
    expect(instant('2026-03-01T10:00:00.250Z')).toBe('2026-03-01T10:00:00.250Z')
    expect(instant('2026-03-01T11:00:00+01:00')).toBe('2026-03-01T10:00:00.000Z')
    expect(instant('2026-03-01T11:00:00.000+0100')).toBe('2026-03-01T10:00:00.000Z') // Java's offset, no colon
    expect(instant('2026-03-01T05:00:00-05')).toBe('2026-03-01T10:00:00.000Z')
    expect(instant('2026-03-01 10:00:00+0000')).toBe('2026-03-01T10:00:00.000Z')
    expect(instant('2026-03-01T10:00Z')).toBe('2026-03-01T10:00:00.000Z')
  })

  it('reads epoch milliseconds (a JSON number) as that instant', () => {
    expect(instant(1_464_094_920_000)).toBe('2016-05-24T13:02:00.000Z')
    expect(instant(1_772_359_200_123)).toBe('2026-03-01T10:00:00.123Z')
  })

  it('places the hours of the clock changes in Paris: the repeated hour is the first, the skipped hour moves on', () => {
    // 29 March 2026: 02:00 → 03:00. 01:59 is still winter time, 03:00 already summer time.
    expect(instant('2026-03-29 01:59')).toBe('2026-03-29T00:59:00.000Z')
    expect(instant('2026-03-29 03:00')).toBe('2026-03-29T01:00:00.000Z')
    expect(instant('2026-03-29 02:30')).toBe('2026-03-29T01:30:00.000Z') // does not exist: 03:30 summer time
    // 25 October 2026: 03:00 → 02:00. 02:30 happens twice: the first (summer time) is taken.
    expect(instant('2026-10-25 02:30')).toBe('2026-10-25T00:30:00.000Z')
    expect(instant('2026-10-25 03:30')).toBe('2026-10-25T02:30:00.000Z')
  })

  it('does not depend on the time zone of the process', () => {
    // vitest runs with TZ=Europe/Paris; a server in UTC or New York must read the same instants.
    const saved = process.env.TZ
    try {
      for (const tz of ['UTC', 'America/New_York']) {
        process.env.TZ = tz
        expect(new Date(2026, 0, 1).getTimezoneOffset()).not.toBe(-60)
        expect(instant('2026-01-15 09:30')).toBe('2026-01-15T08:30:00.000Z')
        expect(instant('2026-07-14T10:00:05.123')).toBe('2026-07-14T08:00:05.123Z')
        expect(parseChorusDate('2026-03-01')).toEqual({ kind: 'date', date: '2026-03-01' })
      }
    } finally {
      process.env.TZ = saved
    }
  })

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['text', 'hier'],
    ['an impossible day', '2026-02-30'],
    ['an impossible day with a time', '2026-02-30 10:00'],
    ['an impossible hour', '2026-03-01 24:00'],
    ['an impossible minute', '2026-03-01 10:60'],
    ['an impossible second', '2026-03-01 10:00:60'],
    ['an impossible offset', '2026-03-01T10:00:00+25:00'],
    ['a French day', '01/03/2026'],
    ['a compact day', '20260301'],
    ['a day without its century', '26-03-01'],
    ['a month', '2026-03'],
    ['trailing text', '2026-03-01 10:00 (Paris)'],
    ['an epoch in seconds', 1_464_094_920],
    ['an epoch as a string', '1464094920000'],
    ['not a number', Number.NaN],
    ['infinity', Number.POSITIVE_INFINITY],
    ['beyond the range of dates', 9e15],
    ['a boolean', true],
    ['an object', { date: '2026-03-01' }],
  ])('is undefined for %s', (_, v) => {
    expect(parseChorusDate(v)).toBeUndefined()
  })

  it('ignores spaces around the value', () => {
    expect(parseChorusDate(' 2026-03-01 ')).toEqual({ kind: 'date', date: '2026-03-01' })
  })
})
