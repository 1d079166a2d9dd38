import { compactIdentifier, isValidSiren, isValidSiret } from '../domain/siret'

export interface PrintedIdentifier {
  readonly kind: 'siret' | 'siren'
  /** Compact digits. */
  readonly value: string
  readonly index: number
  readonly length: number
}

const SEP = '[ \\u00a0\\u202f.]?'
const SIRET_RE = new RegExp(`(?<![\\d])\\d{3}${SEP}\\d{3}${SEP}\\d{3}${SEP}\\d{5}(?![\\d])`, 'g')
const SIREN_RE = new RegExp(`(?<![\\d])\\d{3}${SEP}\\d{3}${SEP}\\d{3}(?![\\d]|${SEP}\\d)`, 'g')

/**
 * SIRETs and SIRENs printed in a string, grouped or not ("123 456 789 00012"), kept only when their
 * check digit is right (Luhn, or La Poste's digit sum): a 14-digit order number or IBAN fragment
 * rarely passes, so a valid one is very likely an establishment number.
 */
export function findPrintedIdentifiers(text: string): PrintedIdentifier[] {
  const out: PrintedIdentifier[] = []
  SIRET_RE.lastIndex = 0
  for (let m = SIRET_RE.exec(text); m; m = SIRET_RE.exec(text)) {
    const v = compactIdentifier(m[0])
    if (isValidSiret(v)) out.push({ kind: 'siret', value: v, index: m.index, length: m[0].length })
  }
  SIREN_RE.lastIndex = 0
  for (let m = SIREN_RE.exec(text); m; m = SIREN_RE.exec(text)) {
    if (out.some((o) => m!.index >= o.index && m!.index < o.index + o.length)) continue
    const v = compactIdentifier(m[0])
    if (isValidSiren(v)) out.push({ kind: 'siren', value: v, index: m.index, length: m[0].length })
  }
  return out
}
