import type { ChorusError } from '../chorus'
import type { Localized } from '../domain/localized'

/** A Chorus Pro failure as a document records it: our code, a clear message with what to do, and Chorus's own words. */
export interface ChorusProblem {
  readonly code: string
  readonly message: Localized
  readonly raw: { readonly operation: string; readonly httpStatus: number | null | undefined; readonly codeRetour: unknown; readonly libelle: unknown }
}

export function chorusProblem(e: ChorusError): ChorusProblem {
  return {
    code: `chorus_${e.catalogue.code}`,
    message: { fr: `${e.messages.fr} ${e.catalogue.action.fr}`.trim(), en: `${e.messages.en} ${e.catalogue.action.en}`.trim() },
    raw: { operation: e.operation, httpStatus: e.httpStatus, codeRetour: e.codeRetour, libelle: e.libelle },
  }
}
