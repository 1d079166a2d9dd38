import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from '@hono/zod-openapi'
import { isDatabaseUnreachable } from '../db/database-errors'
import { AppError } from '../domain/app-error'
import { ChorusError } from '../chorus/chorus-error'
import { pickLang, type Lang, type Localized } from '../domain/localized'
import { fieldLabel } from '../domain/field-labels'
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

/** A zod issue, as much of it as the messages below read. */
export interface Issue {
  readonly path: readonly PropertyKey[]
  readonly message: string
  readonly code?: string
  readonly expected?: unknown
  readonly origin?: string
  readonly minimum?: number | bigint
  readonly maximum?: number | bigint
  readonly values?: readonly unknown[]
  readonly keys?: readonly string[]
  readonly format?: string
  readonly received?: unknown
}

/**
 * The messages our schemas give in English (`.regex(…, 'expected …')`, `.refine(…, { message })`), in both
 * languages. A message missing here is said from the issue's code instead, so French stays French.
 */
const SCHEMA_MESSAGES: Readonly<Record<string, Localized>> = {
  'expected a valid 14-digit SIRET (check digit included), e.g. 21420218600012': { fr: '14 chiffres attendus, clé de contrôle comprise (ex. 21420218600012)', en: '14 digits expected, check digit included (e.g. 21420218600012)' },
  'expected a valid 14-digit SIRET (check digit included), e.g. 12345678200010': { fr: '14 chiffres attendus, clé de contrôle comprise (ex. 12345678200010)', en: '14 digits expected, check digit included (e.g. 12345678200010)' },
  'expected a calendar date YYYY-MM-DD': { fr: 'une date AAAA-MM-JJ est attendue', en: 'a date YYYY-MM-DD is expected' },
  'expected a decimal amount such as 1234.56': { fr: 'un montant est attendu, par exemple 1234.56', en: 'an amount is expected, such as 1234.56' },
  'expected an account id or "global"': { fr: 'l’identifiant d’un compte, ou « global », est attendu', en: 'an account id, or "global", is expected' },
  'expected an absolute http(s) URL': { fr: 'une adresse complète en http(s):// est attendue', en: 'a full http(s):// address is expected' },
  'expected an http:// or https:// URL': { fr: 'une adresse en http:// ou https:// est attendue', en: 'an http:// or https:// address is expected' },
  'expected a valid regular expression': { fr: 'une expression régulière valide est attendue', en: 'a valid regular expression is expected' },
  'expected numeric document ids': { fr: 'des identifiants de documents (chiffres) sont attendus', en: 'document ids (digits) are expected' },
  'expected an e-mail address': { fr: 'une adresse e-mail est attendue', en: 'an e-mail address is expected' },
  'expected a host name or an IP address': { fr: 'un nom d’hôte ou une adresse IP est attendu', en: 'a host name or an IP address is expected' },
  'the label needs at least one letter or digit': { fr: 'il faut au moins une lettre ou un chiffre', en: 'at least one letter or digit is needed' },
  'give at least one field to change': { fr: 'donnez au moins un champ à modifier', en: 'give at least one field to change' },
  'FACTURES_PUBLIQUES is reserved for invoices between public entities: give the recipient service, or none': { fr: 'FACTURES_PUBLIQUES est réservé aux factures entre entités publiques : donnez le service destinataire, ou aucun', en: 'FACTURES_PUBLIQUES is reserved for invoices between public entities: give the recipient service, or none' },
}

const quote = (lang: Lang, v: unknown) => (lang === 'fr' ? `« ${String(v)} »` : `"${String(v)}"`)

/** One issue's problem, without the field's name, in one language. */
function issueText(i: Issue, lang: Lang): string {
  const fr = lang === 'fr'
  const schema = SCHEMA_MESSAGES[i.message]
  if (schema) return schema[lang]
  if (/^expected a numeric .*id$/.test(i.message)) return fr ? 'un identifiant en chiffres est attendu' : 'an id made of digits is expected'
  const atMost = /^at most (\d+) characters( \(Chorus Pro limit\))?$/.exec(i.message)
  if (atMost) return fr ? `${atMost[1]} caractères au plus${atMost[2] ? ' (limite de Chorus Pro)' : ''}` : `at most ${atMost[1]} characters${atMost[2] ? ' (Chorus Pro limit)' : ''}`
  const n = (v: number | bigint | undefined) => String(v)
  switch (i.code) {
    case 'invalid_type':
      if (/received undefined/.test(i.message)) return fr ? 'obligatoire' : 'required'
      if (i.expected === 'number' || i.expected === 'int') return fr ? 'un nombre est attendu' : 'a number is expected'
      if (i.expected === 'boolean') return fr ? 'true ou false est attendu' : 'true or false is expected'
      if (i.expected === 'array') return fr ? 'une liste est attendue' : 'a list is expected'
      if (i.expected === 'object') return fr ? 'un objet JSON est attendu' : 'a JSON object is expected'
      return fr ? 'un texte est attendu' : 'a text is expected'
    case 'invalid_value': {
      const allowed = (i.values ?? []).map(String).join(', ')
      return fr ? `valeur inconnue ; valeurs admises : ${allowed}` : `unknown value; allowed values: ${allowed}`
    }
    case 'too_small':
      if (i.origin === 'string') return Number(i.minimum) <= 1 ? (fr ? 'obligatoire (vide)' : 'required (empty)') : fr ? `${n(i.minimum)} caractères au moins` : `at least ${n(i.minimum)} characters`
      if (i.origin === 'array' || i.origin === 'set') return fr ? `${n(i.minimum)} élément(s) au moins` : `at least ${n(i.minimum)} item(s)`
      return fr ? `${n(i.minimum)} au moins` : `at least ${n(i.minimum)}`
    case 'too_big':
      if (i.origin === 'string') return fr ? `${n(i.maximum)} caractères au plus` : `at most ${n(i.maximum)} characters`
      if (i.origin === 'array' || i.origin === 'set') return fr ? `${n(i.maximum)} élément(s) au plus` : `at most ${n(i.maximum)} item(s)`
      return fr ? `${n(i.maximum)} au plus` : `at most ${n(i.maximum)}`
    case 'invalid_format':
      if (i.format === 'email') return fr ? 'une adresse e-mail est attendue' : 'an e-mail address is expected'
      if (i.format === 'url') return fr ? 'une adresse (URL) est attendue' : 'an address (URL) is expected'
      return fr ? 'format invalide' : 'invalid format'
    case 'unrecognized_keys':
      return fr ? `champ(s) inconnu(s) : ${(i.keys ?? []).join(', ')}` : `unknown field(s): ${(i.keys ?? []).join(', ')}`
    default:
      return fr ? 'valeur invalide' : 'invalid value'
  }
}

/**
 * Zod issues as a person reads them, every one of them, in their language: `field` (the path, for
 * programs), `label` (the field as a person names it) and `message` ("SIRET du destinataire : 14 chiffres
 * attendus…").
 */
export function describeIssues(issues: readonly Issue[], lang: Lang = 'fr') {
  // One message per field (its first problem: an empty label is "required", not also "needs a letter").
  const seen = new Set<string>()
  const firsts = issues.filter((i) => {
    const key = i.path.map(String).join('.')
    if (i.code === 'unrecognized_keys' || !seen.has(key)) return seen.add(key), true
    return false
  })
  return firsts.map((i) => {
    const field = i.path.map(String).join('.') || '(body)'
    const label = i.path.length ? fieldLabel(field)[lang] : lang === 'fr' ? 'Requête' : 'Request'
    return { field, label, message: lang === 'fr' ? `${label} : ${issueText(i, lang)}` : `${label}: ${issueText(i, lang)}`, code: i.code }
  })
}

const isLocalized = (v: unknown): v is Localized => typeof v === 'object' && v !== null && typeof (v as Localized).fr === 'string' && typeof (v as Localized).en === 'string'

/**
 * Field errors a workflow gives in both languages (`[{ field, label: {fr,en}, messages: {fr,en} }]`) in the
 * caller's language (`label`, `message`), like the validation errors above. Anything else is left as it is.
 */
function localizeDetails(details: unknown, lang: Lang): unknown {
  if (!Array.isArray(details)) return details
  return details.map((d: unknown) => {
    if (typeof d !== 'object' || d === null) return d
    const { messages, label, ...rest } = d as { messages?: unknown; label?: unknown }
    return { ...rest, ...(label !== undefined ? { label: isLocalized(label) ? label[lang] : label } : {}), ...(isLocalized(messages) ? { message: messages[lang] } : messages !== undefined ? { messages } : {}) }
  })
}

/** The message of a 400 with field errors: how many, then each one. */
function invalidMessage(details: ReadonlyArray<{ message: string }>, lang: Lang): string {
  const head = invalidRequest[lang]
  return `${head} ${details.map((d) => d.message).join(lang === 'fr' ? ' ; ' : '; ')}.`.replace(/\.\.$/, '.')
}

/**
 * The one error handler: every failure becomes `{ error: { code, message, details } }` with the right
 * status. Unknown errors become a 500 that names the request id and nothing else: no stack, no SQL,
 * no secret; the full error goes to the log under the same request id.
 */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  const lang = langOf(c)
  if (err instanceof AppError) {
    return c.json(errorBody(err.code, err.messages[lang], localizeDetails(err.details, lang)), err.status as ContentfulStatusCode)
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
    const details = describeIssues(err.issues as readonly Issue[], lang)
    return c.json(errorBody('invalid_request', invalidMessage(details, lang), details), 400)
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
    const details = describeIssues(result.error.issues as readonly Issue[], lang)
    return c.json(errorBody('invalid_request', invalidMessage(details, lang), details), 400)
  }
  return undefined
}

const tooLarge = { fr: 'Le corps de la requête dépasse la taille autorisée (BODY_LIMIT). Envoyez un fichier plus petit ou augmentez BODY_LIMIT.', en: 'The request body is larger than allowed (BODY_LIMIT). Send a smaller file or raise BODY_LIMIT.' }
const malformedJson = { fr: 'Le corps de la requête n’est pas un JSON valide. Vérifiez la syntaxe et l’en-tête Content-Type: application/json.', en: 'The request body is not valid JSON. Check its syntax and the Content-Type: application/json header.' }
const unauthorized = { fr: 'Clé d’API absente ou invalide. Envoyez l’en-tête Authorization: Bearer <clé>.', en: 'Missing or invalid API key. Send the header Authorization: Bearer <key>.' }
const internal = { fr: 'Erreur interne. Elle a été journalisée avec l’identifiant de requête ; réessayez ou contactez l’administrateur.', en: 'Internal error. It was logged with the request id; try again or contact your administrator.' }
const badRequest = { fr: 'Requête invalide.', en: 'Bad request.' }
const invalidRequest = { fr: 'À corriger :', en: 'To fix:' }
