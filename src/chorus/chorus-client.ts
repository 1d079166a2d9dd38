import type { z } from 'zod'
import type { Logger } from 'pino'
import { CHORUS_ERRORS, describeChorusError } from '../domain/chorus-error-catalogue'
import { isCalendarDate } from '../domain/calendar-date'
import { parseJson, stringifyJson } from '../domain/exact-json'
import { AmountProblem, soumettreBody } from './amount-tokens'
import { registerSecret } from '../logger'
import { ChorusError } from './chorus-error'
import { createCircuitBreaker, type BreakerState } from './circuit-breaker'
import { CHORUS_ENDPOINTS, type ChorusEnvironment } from './endpoints'
import { fetchWithTimeout } from './fetch-with-timeout'
import { createRequestLimiter } from './request-limiter'
import { createTokenSource } from './token-cache'
import type { FileInput, ParametresPagination } from './schema-helpers'
import {
  completerResponse,
  consulterFactureFournisseurResponse,
  consulterHistoriqueResponse,
  deposerFluxResponse,
  deposerPdfResponse,
  recyclerResponse,
  rechercherFactureFournisseurResponse,
  soumettreResponse,
  type CompleterRequest,
  type CompleterResponse,
  type ConsulterFactureFournisseurRequest,
  type ConsulterFactureFournisseurResponse,
  type ConsulterHistoriqueRequest,
  type ConsulterHistoriqueResponse,
  type DeposerFluxRequest,
  type DeposerFluxResponse,
  type DeposerPdfRequest,
  type DeposerPdfResponse,
  type RechercherFactureFournisseurRequest,
  type RechercherFactureFournisseurResponse,
  type RecyclerRequest,
  type RecyclerResponse,
  type SoumettreRequest,
  type SoumettreResponse,
} from './factures-schemas'
import {
  consulterServiceResponse,
  consulterStructureResponse,
  rechercherEngagementsJuridiquesResponse,
  rechercherServicesStructureResponse,
  rechercherStructuresResponse,
  type ConsulterServiceRequest,
  type ConsulterServiceResponse,
  type ConsulterStructureRequest,
  type ConsulterStructureResponse,
  type RechercherEngagementsJuridiquesRequest,
  type RechercherEngagementsJuridiquesResponse,
  type RechercherServicesStructureRequest,
  type RechercherServicesStructureResponse,
  type RechercherStructuresRequest,
  type RechercherStructuresResponse,
} from './structures-schemas'
import {
  ajouterFichierResponse,
  consulterCRDetailleResponse,
  healthCheckResponse,
  recupererStructuresActivesFournisseurResponse,
  type AjouterFichierRequest,
  type AjouterFichierResponse,
  type ConsulterCRDetailleRequest,
  type ConsulterCRDetailleResponse,
  type HealthCheckResponse,
  type RecupererStructuresActivesFournisseurResponse,
} from './transverses-schemas'

/** A supplier's Chorus technical account. `label` (e.g. the supplier account's name) is what error messages name. */
export interface TechnicalAccount {
  readonly login: string
  readonly password: string
  readonly label?: string
}

export interface ChorusClientOptions {
  readonly environment: ChorusEnvironment
  /** Full token URL. Defaults to the real PISTE one for qualification/production; required for the sandbox. */
  readonly oauthUrl?: string
  /** API base up to `/cpro`. Same defaults. */
  readonly apiUrl?: string
  readonly clientId: string
  readonly clientSecret: string
  /** Per HTTP call, token request included (default 30 s). */
  readonly timeoutMs?: number
  readonly maxConcurrency?: number
  readonly rateLimitPerSecond?: number
  readonly circuitBreaker?: { readonly failureThreshold?: number; readonly cooldownMs?: number }
  /** Reads only: attempts in all (default 3) and the first backoff delay, doubled each time with jitter (default 500 ms). */
  readonly retry?: { readonly maxAttempts?: number; readonly baseDelayMs?: number; readonly maxDelayMs?: number }
  /** Page size for searches that do not set one (default 100). */
  readonly pageSize?: number
  /** Guard against a search that never ends (default 10,000 pages). */
  readonly maxPages?: number
  readonly logger?: Logger
  readonly now?: () => number
}

export type ChorusClient = ReturnType<typeof createChorusClient>

interface CallOptions<S extends z.ZodType> {
  readonly schema: S
  /** Never retried blindly: Chorus may have applied it (soumettre, deposer/*, recycler, completer). */
  readonly write?: boolean
  readonly method?: 'GET' | 'POST'
  /** Searches: codeRetour 20000 TRA_MSG_00.015 (or 20007 GFT_MSG_01.075) means "no hit", not an error (reference §4). */
  readonly noHitIsEmpty?: boolean
}

const NO_HIT = /TRA_MSG_00\.015|GFT_MSG_01\.075/

function base64(input: FileInput): string {
  return typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('base64')
}

function cproAccountHeader(account: TechnicalAccount): string {
  return Buffer.from(`${account.login}:${account.password}`, 'utf8').toString('base64')
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The Chorus Pro client: the only code that knows PISTE/Chorus URLs and French field names. One method
 * per operation; each takes the supplier's technical account first and Chorus's own request, and returns
 * the zod-parsed answer (amounts as exact decimal strings). Every failure is a ChorusError.
 */
export function createChorusClient(options: ChorusClientOptions) {
  const defaults = options.environment === 'sandbox' ? undefined : CHORUS_ENDPOINTS[options.environment]
  const oauthUrl = options.oauthUrl ?? defaults?.oauthUrl
  const apiUrl = (options.apiUrl ?? defaults?.apiUrl)?.replace(/\/+$/, '')
  if (!oauthUrl || !apiUrl) throw new Error('createChorusClient: oauthUrl and apiUrl are required for the sandbox environment')
  registerSecret(options.clientSecret)
  const timeoutMs = options.timeoutMs ?? 30_000
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 3)
  const baseDelayMs = options.retry?.baseDelayMs ?? 500
  const maxDelayMs = options.retry?.maxDelayMs ?? 10_000
  const pageSize = options.pageSize ?? 100
  const maxPages = options.maxPages ?? 10_000
  const log = options.logger?.child({ component: 'chorus', environment: options.environment })
  const now = options.now ?? Date.now

  const tokens = createTokenSource({ oauthUrl, clientId: options.clientId, clientSecret: options.clientSecret, timeoutMs, now })
  const breaker = createCircuitBreaker({ ...options.circuitBreaker, now })
  const limiter = createRequestLimiter({ maxConcurrency: options.maxConcurrency ?? 5, ratePerSecond: options.rateLimitPerSecond ?? 20 })

  function accountName(account: TechnicalAccount): string {
    return account.label ? `${account.label} (${account.login})` : account.login
  }

  async function send(operation: string, account: TechnicalAccount, body: unknown, method: 'GET' | 'POST', write: boolean) {
    const url = `${apiUrl}/${operation}`
    const post = async (token: string) => {
      // Every call carries the technical account, the health check included: the swagger marks cpro-account
      // required on every operation (reference §1).
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', 'cpro-account': cproAccountHeader(account) }
      if (method === 'POST') headers['content-type'] = 'application/json;charset=utf-8'
      return fetchWithTimeout(operation, url, { method, headers, body: method === 'POST' ? stringifyJson(body ?? {}) : null }, timeoutMs, write)
    }
    let token = await tokens.get()
    let res = await post(token)
    if (res.status === 401 && !refusesAccount(res)) {
      // The token aged out or was revoked early: renew once and retry once. Safe even for writes, since the
      // gateway refused the call before Chorus saw it.
      log?.info({ operation }, 'PISTE refused the token; renewing it once')
      tokens.invalidate(token)
      token = await tokens.get()
      res = await post(token)
    }
    return res
  }

  function refusesAccount(res: Response): boolean {
    // Reference §4 (OCA PR #425): a bad cpro-account is 401 with error_description="login or password incorrects".
    return /login or password|password|mot de passe/i.test(res.headers.get('www-authenticate') ?? '')
  }

  async function interpret<S extends z.ZodType>(operation: string, res: Response, account: TechnicalAccount, call: CallOptions<S>): Promise<z.output<S>> {
    const write = call.write ?? false
    const text = await res.text()
    let json: unknown
    try {
      // Amounts are read as their exact decimal text, never through a binary float (domain/exact-json.ts).
      json = text ? parseJson(text) : undefined
    } catch {
      json = undefined
    }
    const o = (json && typeof json === 'object' ? json : {}) as { codeRetour?: unknown; libelle?: unknown; error_description?: unknown; moreInformation?: unknown; httpMessage?: unknown }
    const codeRetour = typeof o.codeRetour === 'number' ? o.codeRetour : typeof o.codeRetour === 'string' && /^\d+$/.test(o.codeRetour) ? Number(o.codeRetour) : undefined
    const libelle = typeof o.libelle === 'string' ? o.libelle : typeof o.moreInformation === 'string' ? o.moreInformation : typeof o.httpMessage === 'string' ? o.httpMessage : undefined
    const base = { operation, httpStatus: res.status, codeRetour, libelle, account: accountName(account) }

    if (res.status === 401) {
      throw new ChorusError({ ...base, kind: 'auth', wwwAuthenticate: res.headers.get('www-authenticate') ?? undefined })
    }
    if (res.status === 429) throw new ChorusError({ ...base, kind: 'rate_limited', catalogue: CHORUS_ERRORS.chorus_rate_limited })
    if (res.status >= 500 && !(codeRetour !== undefined && codeRetour !== 0 && res.status === 500)) {
      // A 503 was refused before processing; after a 500/502/504 a write may or may not have been applied.
      throw new ChorusError({ ...base, kind: 'unavailable', catalogue: CHORUS_ERRORS.chorus_unavailable, outcomeUnknown: write && res.status !== 503 })
    }
    if (call.noHitIsEmpty && codeRetour !== undefined && codeRetour !== 0 && libelle && NO_HIT.test(libelle)) {
      return parse(operation, call.schema, { ...o, codeRetour })
    }
    if (res.status >= 400 || (codeRetour !== undefined && codeRetour !== 0)) {
      if (res.status === 404 && codeRetour === undefined) throw new ChorusError({ ...base, kind: 'not_found', detail: 'unknown path' })
      if (res.status === 403) throw new ChorusError({ ...base, kind: 'auth', catalogue: CHORUS_ERRORS.access_denied })
      const entry = describeChorusError(base)
      // A refusal we have no catalogue entry for is still Chorus judging the content when it carries a codeRetour.
      const kind = entry.kind !== 'unknown' ? entry.kind : codeRetour !== undefined ? 'business' : 'unknown'
      throw new ChorusError({ ...base, catalogue: entry, kind })
    }
    if (json === undefined) throw new ChorusError({ ...base, kind: 'unknown', catalogue: CHORUS_ERRORS.unexpected_response, detail: 'answer is not JSON' })
    return parse(operation, call.schema, json)
  }

  function parse<S extends z.ZodType>(operation: string, schema: S, json: unknown): z.output<S> {
    const parsed = schema.safeParse(json)
    if (parsed.success) return parsed.data
    // Paths only, never values: an answer can quote personal data.
    const where = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new ChorusError({ operation, kind: 'unknown', catalogue: CHORUS_ERRORS.unexpected_response, httpStatus: 200, detail: `unexpected shape: ${where}` })
  }

  async function once<S extends z.ZodType>(operation: string, account: TechnicalAccount, body: unknown, call: CallOptions<S>): Promise<z.output<S>> {
    if (!breaker.tryAcquire()) {
      throw new ChorusError({
        operation,
        kind: 'unavailable',
        catalogue: CHORUS_ERRORS.chorus_unavailable,
        detail: `circuit open after repeated failures; next try in ${Math.ceil(breaker.retryInMs() / 1000)} s`,
      })
    }
    const started = now()
    try {
      const res = await limiter.run(() => send(operation, account, body, call.method ?? 'POST', call.write ?? false))
      const out = await interpret(operation, res, account, call)
      breaker.recordSuccess()
      log?.debug({ operation, httpStatus: res.status, ms: now() - started }, 'chorus call')
      return out
    } catch (err) {
      if (err instanceof ChorusError && (err.kind === 'unavailable' || err.kind === 'timeout')) {
        const before = breaker.state()
        breaker.recordFailure()
        if (before !== 'open' && breaker.state() === 'open') log?.warn({ operation }, 'Chorus Pro circuit opened: failing fast during the cool-down')
      } else if (err instanceof ChorusError && err.httpStatus !== undefined) breaker.recordSuccess()
      else breaker.release()
      log?.debug({ operation, ms: now() - started, error: err instanceof ChorusError ? err.toJSON() : String(err) }, 'chorus call failed')
      throw err
    }
  }

  async function call<S extends z.ZodType>(operation: string, account: TechnicalAccount, body: unknown, opts: CallOptions<S>): Promise<z.output<S>> {
    registerSecret(`${account.login}:${account.password}`)
    registerSecret(account.password)
    const attempts = opts.write ? 1 : maxAttempts
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(operation, account, body, opts)
      } catch (err) {
        const circuitOpen = breaker.state() === 'open'
        if (!(err instanceof ChorusError) || !err.retryable || attempt >= attempts || circuitOpen) throw err
        const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2)
        log?.debug({ operation, attempt, delay }, 'retrying a read after a retryable failure')
        await sleep(delay)
      }
    }
  }

  /** Reads every page (an existing connector lost invoices by reading only the first 10), de-duplicating rows that shift between pages. */
  async function allPages<S extends z.ZodType, K extends string>(
    operation: string,
    account: TechnicalAccount,
    request: Record<string, unknown>,
    pagingKey: string,
    listKey: K,
    idOf: (row: any) => unknown,
    schema: S,
  ): Promise<z.output<S>> {
    const paging = (request[pagingKey] ?? {}) as ParametresPagination
    const size = paging.nbResultatsParPage ?? pageSize
    const rows: unknown[] = []
    const seen = new Set<unknown>()
    let last: any
    for (let page = 1; ; page++) {
      if (page > maxPages) throw new ChorusError({ operation, kind: 'unknown', catalogue: CHORUS_ERRORS.unexpected_response, detail: `more than ${maxPages} pages` })
      last = await call(operation, account, { ...request, [pagingKey]: { ...paging, nbResultatsParPage: size, pageResultatDemandee: page } }, { schema, noHitIsEmpty: true })
      const list = (last[listKey] ?? []) as unknown[]
      for (const row of list) {
        const id = idOf(row)
        if (id !== undefined && seen.has(id)) continue
        seen.add(id)
        rows.push(row)
      }
      const pages = last.parametresRetour?.pages as number | null | undefined
      const total = last.parametresRetour?.total as number | null | undefined
      if (list.length === 0) break
      if (pages != null ? page >= pages : list.length < size) break
      if (total != null && rows.length >= total && pages == null) break
    }
    return {
      ...last,
      [listKey]: rows,
      parametresRetour: { ...(last.parametresRetour ?? {}), pageCourante: 1, pages: 1, nbResultatsParPage: rows.length, total: rows.length },
    }
  }

  function invalid(operation: string, entry: (typeof CHORUS_ERRORS)[keyof typeof CHORUS_ERRORS], detail: string): ChorusError {
    return new ChorusError({ operation, catalogue: entry, detail })
  }

  return {
    environment: options.environment,
    apiUrl,
    oauthUrl,

    /** Uploads a PDF for Chorus's OCR; creates no invoice (follow with soumettre, modeDepot DEPOT_PDF_API). Never retried. */
    deposerPdf: (account: TechnicalAccount, request: DeposerPdfRequest): Promise<DeposerPdfResponse> =>
      call('factures/v1/deposer/pdf', account, { ...request, fichierFacture: base64(request.fichierFacture) }, { schema: deposerPdfResponse, write: true }),

    /**
     * Adds a file (main or complementary attachment). Retried like a read: a duplicate upload only leaves an
     * unused attachment behind, which Chorus ignores.
     */
    ajouterFichier: (account: TechnicalAccount, request: AjouterFichierRequest): Promise<AjouterFichierResponse> =>
      call('transverses/v1/ajouter/fichier', account, { ...request, pieceJointeFichier: base64(request.pieceJointeFichier) }, { schema: ajouterFichierResponse }),

    /** Submits an invoice. Never retried: on a timeout or unknown outcome the caller reconciles by searching the invoice number. */
    soumettre: (account: TechnicalAccount, request: SoumettreRequest): Promise<SoumettreResponse> => {
      if (!isCalendarDate(request.dateFacture)) return Promise.reject(invalid('factures/v1/soumettre', CHORUS_ERRORS.invoice_date_invalid, `dateFacture ${JSON.stringify(request.dateFacture)}`))
      let body: Record<string, unknown>
      try {
        // Amounts as raw JSON number tokens from their exact decimal text (reference "Updates checked 2026-11").
        body = soumettreBody(request)
      } catch (e) {
        if (e instanceof AmountProblem) return Promise.reject(invalid('factures/v1/soumettre', CHORUS_ERRORS.amount_invalid, e.message))
        throw e
      }
      return call('factures/v1/soumettre', account, body, { schema: soumettreResponse, write: true })
    },

    /** Deposits a flow (Factur-X, UBL, CII). Asynchronous on Chorus's side: follow it with consulterCRDetaille. Never retried. */
    deposerFlux: (account: TechnicalAccount, request: DeposerFluxRequest): Promise<DeposerFluxResponse> =>
      call('factures/v1/deposer/flux', account, { ...request, fichierFlux: base64(request.fichierFlux) }, { schema: deposerFluxResponse, write: true }),

    consulterCRDetaille: (account: TechnicalAccount, request: ConsulterCRDetailleRequest): Promise<ConsulterCRDetailleResponse> =>
      call('transverses/v1/consulterCRDetaille', account, request, { schema: consulterCRDetailleResponse }),

    /** Every invoice matching the filters, all pages read. */
    rechercherFactureFournisseur: (account: TechnicalAccount, request: RechercherFactureFournisseurRequest = {}): Promise<RechercherFactureFournisseurResponse> =>
      allPages('factures/v1/rechercher/fournisseur', account, { ...request }, 'rechercheFactureParFournisseur', 'listeFactures', (r) => r.identifiantFactureCPP, rechercherFactureFournisseurResponse),

    consulterFactureFournisseur: (account: TechnicalAccount, request: ConsulterFactureFournisseurRequest): Promise<ConsulterFactureFournisseurResponse> =>
      call('factures/v1/consulter/fournisseur', account, request, { schema: consulterFactureFournisseurResponse }),

    consulterHistorique: (account: TechnicalAccount, request: ConsulterHistoriqueRequest): Promise<ConsulterHistoriqueResponse> =>
      call('factures/v1/consulter/historique', account, request, { schema: consulterHistoriqueResponse }),

    /** Only while A_RECYCLER. Never retried. */
    recycler: (account: TechnicalAccount, request: RecyclerRequest): Promise<RecyclerResponse> =>
      call('factures/v1/recycler', account, request, { schema: recyclerResponse, write: true }),

    /** Only while SUSPENDUE; the invoice becomes COMPLETEE. Never retried. */
    completer: (account: TechnicalAccount, request: CompleterRequest): Promise<CompleterResponse> =>
      call('factures/v1/completer', account, request, { schema: completerResponse, write: true }),

    /** Every structure matching, all pages read. */
    rechercherStructures: (account: TechnicalAccount, request: RechercherStructuresRequest): Promise<RechercherStructuresResponse> =>
      allPages('structures/v1/rechercher', account, { ...request }, 'parametres', 'listeStructures', (r) => r.idStructureCPP, rechercherStructuresResponse),

    consulterStructure: (account: TechnicalAccount, request: ConsulterStructureRequest): Promise<ConsulterStructureResponse> =>
      call('structures/v1/consulter', account, { codeLangue: 'FR', ...request }, { schema: consulterStructureResponse }),

    /** Every service of the structure, all pages read. */
    rechercherServicesStructure: (account: TechnicalAccount, request: RechercherServicesStructureRequest): Promise<RechercherServicesStructureResponse> =>
      allPages('structures/v1/rechercher/services', account, { ...request }, 'parametresRechercherServicesStructure', 'listeServices', (r) => r.idService, rechercherServicesStructureResponse),

    consulterService: (account: TechnicalAccount, request: ConsulterServiceRequest): Promise<ConsulterServiceResponse> =>
      call('structures/v1/consulter/service', account, { codeLangue: 'FR', ...request }, { schema: consulterServiceResponse }),

    /** An empty list means the engagement number is unknown. */
    rechercherEngagementsJuridiques: (account: TechnicalAccount, request: RechercherEngagementsJuridiquesRequest): Promise<RechercherEngagementsJuridiquesResponse> => {
      // OCA refuses an EJ longer than 50 characters before calling (reference §2.4).
      if ((request.numeroEngagementJuridique?.length ?? 0) > 50) {
        return Promise.reject(invalid('engagementsJuridiques/v1/rechercher', CHORUS_ERRORS.engagement_number_invalid, 'numeroEngagementJuridique longer than 50 characters'))
      }
      return call('engagementsJuridiques/v1/rechercher', account, { etatCourantEngagementJuridique: 'COMMANDE', ...request }, { schema: rechercherEngagementsJuridiquesResponse, noHitIsEmpty: true })
    },

    /** The structures this technical account may invoice for: gives the supplier's idStructureCPP (idFournisseur). */
    recupererStructuresActivesFournisseur: (account: TechnicalAccount): Promise<RecupererStructuresActivesFournisseurResponse> =>
      call('transverses/v1/recuperer/structures/actives/fournisseur', account, {}, { schema: recupererStructuresActivesFournisseurResponse }),

    /**
     * GET health-check: `{ statusCode: "200" }` when the platform answers. Sent with the technical account's
     * cpro-account header like every call (reference §1: the swagger requires it on every operation).
     */
    healthCheck: (account: TechnicalAccount): Promise<HealthCheckResponse> =>
      call('transverses/v1/health-check', account, undefined, { schema: healthCheckResponse, method: 'GET' }),

    /** For metrics and readiness: closed (normal), open (failing fast), half_open (one trial call allowed). */
    breakerState: (): BreakerState => breaker.state(),
    /** Calls waiting for a concurrency or rate slot. */
    pendingCalls: (): number => limiter.pending(),
  }
}
