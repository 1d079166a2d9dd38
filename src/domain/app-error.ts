import type { Localized } from './localized'

/**
 * An error meant for the person or program that made the request: an HTTP status, a stable code,
 * a message in French and English that names the problem and the fix, and details (never a secret).
 * The one HTTP error handler turns it into `{ error: { code, message, details } }`.
 */
export class AppError extends Error {
  override readonly name = 'AppError'
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messages: Localized,
    readonly details?: unknown,
  ) {
    super(messages.en)
  }
}

export const badRequest = (code: string, messages: Localized, details?: unknown) => new AppError(400, code, messages, details)
export const notFound = (what: Localized, details?: unknown) =>
  new AppError(404, 'not_found', { fr: `${what.fr} introuvable.`, en: `${what.en} not found.` }, details)
export const conflict = (code: string, messages: Localized, details?: unknown) => new AppError(409, code, messages, details)
