import { fromCents, toCents } from '../domain/amount'
import { decimalText, JsonDecimal } from '../domain/exact-json'
import type { SoumettreRequest } from './factures-schemas'
import type { AmountInput } from './schema-helpers'

/** A soumettre amount that cannot go out exactly; the client refuses the request before any call. */
export class AmountProblem extends Error {
  constructor(readonly field: string, readonly value: unknown) {
    super(`${field} ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)}`)
  }
}

/**
 * The decimal text of an input, never through arithmetic on a binary float: a string as given, a number as
 * its shortest round-trip text (String(0.1 + 0.2) is "0.30000000000000004", and is then refused below).
 */
function textOf(v: AmountInput): string {
  return typeof v === 'number' ? String(v) : String(v).trim()
}

/** Money: a JSON number with two decimals ("100.00"), from a decimal with at most two decimals. */
function money(field: string, v: AmountInput | undefined): JsonDecimal | undefined {
  if (v === undefined) return undefined
  const text = textOf(v)
  if (!/^-?\d+(?:\.\d{1,2})?$/.test(text)) throw new AmountProblem(field, v)
  return new JsonDecimal(fromCents(toCents(text)))
}

/** Quantities and rates: a JSON number carrying the decimal exactly as given (any number of decimals). */
function exact(field: string, v: AmountInput | undefined): JsonDecimal | undefined {
  if (v === undefined) return undefined
  const text = textOf(v)
  if (!/^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) throw new AmountProblem(field, v)
  return new JsonDecimal(decimalText(text))
}

const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T

/**
 * The soumettre body with every amount as a raw JSON number token built from its exact decimal text
 * (reference "Updates checked 2026-11": the published clients type montantHtTotal, montantTVA,
 * montantTtcTotal and montantAPayer as JSON numbers; send numbers with two decimals). Throws AmountProblem.
 */
export function soumettreBody(request: SoumettreRequest): Record<string, unknown> {
  const mt = request.montantTotal
  return {
    ...request,
    ...(request.lignePoste
      ? {
          lignePoste: request.lignePoste.map((l, i) =>
            defined({
              ...l,
              lignePosteQuantite: exact(`lignePoste[${i}].lignePosteQuantite`, l.lignePosteQuantite),
              lignePosteMontantUnitaireHT: money(`lignePoste[${i}].lignePosteMontantUnitaireHT`, l.lignePosteMontantUnitaireHT),
              lignePosteMontantRemiseHT: money(`lignePoste[${i}].lignePosteMontantRemiseHT`, l.lignePosteMontantRemiseHT),
              lignePosteTauxTvaManuel: exact(`lignePoste[${i}].lignePosteTauxTvaManuel`, l.lignePosteTauxTvaManuel),
            }),
          ),
        }
      : {}),
    ...(request.ligneTva
      ? {
          ligneTva: request.ligneTva.map((l, i) =>
            defined({
              ...l,
              ligneTvaMontantBaseHtParTaux: money(`ligneTva[${i}].ligneTvaMontantBaseHtParTaux`, l.ligneTvaMontantBaseHtParTaux),
              ligneTvaMontantTvaParTaux: money(`ligneTva[${i}].ligneTvaMontantTvaParTaux`, l.ligneTvaMontantTvaParTaux),
              ligneTvaTauxManuel: exact(`ligneTva[${i}].ligneTvaTauxManuel`, l.ligneTvaTauxManuel),
            }),
          ),
        }
      : {}),
    montantTotal: defined({
      ...mt,
      montantHtTotal: money('montantTotal.montantHtTotal', mt.montantHtTotal),
      montantTVA: money('montantTotal.montantTVA', mt.montantTVA),
      montantTtcTotal: money('montantTotal.montantTtcTotal', mt.montantTtcTotal),
      montantRemiseGlobaleTTC: money('montantTotal.montantRemiseGlobaleTTC', mt.montantRemiseGlobaleTTC),
      montantAPayer: money('montantTotal.montantAPayer', mt.montantAPayer),
    }),
  }
}
