/**
 * JSON whose numbers keep their exact decimal text. JavaScript reads and writes JSON numbers as binary
 * floats: 0.1 + 0.2 prints 0.30000000000000004, and 9007199254740993.07 comes back as 9007199254740992.
 * Chorus Pro types its amounts as JSON numbers (reference "Updates checked 2026-11": the published clients,
 * go-choruspro among them, model them as numbers), so amounts are written here as raw number tokens built
 * from the validated decimal text, and read back as text, never through a float.
 */

const PLAIN_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/** A JSON number written exactly as this plain decimal text (no exponent, no leading zeros). */
export class JsonDecimal {
  readonly text: string
  constructor(text: string) {
    if (!PLAIN_DECIMAL.test(text)) throw new RangeError(`not a plain decimal: ${JSON.stringify(text)}`)
    this.text = text
  }
  /** In a plain JSON.stringify (a stored event, a log), the decimal shows as its text. */
  toJSON(): string {
    return this.text
  }
  toString(): string {
    return this.text
  }
}

/** Like JSON.stringify (undefined and functions skipped in objects, null in arrays, toJSON honoured), with each JsonDecimal written as its raw number token. */
export function stringifyJson(value: unknown): string {
  const out = write(value)
  if (out === undefined) throw new TypeError('stringifyJson: nothing to write')
  return out
}

function write(value: unknown): string | undefined {
  if (value instanceof JsonDecimal) return value.text
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null'
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
    case 'bigint':
      throw new TypeError('stringifyJson: a bigint has no JSON form; use a JsonDecimal')
  }
  const o = value as { toJSON?: () => unknown }
  if (typeof o.toJSON === 'function') return write(o.toJSON())
  if (Array.isArray(value)) return `[${value.map((v) => write(v) ?? 'null').join(',')}]`
  const parts: string[] = []
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const w = write(v)
    if (w !== undefined) parts.push(`${JSON.stringify(k)}:${w}`)
  }
  return `{${parts.join(',')}}`
}

/** A JSON number token as a plain decimal, exactly: "1.5E3" → "1500", "-2.5e-2" → "-0.025", "1.10" → "1.10". */
export function decimalText(token: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token)
  if (!m) throw new RangeError(`not a JSON number: ${JSON.stringify(token)}`)
  const [, sign, whole, frac = '', exp] = m
  if (exp === undefined) return `${sign}${whole!.replace(/^0+(?=\d)/, '')}${frac ? `.${frac}` : ''}`
  let digits = whole! + frac
  let point = whole!.length + Number(exp)
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits
    point = 1
  } else if (point > digits.length) digits += '0'.repeat(point - digits.length)
  const int = digits.slice(0, point).replace(/^0+(?=\d)/, '')
  const rest = digits.slice(point)
  return `${sign}${int}${rest ? `.${rest}` : ''}`
}

/**
 * Parses JSON text. An integer token that a float holds exactly (a safe integer: ids, codes, counts) is a
 * number; any other number token (a fraction, an exponent, a huge integer) goes through `decimal` with its
 * exact plain-decimal text, so no amount is ever rounded by a float. Throws SyntaxError on malformed text.
 */
export function parseJson(text: string, decimal: (plain: string) => unknown = (t) => t): unknown {
  let i = 0
  const WS = /[ \t\n\r]*/y
  const fail = (what: string): never => {
    throw new SyntaxError(`JSON: ${what} at position ${i}`)
  }
  const ws = () => {
    WS.lastIndex = i
    WS.exec(text)
    i = WS.lastIndex
  }
  const value = (): unknown => {
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++
      const obj: Record<string, unknown> = {}
      ws()
      if (text[i] === '}') {
        i++
        return obj
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail('expected a key')
        const key = string()
        ws()
        if (text[i] !== ':') fail("expected ':'")
        i++
        // Own data property even for "__proto__", as JSON.parse does.
        Object.defineProperty(obj, key, { value: value(), enumerable: true, writable: true, configurable: true })
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return obj
        }
        fail("expected ',' or '}'")
      }
    }
    if (ch === '[') {
      i++
      const arr: unknown[] = []
      ws()
      if (text[i] === ']') {
        i++
        return arr
      }
      for (;;) {
        arr.push(value())
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return arr
        }
        fail("expected ',' or ']'")
      }
    }
    if (ch === '"') return string()
    if (text.startsWith('true', i)) return (i += 4), true
    if (text.startsWith('false', i)) return (i += 5), false
    if (text.startsWith('null', i)) return (i += 4), null
    JSON_NUMBER.lastIndex = i
    const m = JSON_NUMBER.exec(text)
    if (!m) return fail('unexpected character')
    i = JSON_NUMBER.lastIndex
    const token = m[0]
    if (/^-?\d+$/.test(token)) {
      const n = Number(token)
      if (Number.isSafeInteger(n)) return n
    }
    return decimal(decimalText(token))
  }
  const string = (): string => {
    // Scanned with indexOf rather than one regular expression: a base64 file is a string of several MB,
    // and a backtracking pattern over it exhausts the stack.
    let from = i + 1
    let end = -1
    while (end < 0) {
      const q = text.indexOf('"', from)
      if (q < 0) return fail('unterminated string')
      let slashes = 0
      while (text.charCodeAt(q - 1 - slashes) === 92) slashes++
      if (slashes % 2 === 0) end = q
      else from = q + 1
    }
    const raw = text.slice(i, end + 1)
    i = end + 1
    // JSON.parse decodes escapes and refuses raw control characters, exactly as for any JSON string.
    return raw.includes('\\') || /[\u0000-\u001f]/.test(raw) ? (JSON.parse(raw) as string) : raw.slice(1, -1)
  }
  const out = value()
  ws()
  if (i !== text.length) fail('unexpected text after the value')
  return out
}
