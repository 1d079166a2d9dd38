import { z } from 'zod'
import { normalizeAmount, type Amount } from '../domain/amount'

/**
 * Chorus sends amounts as JSON numbers; the client reads a fractional number token as its exact decimal
 * text (domain/exact-json.ts), and we hold amounts as exact decimal strings ("1234.56") from then on.
 * Strings are accepted too: several fields come back as strings on some operations.
 */
export const chorusAmount = z.union([z.number(), z.string()]).transform((v, ctx): Amount => {
  try {
    return normalizeAmount(v)
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not an amount' })
    return z.NEVER
  }
})

/** Chorus identifiers (idStructureCPP, identifiantFactureCPP, pieceJointeId) are integers, sometimes sent as strings. */
export const cppId = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)])

/** Every answer carries codeRetour (0 = OK) and libelle (reference §2). Unknown fields are kept (loose objects). */
export const answerBase = {
  codeRetour: z.number().int().default(0),
  libelle: z.string().nullish(),
}

export const parametresRetour = z.looseObject({
  pageCourante: z.number().int().nullish(),
  pages: z.number().int().nullish(),
  nbResultatsParPage: z.number().int().nullish(),
  total: z.number().int().nullish(),
})
export type ParametresRetour = z.output<typeof parametresRetour>

/** An optional string that Chorus may send as null. */
export const optText = z.string().nullish()

/** Pagination as Chorus expects it in a search request (pages start at 1). */
export interface ParametresPagination {
  readonly nbResultatsParPage?: number
  readonly pageResultatDemandee?: number
  readonly triColonne?: string
  readonly triSens?: 'Ascendant' | 'Descendant'
}

/**
 * Amounts go out as JSON numbers written from their exact decimal text (chorus/amount-tokens.ts): give the
 * decimal string ("1234.56"). A number is read as its shortest text (String(n)), never rounded: 0.1 + 0.2
 * is refused, not sent as 0.30.
 */
export type AmountInput = Amount | number

/** File contents: base64 already, or bytes the client encodes. */
export type FileInput = string | Uint8Array
