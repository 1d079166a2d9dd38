import { describe, expect, it } from 'vitest'
import { decimalText, JsonDecimal, parseJson, stringifyJson } from '../../src/domain/exact-json'

describe('exact JSON numbers', () => {
  it('writes a JsonDecimal as a raw number token, everything else as JSON.stringify does', () => {
    const body = { a: new JsonDecimal('0.30'), b: [new JsonDecimal('9007199254740993.07'), undefined, 1], c: 'x"y', d: undefined, e: null, f: true, g: new Date(0) }
    expect(stringifyJson(body)).toBe('{"a":0.30,"b":[9007199254740993.07,null,1],"c":"x\\"y","e":null,"f":true,"g":"1970-01-01T00:00:00.000Z"}')
    // A plain JSON.stringify (a stored event) shows the decimal as its text.
    expect(JSON.stringify({ a: new JsonDecimal('0.30') })).toBe('{"a":"0.30"}')
    expect(() => new JsonDecimal('1e3')).toThrow(RangeError)
    expect(() => new JsonDecimal('0.1 ')).toThrow(RangeError)
    expect(() => stringifyJson({ a: 1n })).toThrow(TypeError)
  })

  it('reads fractions and huge integers as their exact text, safe integers as numbers', () => {
    const text = '{"codeRetour":0,"montant":0.30,"big":9007199254740993.07,"huge":12345678901234567890,"exp":1.5E3,"neg":-2.5e-2,"s":"a\\u00e9\\n","l":[1,2.10,{"x":false}],"n":null}'
    expect(parseJson(text)).toEqual({ codeRetour: 0, montant: '0.30', big: '9007199254740993.07', huge: '12345678901234567890', exp: '1500', neg: '-0.025', s: 'aé\n', l: [1, '2.10', { x: false }], n: null })
    expect(parseJson('[0.1]', (t) => new JsonDecimal(t))).toEqual([new JsonDecimal('0.1')])
    // Same structure as JSON.parse for ordinary text.
    const plain = '{"a":[1,-2,"é",true,null,{"b":{}}],"__proto__":1}'
    expect(parseJson(plain)).toEqual(JSON.parse(plain))
    expect(Object.keys(parseJson(plain) as object)).toEqual(['a', '__proto__'])
    for (const bad of ['', '{', '{"a":}', '[1,]', '01', '{"a":1}x', '"\u0001"', 'tru']) expect(() => parseJson(bad), bad).toThrow(SyntaxError)
  })

  it('expands exponents exactly', () => {
    expect(decimalText('1.10')).toBe('1.10')
    expect(decimalText('1E2')).toBe('100')
    expect(decimalText('1.234e1')).toBe('12.34')
    expect(decimalText('5e-3')).toBe('0.005')
    expect(decimalText('-0.5E+1')).toBe('-5')
  })
})
