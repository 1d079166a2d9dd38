import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeOdoo, type FakeOdoo } from '../support/fake-odoo'
import { createOdooClient, OdooError, resetOdooClientState, retryAfterMs, type OdooConnection } from '../../src/sources/odoo/odoo-client'

/**
 * The Odoo client's transports without a database: detection, JSON-2 as the fake serves it (Odoo's
 * argument binding), errors by kind, rate limits, and redirects that must never carry the key to
 * another origin.
 */
const API_KEY = 'odoo-api-key-0123456789'
const RPC = { database: 'odoo', login: 'connector@example.com' }

async function kindOf(p: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await p
  } catch (e) {
    if (e instanceof OdooError) return { kind: e.kind, message: e.message }
    throw e
  }
  throw new Error('expected an OdooError')
}

/** A second server on another port (another origin) that records what reaches it and would accept anything. */
async function startBystander(): Promise<{ url: string; seen: Array<{ path: string; headers: IncomingHttpHeaders; body: string }>; close(): Promise<void> }> {
  const seen: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(req.url?.startsWith('/jsonrpc') ? { jsonrpc: '2.0', id: 1, result: 2 } : { uid: 2, version_info: [19, 0, 0, 'final', 0, ''] }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }) }
}

afterEach(() => resetOdooClientState())

describe('protocol detection (auto)', () => {
  const cases = [
    { name: 'v17 (/web/version says 17: no JSON-2 probe)', server: { set: 'v17' as const }, want: 'jsonrpc', probe: false },
    { name: 'v17 without /web/version (as 13 to 15): the JSON-2 probe answers 404', server: { set: 'v17' as const, webVersion: false }, want: 'jsonrpc', probe: true },
    { name: 'v18 (/json/2 answers 404)', server: { set: 'v18' as const }, want: 'jsonrpc', probe: true },
    { name: 'v19', server: { set: 'v19' as const }, want: 'json2', probe: true },
    { name: 'v19 without the rpc module', server: { set: 'v19' as const, rpc: false }, want: 'json2', probe: true },
    { name: 'v20', server: { set: 'v20' as const }, want: 'json2', probe: true },
  ]
  it.each(cases)('$name → $want, once per memo key', async ({ server, want, probe }) => {
    const odoo = await startFakeOdoo({ ...server, apiKey: API_KEY })
    try {
      const conn: OdooConnection = { url: odoo.url, ...RPC, apiKey: API_KEY, memoKey: `test:${odoo.url}` }
      expect(await createOdooClient(conn).protocol()).toBe(want)
      expect(odoo.requests.some((q) => q.path === '/json/2/res.users/context_get')).toBe(probe)
      const n = odoo.requests.length
      // Another client of the same source (the next scan) remembers it.
      expect(await createOdooClient(conn).protocol()).toBe(want)
      expect(odoo.requests.length).toBe(n)
      // The key never travels in a URL, and the probe carries it only as a bearer token.
      for (const q of odoo.requests) expect(q.path).not.toContain(API_KEY)
      // The whole intake path works over the detected transport.
      const client = createOdooClient(conn)
      await client.authenticate()
      expect(await client.searchRead('documents.tag', [], { fields: ['id', 'name'] })).toEqual([])
    } finally {
      await odoo.close()
    }
  })

  it('a forced transport the server lacks is a clear error, and auto finds the other one', async () => {
    const v18 = await startFakeOdoo({ set: 'v18', apiKey: API_KEY })
    const v19 = await startFakeOdoo({ set: 'v19', rpc: false, apiKey: API_KEY })
    try {
      const e1 = await kindOf(createOdooClient({ url: v18.url, ...RPC, apiKey: API_KEY, protocol: 'json2' }).authenticate())
      expect(e1.kind).toBe('protocol')
      expect(e1.message).toMatch(/does not offer JSON-2.*use protocol auto or jsonrpc/)
      expect(e1.message).toMatch(/n'offre pas JSON-2/)
      const e2 = await kindOf(createOdooClient({ url: v19.url, ...RPC, apiKey: API_KEY, protocol: 'jsonrpc' }).authenticate())
      expect(e2.kind).toBe('protocol')
      expect(e2.message).toMatch(/does not offer JSON-RPC \(\/jsonrpc answers 404: the rpc module is uninstalled/)
      expect(await createOdooClient({ url: v19.url, apiKey: API_KEY }).authenticate()).toBe(2)
      // JSON-RPC without a login cannot work: said before any call.
      const e3 = await kindOf(createOdooClient({ url: v18.url, database: 'odoo', apiKey: API_KEY, protocol: 'jsonrpc' }).authenticate())
      expect(e3.kind).toBe('config')
      expect(e3.message).toMatch(/JSON-RPC needs the source's database and login/)
    } finally {
      await v18.close()
      await v19.close()
    }
  })
})

describe('the fake speaks JSON-2 with Odoo semantics', () => {
  let odoo: FakeOdoo
  beforeAll(async () => {
    odoo = await startFakeOdoo({ set: 'v19', apiKey: API_KEY })
  })
  afterAll(() => odoo.close())
  const post = async (path: string, body: unknown, key = API_KEY) => {
    const res = await fetch(odoo.url + path, { method: 'POST', headers: { authorization: `bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: (await res.json()) as any }
  }

  it('takes named arguments only and answers plain JSON', async () => {
    const ok = await post('/json/2/documents.document/search_read', { domain: [['type', '=', 'folder']], fields: ['name', 'folder_id'], limit: 5 })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual([{ id: odoo.inboxId, name: 'Inbox', folder_id: false }])
    const positional = await post('/json/2/documents.document/search_read', { args: [[]] })
    expect(positional).toMatchObject({ status: 422, body: { name: 'werkzeug.exceptions.UnprocessableEntity', message: "got an unexpected keyword argument 'args'" } })
    expect((await post('/json/2/documents.document/search_read', { domain: [], bogus: 1 })).status).toBe(422)
    expect((await post('/json/2/documents.document/search_read', { ids: [1] })).body.message).toBe('cannot call documents.document.search_read with ids')
    expect((await post('/json/2/documents.document/write', { ids: [odoo.inboxId] })).body.message).toBe("missing a required argument: 'vals'")
  })

  it('answers errors with real statuses and a JSON body', async () => {
    const bad = await post('/json/2/res.users/context_get', {}, 'not-the-key-000')
    expect(bad.status).toBe(401)
    expect(bad.body).toMatchObject({ name: 'werkzeug.exceptions.Unauthorized', message: 'Invalid apikey' })
    expect(Object.keys(bad.body).sort()).toEqual(['arguments', 'context', 'debug', 'message', 'name'])
    expect(await post('/json/2/documents.workflow.rule/search_read', {})).toMatchObject({ status: 404, body: { name: 'werkzeug.exceptions.NotFound' } })
    expect((await post('/json/2/documents.document/unlink_everything', {})).status).toBe(404)
    expect((await post('/json/2/documents.document/search_read', { fields: ['is_company_root_folder'] })).status).toBe(422) // gone in 19
    odoo.deny('documents.tag')
    expect(await post('/json/2/documents.tag/search_read', {})).toMatchObject({ status: 403, body: { name: 'odoo.exceptions.AccessError' } })
    odoo.deny(null)
  })

  it('each call is its own transaction: a write that fails changes nothing', async () => {
    const f = odoo.addFolder('Tx')
    const before = { ...odoo.document(f) }
    expect((await post('/json/2/documents.document/write', { ids: [f, 999_999], vals: { name: 'renamed' } })).status).toBe(404)
    expect(odoo.document(f)).toEqual(before)
  })
})

describe('errors by kind', () => {
  it.each([{ set: 'v19' as const, protocol: 'json2' as const }, { set: 'v18' as const, protocol: 'jsonrpc' as const }])('$set over $protocol: key, missing app, access right', async ({ set, protocol }) => {
    const odoo = await startFakeOdoo({ set, apiKey: API_KEY })
    const noApp = await startFakeOdoo({ set, apiKey: API_KEY, documents: false })
    try {
      const bad = await kindOf(createOdooClient({ url: odoo.url, ...RPC, apiKey: 'expired-key-4444444', protocol }).authenticate())
      expect(bad.kind).toBe('auth')
      expect(bad.message).toMatch(/three months/)
      expect(bad.message).toMatch(/Preferences → Account Security → New API Key/)
      expect(bad.message).toMatch(/trois mois/)
      expect(bad.message).not.toContain('expired-key-4444444')

      const missing = await kindOf(createOdooClient({ url: noApp.url, ...RPC, apiKey: API_KEY, protocol }).fieldsGet('documents.document'))
      expect(missing.kind).toBe('missing_app')
      expect(missing.message).toMatch(/The Documents app is not installed .*documents\.document does not exist/)
      expect(missing.message).toMatch(/L'application Documents n'est pas installée/)

      odoo.deny('documents.document', 'read')
      const denied = await kindOf(createOdooClient({ url: odoo.url, ...RPC, apiKey: API_KEY, protocol }).read('documents.document', [1], ['datas']))
      expect(denied.kind).toBe('access')
      expect(denied.message).toMatch(/may not call documents\.document\.read/)
      expect(denied.message).toMatch(/n'a pas le droit/)
    } finally {
      await odoo.close()
      await noApp.close()
    }
  })
})

describe('rate limits (429)', () => {
  it('waits out a short Retry-After in place', async () => {
    const odoo = await startFakeOdoo({ set: 'v19', apiKey: API_KEY })
    try {
      const client = createOdooClient({ url: odoo.url, apiKey: API_KEY, protocol: 'json2' })
      odoo.throttle(1, '1')
      const t0 = Date.now()
      expect(await client.authenticate()).toBe(2)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950)
    } finally {
      await odoo.close()
    }
  })

  it('fails on a long Retry-After and calls nothing before it is over', async () => {
    const odoo = await startFakeOdoo({ set: 'v19', apiKey: API_KEY })
    try {
      const client = createOdooClient({ url: odoo.url, apiKey: API_KEY, protocol: 'json2' })
      odoo.throttle(1, '120')
      const e = await kindOf(client.authenticate())
      expect(e.kind).toBe('rate_limit')
      expect(e.message).toMatch(/rate limiting \(HTTP 429\): nothing is called for 1[12]\d s/)
      const n = odoo.requests.length
      const again = await kindOf(createOdooClient({ url: odoo.url, apiKey: API_KEY, protocol: 'json2' }).authenticate())
      expect(again.kind).toBe('rate_limit')
      expect(odoo.requests.length).toBe(n)
    } finally {
      await odoo.close()
    }
  })

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7000)
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(30_000)
    expect(retryAfterMs('soon')).toBeUndefined()
    expect(retryAfterMs(null)).toBeUndefined()
  })
})

describe('redirects never carry credentials to another origin', () => {
  it.each([
    { protocol: 'jsonrpc' as const, set: 'v18' as const },
    { protocol: 'json2' as const, set: 'v19' as const },
    { protocol: 'auto' as const, set: 'v19' as const },
  ])('$protocol: a redirect to another port is an error naming it, and that server sees nothing', async ({ protocol, set }) => {
    const odoo = await startFakeOdoo({ set, apiKey: API_KEY })
    const other = await startBystander()
    try {
      for (const status of [301, 302, 307, 308]) {
        odoo.redirectTo(other.url, status)
        const client = createOdooClient({ url: odoo.url, ...RPC, apiKey: API_KEY, protocol })
        const e = await kindOf(client.authenticate())
        expect(e.kind).toBe('redirect')
        expect(e.message).toContain(`to another origin, ${other.url}`)
        expect(e.message).toContain(`vers une autre origine, ${other.url}`)
        await kindOf(client.searchRead('documents.document', [], { fields: ['name'] }))
      }
      expect(other.seen.some((q) => q.headers.authorization !== undefined || q.body.includes(API_KEY))).toBe(false)
      expect(other.seen).toEqual([])
    } finally {
      await odoo.close()
      await other.close()
    }
  })

  it('a redirect to the same origin is followed, a loop is cut', async () => {
    const odoo = await startFakeOdoo({ set: 'v19', apiKey: API_KEY })
    try {
      const client = createOdooClient({ url: odoo.url, apiKey: API_KEY, protocol: 'json2' })
      odoo.redirectTo(odoo.url, 308, 1)
      expect(await client.authenticate()).toBe(2)
      expect(odoo.requests.filter((q) => q.path === '/json/2/res.users/context_get')).toHaveLength(2)
      odoo.redirectTo(odoo.url, 307)
      const e = await kindOf(client.authenticate())
      expect(e.kind).toBe('redirect')
      expect(e.message).toMatch(/more than 3 times/)
    } finally {
      await odoo.close()
    }
  })
})
