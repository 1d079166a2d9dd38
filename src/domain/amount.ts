/**
 * Exact money amounts. An amount travels as a decimal string with two decimals ("1234.56"),
 * is computed on as integer cents (bigint), and is never a float.
 */
export type Amount = string

/**
 * The largest whole part we take: 13 digits (under ten thousand billion euros). The reference gives no
 * figure; Chorus Pro's amounts are JSON numbers, exact as IEEE doubles to 15 significant digits, and
 * 13 + 2 decimals keeps every amount exact on the way (go-choruspro and the OCA module use float64).
 */
export const MAX_AMOUNT_WHOLE_DIGITS = 13

/** Whether a normalised amount fits what Chorus Pro can take (see MAX_AMOUNT_WHOLE_DIGITS). */
export function amountFits(amount: Amount): boolean {
  return amount.replace('-', '').split('.')[0]!.replace(/^0+(?=\d)/, '').length <= MAX_AMOUNT_WHOLE_DIGITS
}

const AMOUNT = /^-?\d+(\.\d{1,2})?$/

export function isAmount(v: unknown): v is Amount {
  return typeof v === 'string' && AMOUNT.test(v)
}

/** "12", "12.5", "-0.07" → cents. Throws on anything that is not a plain decimal with at most 2 decimals. */
export function toCents(amount: Amount): bigint {
  if (!AMOUNT.test(amount)) throw new RangeError(`not an amount: ${JSON.stringify(amount)}`)
  const negative = amount.startsWith('-')
  const [whole, frac = ''] = amount.replace('-', '').split('.')
  const cents = BigInt(whole!) * 100n + BigInt((frac + '00').slice(0, 2))
  return negative ? -cents : cents
}

export function fromCents(cents: bigint): Amount {
  const negative = cents < 0n
  const abs = negative ? -cents : cents
  const s = `${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
  return negative ? `-${s}` : s
}

/** Normalises any accepted decimal (also more than 2 decimals, rounded half away from zero) to two decimals. */
export function normalizeAmount(value: string | number | bigint): Amount {
  if (typeof value === 'bigint') return fromCents(value * 100n)
  const s = typeof value === 'number' ? value.toFixed(2) : value.trim()
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s)
  if (!m) throw new RangeError(`not a decimal: ${JSON.stringify(value)}`)
  const [, sign, whole, frac = ''] = m
  let cents = BigInt(whole!) * 100n + BigInt((frac + '00').slice(0, 2))
  if ((frac[2] ?? '0') >= '5') cents += 1n
  return fromCents(sign ? -cents : cents)
}

export function addAmounts(...amounts: Amount[]): Amount {
  return fromCents(amounts.reduce((acc, a) => acc + toCents(a), 0n))
}

export function sameAmount(a: Amount, b: Amount): boolean {
  return toCents(a) === toCents(b)
}

/** Parses an amount as printed: "1 234,56 €", "1.234,56", "1,234.56", "1234.56", "EUR 12". Null when unreadable. */
export function parsePrintedAmount(text: string): Amount | null {
  let s = text.replace(/[€$£]|EUR|euros?/gi, '').replace(/[\s\u00a0\u202f']/g, '')
  const negative = /^-|^\(.*\)$|-$/.test(s)
  s = s.replace(/[()+-]/g, '')
  if (!/^[\d.,]+$/.test(s) || !/\d/.test(s)) return null
  const lastComma = s.lastIndexOf(',')
  const lastDot = s.lastIndexOf('.')
  let decimalSep: ',' | '.' | null = null
  if (lastComma >= 0 && lastDot >= 0) decimalSep = lastComma > lastDot ? ',' : '.'
  else if (lastComma >= 0) decimalSep = s.length - lastComma - 1 <= 2 ? ',' : null
  else if (lastDot >= 0) decimalSep = s.length - lastDot - 1 <= 2 && (s.match(/\./g) ?? []).length === 1 ? '.' : null
  let whole = s
  let frac = ''
  if (decimalSep) {
    const i = s.lastIndexOf(decimalSep)
    whole = s.slice(0, i)
    frac = s.slice(i + 1)
  }
  whole = whole.replace(/[.,]/g, '')
  if (!/^\d*$/.test(whole) || !/^\d*$/.test(frac) || (whole === '' && frac === '')) return null
  const value = normalizeAmount(`${whole || '0'}${frac ? '.' + frac : ''}`)
  return negative && value !== '0.00' ? `-${value}` : value
}

/** fr-FR display: "1 234,56". */
export function formatAmountFr(amount: Amount): string {
  const [whole, frac] = normalizeAmount(amount).split('.')
  const neg = whole!.startsWith('-')
  const digits = whole!.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')
  return `${neg ? '-' : ''}${digits},${frac}`
}
