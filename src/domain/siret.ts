/**
 * SIRET (14 digits) and SIREN (9 digits) checks. Both carry a Luhn check digit, except the
 * establishments of La Poste (SIREN 356 000 000), whose SIRETs are numbered sequentially and are valid
 * when the sum of their digits is a multiple of 5 (INSEE rule; the head office 356 000 000 00048 passes both).
 */
export const LA_POSTE_SIREN = '356000000'

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** Removes the spaces, dots and dashes people print inside identifiers ("123 456 789 00012"). */
export function compactIdentifier(raw: string): string {
  return raw.replace(/[\s.\-\u00a0\u202f]/g, '')
}

export function isValidSiren(raw: string): boolean {
  const s = compactIdentifier(raw)
  return /^\d{9}$/.test(s) && luhnValid(s)
}

export function isValidSiret(raw: string): boolean {
  const s = compactIdentifier(raw)
  if (!/^\d{14}$/.test(s)) return false
  if (s.startsWith(LA_POSTE_SIREN)) {
    const sum = [...s].reduce((acc, c) => acc + Number(c), 0)
    return sum % 5 === 0 || luhnValid(s)
  }
  return luhnValid(s)
}

/** The SIREN (first 9 digits) of a SIRET. */
export function sirenOf(siret: string): string {
  return compactIdentifier(siret).slice(0, 9)
}

/** Completes 13 digits with the Luhn check digit; used to build valid test and sandbox identifiers. */
export function withLuhnDigit(prefix: string): string {
  for (let d = 0; d <= 9; d++) {
    const candidate = prefix + String(d)
    if (luhnValid(candidate)) return candidate
  }
  throw new Error('unreachable')
}

/** French intra-community VAT number of a SIREN: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97. */
export function vatNumberOf(siren: string): string {
  const key = (12 + 3 * (Number(siren) % 97)) % 97
  return `FR${String(key).padStart(2, '0')}${siren}`
}
