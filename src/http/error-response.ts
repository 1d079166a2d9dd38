import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from '@hono/zod-openapi'
import { isDatabaseUnreachable } from '../db/database-errors'
import { AppError } from '../domain/app-error'
import { ChorusError } from '../chorus/chorus-error'
import { pickLang, type Lang } from '../domain/localized'
import type { AppEnv } from './app-env'

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string().openapi({ example: 'La requête est invalide : name est obligatoire.' }),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error')

function langOf(c: Context): Lang {
  return (c.get('lang') as Lang | undefined) ?? pickLang(c.req.query('lang') ?? c.req.header('accept-language'))
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } }
}

/** Zod issues as a person reads them: "field.path: message". */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string; code?: string }[]) {
  return issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message, code: i.code }))
}

/**
 * The one error handler: every failure becomes `{ error: { code, message, details } }` with the right
 * status. Unknown errors become a 500 that names the request id and nothing else: no stack, no SQL,
 * no secret; the full error goes to the log under the same request id.
 */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  const lang = langOf(c)
  if (err instanceof AppError) {
    return c.json(errorBody(err.code, err.messages[lang], err.details), err.status as ContentfulStatusCode)
  }
  if (err instanceof ChorusError) {
    // Chorus's own words stay beside ours: support must always see exactly what the platform said.
    const status = err.kind === 'auth' ? 424 : err.retryable ? 503 : 422
    return c.json(
      errorBody(`chorus_${err.catalogue.code}`, `${err.messages[lang]} ${err.catalogue.action[lang]}`.trim(), {
        operation: err.operation,
        kind: err.kind,
        retryable: err.retryable,
        raw: { httpStatus: err.httpStatus, codeRetour: err.codeRetour, libelle: err.libelle },
      }),
      status as ContentfulStatusCode,
    )
  }
  if (err instanceof HTTPException) {
    const status = err.status
    if (status === 413) return c.json(errorBody('payload_too_large', tooLarge[lang]), 413)
    if (status === 400 && /JSON/i.test(err.message)) return c.json(errorBody('malformed_json', malformedJson[lang]), 400)
    if (status === 401) return c.json(errorBody('unauthorized', unauthorized[lang]), 401)
    const message = status >= 500 ? internal[lang] : err.message || badRequest[lang]
    return c.json(errorBody(status >= 500 ? 'internal_error' : 'bad_request', message), status as ContentfulStatusCode)
  }
  if (err instanceof z.ZodError) {
    return c.json(errorBody('invalid_request', invalidRequest[lang], describeIssues(err.issues)), 400)
  }
  const code = (err as { code?: unknown }).code
  // PostgreSQL refuses a NUL character in text (22021, e.g. `?q=%00`) and in JSON (22P05): the request's
  // fault, not ours (found by test/reliability/security.test.ts, 2026-11-21). JSON bodies are checked
  // field by field before any handler (rejectNulInJson); this is the net for the rest.
  if (code === '22021' || code === '22P05') {
    return c.json(errorBody('invalid_characters', lang === 'fr' ? 'La requête contient un caractère invalide (NUL, U+0000).' : 'The request holds an invalid character (NUL, U+0000).'), 400)
  }
  // A number past the column's range (22003): an id of 20 digits names nothing that exists.
  if (code === '22003') {
    if (/\/\d{19,}(\/|$)/.test(c.req.path)) return c.json(errorBody('not_found', lang === 'fr' ? 'Aucun élément ne porte cet identifiant.' : 'Nothing has this id.'), 404)
    return c.json(errorBody('value_out_of_range', lang === 'fr' ? 'Une valeur de la requête est hors des limites admises.' : 'A value of the request is out of the allowed range.'), 400)
  }
  if (isDatabaseUnreachable(err)) {
    c.get('logger')?.warn({ err: err.message }, 'database unreachable')
    c.header('Retry-After', '10')
    return c.json(errorBody('database_unavailable', lang === 'fr' ? 'La base de données est injoignable pour le moment. Réessayez dans quelques secondes ; si cela dure, vérifiez que PostgreSQL fonctionne.' : 'The database cannot be reached right now. Try again in a few seconds; if it lasts, check that PostgreSQL is running.'), 503)
  }
  const requestId = c.get('requestId')
  c.get('logger')?.error({ err: { message: err.message, stack: err.stack, name: err.name }, requestId }, 'unhandled error')
  return c.json(errorBody('internal_error', internal[lang], { requestId }), 500)
}

export function handleNotFound(c: Context<AppEnv>): Response {
  const lang = langOf(c)
  return c.json(errorBody('route_not_found', lang === 'fr' ? `Aucune route ${c.req.method} ${c.req.path}. Consultez /openapi.json.` : `No route ${c.req.method} ${c.req.path}. See /openapi.json.`), 404)
}

/** zod-openapi's hook for request validation failures. */
export function validationHook(result: { success: boolean; error?: z.ZodError }, c: Context<AppEnv>) {
  if (!result.success && result.error) {
    const lang = langOf(c)
    return c.json(errorBody('invalid_request', invalidRequest[lang], describeIssues(result.error.issues)), 400)
  }
  return undefined
}

const tooLarge = { fr: 'Le corps de la requête dépasse la taille autorisée (BODY_LIMIT). Envoyez un fichier plus petit ou augmentez BODY_LIMIT.', en: 'The request body is larger than allowed (BODY_LIMIT). Send a smaller file or raise BODY_LIMIT.' }
const malformedJson = { fr: 'Le corps de la requête n’est pas un JSON valide. Vérifiez la syntaxe et l’en-tête Content-Type: application/json.', en: 'The request body is not valid JSON. Check its syntax and the Content-Type: application/json header.' }
const unauthorized = { fr: 'Clé d’API absente ou invalide. Envoyez l’en-tête Authorization: Bearer <clé>.', en: 'Missing or invalid API key. Send the header Authorization: Bearer <key>.' }
const internal = { fr: 'Erreur interne. Elle a été journalisée avec l’identifiant de requête ; réessayez ou contactez l’administrateur.', en: 'Internal error. It was logged with the request id; try again or contact your administrator.' }
const badRequest = { fr: 'Requête invalide.', en: 'Bad request.' }
const invalidRequest = { fr: 'La requête est invalide : voir details pour chaque champ.', en: 'The request is invalid: see details for each field.' }
