import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor, isIdValue } from '../../src/db/cursor'
import { decodeCursor as decodeInvoiceCursor, encodeCursor as encodeInvoiceCursor } from '../../src/db/invoices'
import type { InvoiceRow } from '../../src/db/schema'
import { AppError } from '../../src/domain/app-error'

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url')

describe('keyset cursors', () => {
  it('is base64url of a JSON array, and reads back as strings', () => {
    const c = encodeCursor(['-depositedAt', '2026-03-01T10:00:00.000Z', '42'])
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(JSON.parse(Buffer.from(c, 'base64url').toString('utf8'))).toEqual(['-depositedAt', '2026-03-01T10:00:00.000Z', '42'])
    expect(decodeCursor(c, 3)).toEqual(['-depositedAt', '2026-03-01T10:00:00.000Z', '42'])
  })

  it('keeps nulls, gives numbers in their decimal form, and keeps any text (accents, quotes, emoji)', () => {
    expect(decodeCursor(encodeCursor([null, 7, 'été "x" 🧾']), 3)).toEqual([null, '7', 'été "x" 🧾'])
    expect(decodeCursor(encodeCursor([]), 0)).toEqual([])
  })

  it.each([
    ['empty', ''],
    ['not base64url', 'abc$def'],
    ['standard base64 with padding', Buffer.from('["1"]').toString('base64')],
    ['not JSON', b64('nope')],
    ['an object, the old documents format', b64('{"after":"12"}')],
    ['a bare number, the old audit format', '12'],
    ['a string', b64('"12"')],
    ['too few values', b64('["12"]')],
    ['too many values', b64('["a","b","12"]')],
    ['a boolean inside', b64('[true,"12"]')],
    ['an object inside', b64('[{"a":1},"12"]')],
    ['an array inside', b64('[["a"],"12"]')],
    ['huge', 'A'.repeat(5000)],
  ])('is undefined for a cursor that is %s', (_, cursor) => {
    expect(decodeCursor(cursor, 2)).toBeUndefined()
  })

  it('tells a row id from anything else', () => {
    expect(isIdValue('42')).toBe(true)
    for (const v of [null, undefined, '', '-1', '1.5', '1e3', '12a', '1234567890123456789']) expect(isIdValue(v)).toBe(false)
  })
})

describe('invoice list cursors', () => {
  const row = (over: Partial<InvoiceRow>) => ({ id: '42', deposited_at: new Date('2026-03-01T10:00:00.000Z'), amount_gross: '120.00', invoice_date: '2026-02-28', status: 'MISE_A_DISPOSITION', ...over }) as InvoiceRow
  const invalid = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      expect(e).toBeInstanceOf(AppError)
      expect((e as AppError).status).toBe(400)
      expect((e as AppError).code).toBe('invalid_cursor')
      return
    }
    throw new Error('expected invalid_cursor')
  }

  it('round-trips through the shared format for each kind of column', () => {
    const cases = [
      [{ key: 'depositedAt', desc: true }, '2026-03-01T10:00:00.000Z'],
      [{ key: 'amountGross', desc: false }, '120.00'],
      [{ key: 'invoiceDate', desc: false }, '2026-02-28'],
      [{ key: 'status', desc: true }, 'MISE_A_DISPOSITION'],
      [{ key: 'id', desc: false }, '42'],
    ] as const
    for (const [sort, v] of cases) {
      const c = encodeInvoiceCursor(sort, row({}))
      expect(decodeCursor(c, 3)).toEqual([`${sort.desc ? '-' : ''}${sort.key}`, v, '42'])
      expect(decodeInvoiceCursor(sort, c)).toEqual({ s: `${sort.desc ? '-' : ''}${sort.key}`, v, id: '42' })
    }
    expect(decodeInvoiceCursor({ key: 'depositedAt', desc: true }, encodeInvoiceCursor({ key: 'depositedAt', desc: true }, row({ deposited_at: null }))).v).toBeNull()
  })

  it('refuses, as a 400, a cursor of another sort, or a value the column cannot take (never a SQL error)', () => {
    const sort = { key: 'depositedAt', desc: true } as const
    invalid(() => decodeInvoiceCursor({ key: 'depositedAt', desc: false }, encodeInvoiceCursor(sort, row({}))))
    invalid(() => decodeInvoiceCursor(sort, 'garbage'))
    invalid(() => decodeInvoiceCursor(sort, encodeCursor(['-depositedAt', 'not a date', '42'])))
    invalid(() => decodeInvoiceCursor(sort, encodeCursor(['-depositedAt', '2026-03-01T10:00:00.000Z', '4x2'])))
    invalid(() => decodeInvoiceCursor({ key: 'amountGross', desc: false }, encodeCursor(['amountGross', '12,5', '42'])))
    invalid(() => decodeInvoiceCursor({ key: 'invoiceDate', desc: false }, encodeCursor(['invoiceDate', '2026-02-30', '42'])))
    invalid(() => decodeInvoiceCursor({ key: 'status', desc: false }, encodeCursor(['status', null, '42'])))
    invalid(() => decodeInvoiceCursor({ key: 'status', desc: false }, encodeCursor(['status', 'A\u0000B', '42'])))
  })
})
