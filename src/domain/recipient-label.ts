/**
 * Recipient labels as printed on invoices ("MAIRIE DE SAINT-ÉTIENNE", "Mairie de Saint Etienne") and the
 * rules that make two of them the same recipient. The rules are deliberately few and predictable, so
 * an accountant can tell in advance whether two labels match:
 *
 * 1. Accents and ligatures are dropped (é → e, œ → oe, æ → ae, ß → ss), letters are lower-cased.
 * 2. Dotted acronyms are closed up: "C.H.U." and "CHU" are the same word.
 * 3. Every other character that is neither a letter nor a digit (spaces of any kind, apostrophes,
 *    hyphens, punctuation, &, /) separates words; runs of separators become one space.
 *
 * Abbreviations are NOT expanded ("St" stays "st", never "saint"): that would make matching depend on
 * a dictionary nobody can see. Close labels are offered as fuzzy suggestions instead, which a person
 * confirms; a suggestion is never applied on its own.
 */

const LIGATURES: Record<string, string> = { œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae', ß: 'ss', ø: 'o', Ø: 'o', đ: 'd', Đ: 'd', ł: 'l', Ł: 'l' }

/** French articles and prepositions, ignored by the similarity (never by the exact matching). */
const STOP_WORDS = new Set(['de', 'du', 'des', 'd', 'la', 'le', 'les', 'l', 'et', 'a', 'au', 'aux', 'en', 'pour', 'sur'])

const DOTTED_ACRONYM = /(?<![\p{L}\p{N}])\p{L}(?:\.\p{L})+\.?(?![\p{L}\p{N}])/gu

export function normalizeLabel(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[œŒæÆßøØđĐłŁ]/g, (c) => LIGATURES[c] ?? c)
    .toLowerCase()
    .replace(DOTTED_ACRONYM, (m) => m.replace(/\./g, ''))
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** Character trigrams of each word, padded like PostgreSQL's pg_trgm ("  mairie " → "  m", " ma", …). */
export function labelTrigrams(normalized: string): Map<string, number> {
  const grams = new Map<string, number>()
  const words = normalized.split(' ').filter(Boolean)
  // "de", "la", "du"… carry no identity; a label made only of them still compares on them.
  const significant = words.filter((w) => !STOP_WORDS.has(w))
  for (const word of significant.length > 0 ? significant : words) {
    const padded = `  ${word} `
    for (let i = 0; i + 3 <= padded.length; i++) {
      const g = padded.slice(i, i + 3)
      grams.set(g, (grams.get(g) ?? 0) + 1)
    }
  }
  return grams
}

/**
 * How alike two labels are, from 0 (nothing in common) to 1 (same normalised label): the Dice
 * coefficient of their trigram multisets. Robust to a typo, a missing word or words in another order
 * ("Lyon mairie" vs "Mairie de Lyon"), which is what a suggestion needs.
 */
export function labelSimilarity(a: string, b: string): number {
  const na = normalizeLabel(a)
  const nb = normalizeLabel(b)
  if (!na || !nb) return 0
  if (na === nb) return 1
  return trigramDice(labelTrigrams(na), labelTrigrams(nb))
}

export function trigramDice(a: Map<string, number>, b: Map<string, number>): number {
  let sizeA = 0
  let sizeB = 0
  let common = 0
  for (const n of a.values()) sizeA += n
  for (const [g, n] of b) {
    sizeB += n
    const m = a.get(g)
    if (m) common += Math.min(m, n)
  }
  if (sizeA + sizeB === 0) return 0
  return (2 * common) / (sizeA + sizeB)
}

/** Below this similarity a label is not worth showing as a suggestion (tuned on the cases in test/recipients). */
export const SUGGESTION_THRESHOLD = 0.45

/** The reserved Chorus Pro service for invoices between public entities; a supplier's invoice must never name it. */
export const RESERVED_SERVICE_CODE = 'FACTURES_PUBLIQUES'

/** Chorus Pro's limit for an engagement number (reference: OCA/l10n-france#275). */
export const ENGAGEMENT_NUMBER_MAX_LENGTH = 50
