import {
  describeChorusError,
  renderCatalogueText,
  type ChorusCatalogueEntry,
  type ChorusErrorFacts,
  type ChorusErrorKind,
} from '../domain/chorus-error-catalogue'
import type { Localized } from '../domain/localized'

export type { ChorusErrorKind }

export interface ChorusErrorInit extends ChorusErrorFacts {
  readonly kind?: ChorusErrorKind
  /** Overrides the catalogue entry found from the facts (e.g. a timeout, an open circuit). */
  readonly catalogue?: ChorusCatalogueEntry
  /** The supplier account's label (or login), named in auth messages. Never a password. */
  readonly account?: string | undefined
  /** For writes that timed out or broke mid-flight: Chorus may have applied them, so reconcile before retrying. */
  readonly outcomeUnknown?: boolean
  readonly detail?: string
  readonly cause?: unknown
}

const RETRYABLE: ReadonlySet<ChorusErrorKind> = new Set(['unavailable', 'timeout', 'rate_limited'])

/**
 * A failed Chorus Pro call. Carries what a program branches on (kind, retryable), what a person reads
 * (catalogue entry rendered in French and English) and the raw facts (HTTP status, codeRetour, libelle)
 * so support can always see exactly what Chorus said. Its message never holds a secret: it is built only
 * from the operation, the catalogue and Chorus's own libelle.
 */
export class ChorusError extends Error {
  override readonly name = 'ChorusError'
  readonly kind: ChorusErrorKind
  /** True when the same call may succeed later unchanged (queue it, don't show it to a person as their fault). */
  readonly retryable: boolean
  readonly httpStatus: number | undefined
  readonly codeRetour: number | undefined
  readonly libelle: string | undefined
  readonly operation: string
  readonly catalogue: ChorusCatalogueEntry
  /** The catalogue message with the account named: French first, English beside it. */
  readonly messages: Localized
  readonly account: string | undefined
  readonly outcomeUnknown: boolean
  readonly detail: string | undefined

  constructor(init: ChorusErrorInit) {
    const catalogue = init.catalogue ?? describeChorusError(init)
    const messages = renderCatalogueText(catalogue.messages, { account: init.account })
    const raw = [
      init.httpStatus !== undefined ? `HTTP ${init.httpStatus}` : undefined,
      init.codeRetour !== undefined ? `codeRetour ${init.codeRetour}` : undefined,
      init.libelle ? `libelle "${init.libelle}"` : undefined,
      init.detail,
    ].filter(Boolean)
    super(`${init.operation}: ${messages.en}${raw.length ? ` (${raw.join(', ')})` : ''}`, init.cause ? { cause: init.cause } : undefined)
    this.kind = init.kind ?? catalogue.kind
    this.retryable = RETRYABLE.has(this.kind)
    this.httpStatus = init.httpStatus
    this.codeRetour = init.codeRetour
    this.libelle = init.libelle
    this.operation = init.operation
    this.catalogue = catalogue
    this.messages = messages
    this.account = init.account
    this.outcomeUnknown = init.outcomeUnknown ?? false
    this.detail = init.detail
  }

  /** A JSON-safe summary for logs, API error details and job records. */
  toJSON() {
    return {
      kind: this.kind,
      retryable: this.retryable,
      code: this.catalogue.code,
      message: this.messages,
      action: this.catalogue.action,
      operation: this.operation,
      httpStatus: this.httpStatus,
      codeRetour: this.codeRetour,
      libelle: this.libelle,
      outcomeUnknown: this.outcomeUnknown,
    }
  }
}

export function isChorusError(e: unknown): e is ChorusError {
  return e instanceof ChorusError
}
