import { describe, expect, it } from 'vitest'
import { depositedAt, exactInstant, formatWhenFr, isWholeParisDay, parisDay, startOfParisDay, whenOf } from '../../src/domain/deposit-date'

describe('deposit dates (issue 17, item 1): a day stays a day, a known moment stays exact', () => {
  it('stores a date-only dateDepot as the start of its Paris day, read back as that date', () => {
    const at = depositedAt('2026-11-28', null)!
    expect(at.toISOString()).toBe('2026-11-27T23:00:00.000Z')
    expect(whenOf(at)).toEqual({ kind: 'date', date: '2026-11-28' })
    expect(formatWhenFr(at)).toBe('28/11/2026')
    // Summer time: the day starts at 22:00 UTC the day before.
    expect(depositedAt('2026-07-14', null)!.toISOString()).toBe('2026-07-13T22:00:00.000Z')
    expect(formatWhenFr(depositedAt('2026-07-14', null)!)).toBe('14/07/2026')
  })

  it('keeps the moment of our own submission when Chorus Pro gives the same day, never a made-up hour', () => {
    const answered = new Date('2026-11-28T02:18:41.123Z') // 03:18 in Paris
    const at = depositedAt('2026-11-28', answered)!
    expect(at.toISOString()).toBe(answered.toISOString())
    expect(formatWhenFr(at)).toBe('28/11/2026 03:18')
    // Chorus Pro's day wins when it differs from our clock's (around midnight): a day, not our time.
    expect(whenOf(depositedAt('2026-11-29', answered)!)).toEqual({ kind: 'date', date: '2026-11-29' })
    // No dateDepot at all: the known moment; nothing known: nothing.
    expect(depositedAt(undefined, answered)!.toISOString()).toBe(answered.toISOString())
    expect(depositedAt(undefined, null)).toBeNull()
    expect(depositedAt('garbage', null)).toBeNull()
  })

  it('takes a time Chorus Pro gives as that instant, and never lets a known moment read as a bare day', () => {
    expect(depositedAt('2026-11-28 14:05', null)!.toISOString()).toBe('2026-11-28T13:05:00.000Z')
    const midnight = startOfParisDay('2026-11-28')
    expect(isWholeParisDay(midnight)).toBe(true)
    expect(exactInstant(midnight).getTime()).toBe(midnight.getTime() + 1)
    expect(whenOf(exactInstant(midnight)).kind).toBe('instant')
    expect(depositedAt('2026-11-28 00:00', null)!.getTime()).toBe(midnight.getTime() + 1)
    expect(parisDay(new Date('2026-11-27T23:30:00Z'))).toBe('2026-11-28')
  })
})
