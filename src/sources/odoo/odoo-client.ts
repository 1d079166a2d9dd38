import { registerSecret } from '../../logger'

/**
 * Odoo's external API over JSON-RPC (`POST /jsonrpc`, service `common` / `object`), which every
 * version with Documents (13 to 19) answers; deprecated since 19.0 and scheduled for removal in
 * Odoo 22 (../shared/reference/odoo-documents.md, read 2026-11). The API key is the password.
 */
export interface OdooConnection {
  readonly url: string
  readonly database: string
  readonly login: string
  readonly apiKey: string
  readonly timeoutMs?: number
}

export type OdooErrorKind = 'auth' | 'network' | 'http' | 'rpc'

export class OdooError extends Error {
  override readonly name = 'OdooError'
  constructor(readonly kind: OdooErrorKind, message: string, readonly remote?: { name?: string; message?: string }) {
    super(message)
  }
}

export type Domain = ReadonlyArray<string | readonly [string, string, unknown]>

export interface OdooClient {
  authenticate(): Promise<number>
  executeKw<T = unknown>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T>
  searchRead<T = Record<string, unknown>>(model: string, domain: Domain, opts?: { fields?: string[]; order?: string; limit?: number; offset?: number; context?: Record<string, unknown> }): Promise<T[]>
  read<T = Record<string, unknown>>(model: string, ids: number[], fields: string[]): Promise<T[]>
  write(model: string, ids: number[], values: Record<string, unknown>): Promise<boolean>
  fieldsGet(model: string, attributes?: string[]): Promise<Record<string, { type: string; relation?: string; selection?: [string, string][] }>>
}

export function createOdooClient(conn: OdooConnection): OdooClient {
  registerSecret(conn.apiKey)
  const endpoint = new URL('/jsonrpc', conn.url).toString()
  let uid: number | undefined
  let seq = 0

  async function call<T>(service: string, method: string, args: unknown[]): Promise<T> {
    let res: Response
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: ++seq }),
        signal: AbortSignal.timeout(conn.timeoutMs ?? 30_000),
      })
    } catch (e) {
      throw new OdooError('network', `Odoo at ${conn.url} did not answer (${e instanceof Error ? e.name === 'TimeoutError' ? 'timeout' : e.message : String(e)})`)
    }
    if (!res.ok) throw new OdooError('http', `Odoo at ${conn.url} answered HTTP ${res.status} on /jsonrpc`)
    let body: { result?: T; error?: { message?: string; data?: { name?: string; message?: string } } }
    try {
      body = (await res.json()) as typeof body
    } catch {
      throw new OdooError('http', `Odoo at ${conn.url} answered something that is not JSON-RPC on /jsonrpc`)
    }
    if (body.error) {
      const name = body.error.data?.name ?? ''
      const message = body.error.data?.message ?? body.error.message ?? 'unknown error'
      const kind: OdooErrorKind = /AccessDenied|AccessError/.test(name) ? 'auth' : 'rpc'
      throw new OdooError(kind, `Odoo refused ${service}.${method}: ${message}`, { name, message })
    }
    return body.result as T
  }

  const client: OdooClient = {
    async authenticate() {
      const r = await call<number | false>('common', 'authenticate', [conn.database, conn.login, conn.apiKey, {}])
      if (!r) throw new OdooError('auth', `Odoo refused the login "${conn.login}" on database "${conn.database}": check the login and the API key`)
      uid = r
      return r
    },
    async executeKw<T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) {
      if (uid === undefined) await client.authenticate()
      return call<T>('object', 'execute_kw', [conn.database, uid, conn.apiKey, model, method, args, kwargs])
    },
    searchRead(model, domain, opts = {}) {
      const kwargs: Record<string, unknown> = {}
      if (opts.fields) kwargs.fields = opts.fields
      if (opts.order) kwargs.order = opts.order
      if (opts.limit !== undefined) kwargs.limit = opts.limit
      if (opts.offset !== undefined) kwargs.offset = opts.offset
      if (opts.context) kwargs.context = opts.context
      return client.executeKw(model, 'search_read', [domain], kwargs)
    },
    read(model, ids, fields) {
      return client.executeKw(model, 'read', [ids], { fields })
    },
    write(model, ids, values) {
      return client.executeKw(model, 'write', [ids, values])
    },
    fieldsGet(model, attributes = ['type', 'relation', 'selection']) {
      return client.executeKw(model, 'fields_get', [], { attributes })
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
