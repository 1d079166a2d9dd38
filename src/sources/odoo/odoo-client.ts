import { registerSecret } from '../../logger'
import type { Localized } from '../../domain/localized'

/**
 * Odoo's external API over one of two transports (../shared/reference/odoo-documents.md, read 2026-11):
 *
 * - **JSON-2** (Odoo 19+): `POST /json/2/<model>/<method>`, `Authorization: bearer <API key>`,
 *   `X-Odoo-Database` when a database is configured, every argument by name (`ids`, `context`, then the
 *   method's parameters), the return value as plain JSON, errors as real HTTP statuses with a JSON body
 *   `{name, message, arguments, context, debug}`. Each call is its own transaction.
 * - **JSON-RPC** (every version with Documents, 13 to 21): `POST /jsonrpc`, services `common` / `object`,
 *   the API key as the password. Deprecated since 19.0 (served by the `rpc` module, 404 where it is
 *   uninstalled), removed in Odoo 22 / Online 21.1.
 *
 * `protocol: 'auto'` asks `GET /web/version`, then tries a cheap JSON-2 call (`res.users/context_get`):
 * a 404 there means JSON-RPC. The answer is remembered for the process, per source (`memoKey`).
 *
 * Credentials never leave the configured origin: redirects are not followed by fetch
 * (`redirect: 'manual'`); one to the same origin is repeated (at most MAX_REDIRECTS), one to another
 * origin is an error naming it. A 429 is waited out in place when its Retry-After is short, and
 * otherwise remembered so that no call reaches that Odoo before the time it asked for.
 */
export type OdooProtocol = 'json2' | 'jsonrpc'
export type OdooProtocolSetting = OdooProtocol | 'auto'

export interface OdooConnection {
  readonly url: string
  /** Required by JSON-RPC; JSON-2 sends it as X-Odoo-Database when given. */
  readonly database?: string | undefined
  /** Required by JSON-RPC (`common.authenticate`); JSON-2 needs only the key. */
  readonly login?: string | undefined
  readonly apiKey: string
  readonly timeoutMs?: number
  readonly protocol?: OdooProtocolSetting
  /** Where the detected protocol is remembered for the process: one per source (default: url and database). */
  readonly memoKey?: string
  /** Aborts calls and waits (the scan's signal, on shutdown). */
  readonly signal?: AbortSignal
  /** The longest Retry-After waited in place (default 10 s); a longer one fails the call and is honoured by later calls. */
  readonly maxRetryWaitMs?: number
}

export type OdooErrorKind =
  | 'auth' // invalid or expired API key, login refused
  | 'access' // the key's user lacks an access right (403, AccessError)
  | 'missing_app' // a Documents model does not exist: the app is not installed
  | 'not_found' // another model or method the server does not know
  | 'rate_limit' // 429
  | 'redirect' // a redirect to another origin, or too many
  | 'protocol' // the chosen transport is not offered by this server
  | 'config' // the source's settings do not fit this Odoo (unknown folder, missing login…)
  | 'network'
  | 'http'
  | 'rpc'

/** Both languages in one line: the source's last error is one string, read by French and English admins. */
export const bilingual = (m: Localized): string => `${m.fr} — ${m.en}`

export class OdooError extends Error {
  override readonly name = 'OdooError'
  constructor(
    readonly kind: OdooErrorKind,
    readonly messages: Localized,
    readonly remote?: { status?: number; name?: string; message?: string },
    /** For rate_limit: when Odoo accepts calls again (epoch ms). */
    readonly retryAt?: number,
  ) {
    super(bilingual(messages))
  }
}

export type Domain = ReadonlyArray<string | readonly [string, string, unknown]>

export interface OdooField {
  type: string
  relation?: string
  selection?: [string, string][]
}

/** One method call, named the JSON-2 way; `positional` lists the parameters JSON-RPC sends as positional args, in order. */
export interface OdooCall {
  ids?: number[]
  params?: Record<string, unknown>
  positional?: readonly string[]
  context?: Record<string, unknown>
}

export interface OdooClient {
  /** The transport in use (detected once per memoKey when the setting is auto). */
  protocol(): Promise<OdooProtocol>
  /** Checks the key: JSON-RPC `common.authenticate`, JSON-2 `res.users/context_get`; returns the user id. */
  authenticate(): Promise<number>
  call<T = unknown>(model: string, method: string, call?: OdooCall): Promise<T>
  searchRead<T = Record<string, unknown>>(model: string, domain: Domain, opts?: { fields?: string[]; order?: string; limit?: number; offset?: number; context?: Record<string, unknown> }): Promise<T[]>
  read<T = Record<string, unknown>>(model: string, ids: number[], fields: string[]): Promise<T[]>
  write(model: string, ids: number[], values: Record<string, unknown>): Promise<boolean>
  fieldsGet(model: string, attributes?: string[]): Promise<Record<string, OdooField>>
}

const MAX_REDIRECTS = 3
const MAX_429_RETRIES = 3
const USER_AGENT = 'chorus-pro-connector (Odoo Documents source)'

/** The transport detected per source, for the life of the process. */
const detected = new Map<string, OdooProtocol>()
/** Per Odoo origin: no call before this time (a 429's Retry-After). */
const backoffUntil = new Map<string, number>()

/** Forgets detected transports and rate-limit waits (tests; a source whose settings changed). */
export function resetOdooClientState(): void {
  detected.clear()
  backoffUntil.clear()
}

const keyAdvice: Localized = {
  fr: 'une clé API Odoo vaut au plus trois mois : créez-en une nouvelle dans Odoo (Préférences → Sécurité du compte → Nouvelle clé API, de préférence pour un utilisateur dédié) et enregistrez-la dans la source',
  en: 'an Odoo API key lasts at most three months: make a new one in Odoo (Preferences → Account Security → New API Key, preferably for a dedicated user) and save it in the source',
}

function missingModel(model: string, url: string, detail: string): OdooError {
  if (model.startsWith('documents.')) {
    return new OdooError('missing_app', {
      fr: `L'application Documents n'est pas installée sur l'Odoo ${url} (le modèle ${model} n'existe pas) : installez Documents (application Enterprise) ou vérifiez l'URL et la base de la source`,
      en: `The Documents app is not installed on the Odoo at ${url} (the model ${model} does not exist): install Documents (an Enterprise app) or check the source's URL and database`,
    }, { message: detail })
  }
  return new OdooError('not_found', { fr: `L'Odoo ${url} ne connaît pas ${model} : ${detail}`, en: `The Odoo at ${url} does not know ${model}: ${detail}` }, { message: detail })
}

function accessError(model: string, method: string, url: string, detail: string, status?: number): OdooError {
  return new OdooError('access', {
    fr: `L'utilisateur de la clé API n'a pas le droit d'appeler ${model}.${method} sur l'Odoo ${url} : donnez-lui l'accès à Documents (et aux dossiers voulus) (${detail})`,
    en: `The API key's user may not call ${model}.${method} on the Odoo at ${url}: give it access to Documents (and to the folders wanted) (${detail})`,
  }, { ...(status ? { status } : {}), message: detail })
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined
  const s = header.trim()
  if (/^\d+$/.test(s)) return Number(s) * 1000
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : Math.max(0, t - now)
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = () => { clearTimeout(timer); reject(signal!.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

async function jsonOf(res: Response): Promise<unknown> {
  const text = await res.text()
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

interface Json2Error { name?: string; message?: string }
const isJson2Error = (v: unknown): v is Json2Error => typeof v === 'object' && v !== null && ('name' in v || 'message' in v)

export function createOdooClient(conn: OdooConnection): OdooClient {
  registerSecret(conn.apiKey)
  const base = new URL(conn.url)
  const origin = base.origin
  const where = conn.url
  const memoKey = conn.memoKey ?? `${origin}|${conn.database ?? ''}`
  const maxWait = conn.maxRetryWaitMs ?? 10_000
  let uid: number | undefined
  let seq = 0

  const rateLimited = (retryAt: number, status?: number) => {
    const s = Math.max(1, Math.ceil((retryAt - Date.now()) / 1000))
    return new OdooError('rate_limit', {
      fr: `L'Odoo ${where} limite le nombre d'appels (HTTP 429) : rien n'est appelé avant ${s} s ; le prochain passage reprendra où celui-ci s'est arrêté`,
      en: `The Odoo at ${where} is rate limiting (HTTP 429): nothing is called for ${s} s; the next scan resumes where this one stopped`,
    }, status ? { status } : undefined, retryAt)
  }

  /**
   * One HTTP exchange with the configured origin: redirects checked by hand, 429 waited out or
   * remembered. Never follows a redirect to another origin, so neither the key in a JSON-RPC body
   * nor the Authorization header can reach another host.
   */
  async function send(path: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }): Promise<Response> {
    let url = new URL(path, base)
    let hops = 0
    let retries = 0
    for (;;) {
      const until = backoffUntil.get(origin)
      if (until !== undefined) {
        if (until > Date.now()) throw rateLimited(until)
        backoffUntil.delete(origin)
      }
      let res: Response
      try {
        const timeout = AbortSignal.timeout(conn.timeoutMs ?? 30_000)
        res = await fetch(url, { ...init, redirect: 'manual', signal: conn.signal ? AbortSignal.any([timeout, conn.signal]) : timeout })
      } catch (e) {
        const why = e instanceof Error ? (e.name === 'TimeoutError' ? 'timeout' : e.name === 'AbortError' ? 'arrêt / stopped' : e.message) : String(e)
        throw new OdooError('network', { fr: `L'Odoo ${where} n'a pas répondu (${why})`, en: `Odoo at ${where} did not answer (${why})` })
      }
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel()
        const next = new URL(res.headers.get('location')!, url)
        if (next.origin !== origin) {
          throw new OdooError('redirect', {
            fr: `L'Odoo ${where} redirige ${url.pathname} vers une autre origine, ${next.origin} : la clé API n'y est pas envoyée. Si c'est bien votre Odoo, mettez ${next.origin} comme URL de la source`,
            en: `The Odoo at ${where} redirects ${url.pathname} to another origin, ${next.origin}: the API key is not sent there. If that is your Odoo, set ${next.origin} as the source's URL`,
          }, { status: res.status })
        }
        if (++hops > MAX_REDIRECTS) {
          throw new OdooError('redirect', { fr: `L'Odoo ${where} redirige ${path} plus de ${MAX_REDIRECTS} fois`, en: `The Odoo at ${where} redirects ${path} more than ${MAX_REDIRECTS} times` }, { status: res.status })
        }
        // The same request again (method and body kept: an API call turned into a GET would mean nothing).
        url = next
        continue
      }
      if (res.status === 429) {
        await res.body?.cancel()
        const wait = retryAfterMs(res.headers.get('retry-after')) ?? 1000 * 2 ** retries
        if (wait <= maxWait && retries < MAX_429_RETRIES) {
          retries++
          await sleep(wait, conn.signal)
          continue
        }
        const retryAt = Date.now() + Math.max(wait, 1000)
        backoffUntil.set(origin, retryAt)
        throw rateLimited(retryAt, 429)
      }
      return res
    }
  }

  // ---- JSON-RPC ---------------------------------------------------------------------------------

  function rpcNeeds(): { database: string; login: string } {
    if (!conn.database || !conn.login) {
      throw new OdooError('config', {
        fr: `JSON-RPC demande la base et l'identifiant (database, login) de la source ; ou passez à JSON-2 (protocol auto ou json2, Odoo 19 et plus)`,
        en: `JSON-RPC needs the source's database and login; or use JSON-2 (protocol auto or json2, Odoo 19 and later)`,
      })
    }
    return { database: conn.database, login: conn.login }
  }

  async function jsonrpc<T>(service: string, method: string, args: unknown[], target: { model: string; method: string }): Promise<T> {
    const what = `${target.model}.${target.method}`
    const res = await send('/jsonrpc', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: ++seq }),
    })
    if (res.status === 404) {
      await res.body?.cancel()
      detected.delete(memoKey)
      throw new OdooError('protocol', {
        fr: `L'Odoo ${where} n'offre pas JSON-RPC (/jsonrpc répond 404 : module rpc désinstallé, ou Odoo 22 et plus) : choisissez le protocole auto ou json2`,
        en: `The Odoo at ${where} does not offer JSON-RPC (/jsonrpc answers 404: the rpc module is uninstalled, or Odoo 22 and later): use protocol auto or json2`,
      }, { status: 404 })
    }
    if (!res.ok) {
      await res.body?.cancel()
      throw new OdooError('http', { fr: `L'Odoo ${where} a répondu HTTP ${res.status} sur /jsonrpc (${what})`, en: `Odoo at ${where} answered HTTP ${res.status} on /jsonrpc (${what})` }, { status: res.status })
    }
    const body = (await jsonOf(res)) as { result?: T; error?: { message?: string; data?: { name?: string; message?: string } } } | undefined
    if (!body || typeof body !== 'object' || !('result' in body || 'error' in body)) {
      throw new OdooError('http', { fr: `L'Odoo ${where} a répondu autre chose que du JSON-RPC sur /jsonrpc`, en: `Odoo at ${where} answered something that is not JSON-RPC on /jsonrpc` })
    }
    if (body.error) {
      const name = body.error.data?.name ?? ''
      const message = body.error.data?.message ?? body.error.message ?? 'unknown error'
      if (/AccessDenied/.test(name)) {
        throw new OdooError('auth', { fr: `L'Odoo ${where} refuse la clé API (${what}) : clé invalide ou expirée ; ${keyAdvice.fr}`, en: `The Odoo at ${where} refuses the API key (${what}): invalid or expired key; ${keyAdvice.en}` }, { name, message })
      }
      if (/AccessError/.test(name)) throw accessError(target.model, target.method, where, message)
      const missing = /Object (\S+) doesn't exist/.exec(message)?.[1] ?? (/KeyError/.test(name) ? /'([\w.]+)'/.exec(message)?.[1] : undefined)
      if (missing) throw missingModel(missing, where, message)
      throw new OdooError('rpc', { fr: `L'Odoo ${where} a refusé ${what} : ${message}`, en: `Odoo refused ${what}: ${message}` }, { name, message })
    }
    return body.result as T
  }

  // ---- JSON-2 -----------------------------------------------------------------------------------

  function json2Headers(): Record<string, string> {
    const h: Record<string, string> = {
      authorization: `bearer ${conn.apiKey}`,
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
      'user-agent': USER_AGENT,
    }
    if (conn.database) h['x-odoo-database'] = conn.database
    return h
  }

  async function json2<T>(model: string, method: string, body: Record<string, unknown>): Promise<T> {
    const res = await send(`/json/2/${model}/${method}`, { method: 'POST', headers: json2Headers(), body: JSON.stringify(body) })
    const payload = await jsonOf(res)
    if (res.ok) {
      if (payload === undefined) throw new OdooError('http', { fr: `L'Odoo ${where} a répondu autre chose que du JSON sur /json/2/${model}/${method}`, en: `Odoo at ${where} answered something that is not JSON on /json/2/${model}/${method}` }, { status: res.status })
      return payload as T
    }
    const err = isJson2Error(payload) ? payload : undefined
    const name = err?.name ?? ''
    const message = err?.message ?? `HTTP ${res.status}`
    const remote = { status: res.status, name, message }
    if (res.status === 401) {
      throw new OdooError('auth', { fr: `L'Odoo ${where} refuse la clé API (HTTP 401 : ${message}) : clé invalide ou expirée ; ${keyAdvice.fr}`, en: `The Odoo at ${where} refuses the API key (HTTP 401: ${message}): invalid or expired key; ${keyAdvice.en}` }, remote)
    }
    if (res.status === 403 || /AccessError|AccessDenied/.test(name)) throw accessError(model, method, where, message, res.status)
    if (res.status === 404) {
      if (!err) {
        // Not Odoo's JSON-2 404 (which has a JSON body): the route itself is missing.
        detected.delete(memoKey)
        throw new OdooError('protocol', {
          fr: `L'Odoo ${where} n'offre pas JSON-2 (/json/2 répond 404 : Odoo 18 ou antérieur) : choisissez le protocole auto ou jsonrpc`,
          en: `The Odoo at ${where} does not offer JSON-2 (/json/2 answers 404: Odoo 18 or earlier): use protocol auto or jsonrpc`,
        }, remote)
      }
      if (/model .* does not exist|doesn't exist/i.test(message)) throw missingModel(model, where, message)
      throw new OdooError('not_found', { fr: `L'Odoo ${where} ne connaît pas ${model}.${method} : ${message}`, en: `The Odoo at ${where} does not know ${model}.${method}: ${message}` }, remote)
    }
    throw new OdooError(res.status >= 500 ? 'http' : 'rpc', {
      fr: `L'Odoo ${where} a refusé ${model}.${method} (HTTP ${res.status}${name ? ` ${name}` : ''}) : ${message}`,
      en: `Odoo refused ${model}.${method} (HTTP ${res.status}${name ? ` ${name}` : ''}): ${message}`,
    }, remote)
  }

  // ---- detection --------------------------------------------------------------------------------

  async function detect(): Promise<OdooProtocol> {
    let major: number | undefined
    const v = await send('/web/version', { method: 'GET', headers: { accept: 'application/json', 'user-agent': USER_AGENT } })
    if (v.ok) {
      const info = (await jsonOf(v)) as { version_info?: unknown[] } | undefined
      const first = info?.version_info?.[0]
      if (typeof first === 'number') major = first
    } else await v.body?.cancel()
    // JSON-2 came with 19.0 (and the saas~18 releases before it); older servers need no probe.
    if (major !== undefined && major < 18) return 'jsonrpc'
    const res = await send('/json/2/res.users/context_get', { method: 'POST', headers: json2Headers(), body: '{}' })
    const payload = await jsonOf(res)
    if (res.ok) {
      const u = (payload as { uid?: unknown } | undefined)?.uid
      if (typeof u === 'number') uid = u
      return 'json2'
    }
    if (res.status === 404) return 'jsonrpc'
    // A JSON-2 refusal (401 bad key, 403…) still says the server speaks JSON-2; its error is the key's.
    if (isJson2Error(payload) && res.status < 500) return 'json2'
    throw new OdooError('http', { fr: `L'Odoo ${where} a répondu HTTP ${res.status} en cherchant son protocole`, en: `Odoo at ${where} answered HTTP ${res.status} while detecting its protocol` }, { status: res.status })
  }

  async function protocol(): Promise<OdooProtocol> {
    if (conn.protocol === 'json2' || conn.protocol === 'jsonrpc') return conn.protocol
    const known = detected.get(memoKey)
    if (known) return known
    const p = await detect()
    detected.set(memoKey, p)
    return p
  }

  const client: OdooClient = {
    protocol,
    async authenticate() {
      if ((await protocol()) === 'json2') {
        const ctx = await json2<{ uid?: number }>('res.users', 'context_get', {})
        uid = typeof ctx?.uid === 'number' ? ctx.uid : (uid ?? 0)
        return uid
      }
      const { database, login } = rpcNeeds()
      const r = await jsonrpc<number | false>('common', 'authenticate', [database, login, conn.apiKey, {}], { model: 'common', method: 'authenticate' })
      if (!r) {
        throw new OdooError('auth', {
          fr: `L'Odoo ${where} a refusé la connexion de « ${login} » sur la base « ${database} » : identifiant, base ou clé API invalide, ou clé expirée ; ${keyAdvice.fr}`,
          en: `Odoo refused the login "${login}" on database "${database}": wrong login, database or API key, or an expired key; ${keyAdvice.en}`,
        })
      }
      uid = r
      return r
    },
    async call<T>(model: string, method: string, c: OdooCall = {}) {
      const params = c.params ?? {}
      if ((await protocol()) === 'json2') {
        return json2<T>(model, method, { ...(c.ids ? { ids: c.ids } : {}), ...(c.context ? { context: c.context } : {}), ...params })
      }
      const { database } = rpcNeeds()
      if (uid === undefined) await client.authenticate()
      const positional = c.positional ?? []
      const args = [...(c.ids ? [c.ids] : []), ...positional.map((p) => params[p])]
      const kwargs: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(params)) if (!positional.includes(k)) kwargs[k] = v
      if (c.context) kwargs.context = c.context
      return jsonrpc<T>('object', 'execute_kw', [database, uid, conn.apiKey, model, method, args, kwargs], { model, method })
    },
    searchRead(model, domain, opts = {}) {
      const params: Record<string, unknown> = { domain }
      if (opts.fields) params.fields = opts.fields
      if (opts.order) params.order = opts.order
      if (opts.limit !== undefined) params.limit = opts.limit
      if (opts.offset !== undefined) params.offset = opts.offset
      return client.call(model, 'search_read', { params, positional: ['domain'], ...(opts.context ? { context: opts.context } : {}) })
    },
    read(model, ids, fields) {
      return client.call(model, 'read', { ids, params: { fields } })
    },
    write(model, ids, values) {
      return client.call(model, 'write', { ids, params: { vals: values }, positional: ['vals'] })
    },
    fieldsGet(model, attributes = ['type', 'relation', 'selection']) {
      return client.call(model, 'fields_get', { params: { attributes } })
    },
  }
  return client
}

/** Odoo's prefix notation: n terms joined by n-1 leading operators. */
export function domainAnd(parts: Domain[]): Domain {
  const nonEmpty = parts.filter((p) => p.length > 0)
  if (nonEmpty.length === 0) return []
  return [...Array<string>(nonEmpty.length - 1).fill('&'), ...nonEmpty.flat()]
}

export function domainOr(parts: Domain[]): Domain {
  if (parts.some((p) => p.length === 0)) return [] // one branch takes everything
  if (parts.length === 0) return []
  return [...Array<string>(parts.length - 1).fill('|'), ...parts.flat()]
}
