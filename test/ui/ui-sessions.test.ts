import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testEngines, type TestDatabase } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'

async function newKey(s: TestService, role: 'viewer' | 'operator' | 'admin'): Promise<{ id: string; key: string }> {
  const res = await s.api('/api-keys', { method: 'POST', json: { name: `ui ${role}`, role } })
  const body = (await res.json()) as { id: string; key: string }
  return { id: body.id, key: body.key }
}

async function ticket(s: TestService, key: string, body?: unknown): Promise<Response> {
  return fetch(`${s.url}/api/v1/ui-sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined })
}

/** Opens a session with a key: the ticket link, then the cookie. */
async function enter(s: TestService, key: string, body?: unknown): Promise<{ cookie: string; csrf: string; html: string }> {
  const { url } = (await (await ticket(s, key, body)).json()) as { url: string }
  const res = await fetch(url, { redirect: 'manual' })
  expect(res.status).toBe(303)
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!
  const page = await fetch(new URL(res.headers.get('location')!, s.url), { headers: { cookie } })
  const html = await page.text()
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(html)![1]!
  return { cookie, csrf, html }
}

/**
 * The ticket → cookie handshake and what a session may do, over HTTP on the running service: single
 * use, expiry, revocation, CSRF, origin, roles, language, headers. No browser needed.
 */
describe.each(testEngines())('tab page sessions on $name', (engine) => {
  let t: TestDatabase | undefined
  let s: TestService
  beforeAll(async () => {
    t = engine.name === 'postgres' ? await engine.open() : undefined
    s = await startTestService({ CRON_ENABLED: 'false', WORKER_ENABLED: 'false', UI_FRAME_ANCESTORS: "'self' https://portal.example.org", ...(t?.url ? { DATABASE_URL: t.url } : {}) })
  }, 60_000)
  afterAll(async () => {
    await s?.stop()
    await t?.close()
  })

  it('answers { url, expiresAt } to any key, and the url opens the tab once', async () => {
    const viewer = await newKey(s, 'viewer')
    const res = await ticket(s, viewer.key, { tab: 'tracking' })
    expect(res.status).toBe(201)
    const body = (await res.json()) as { url: string; expiresAt: string }
    expect(body.url).toMatch(new RegExp(`^${s.url}/ui/enter\\?ticket=[A-Za-z0-9_-]{40,}$`))
    expect(body.url).not.toContain(viewer.key)
    const ms = new Date(body.expiresAt).getTime() - Date.now()
    expect(ms).toBeGreaterThan(30_000)
    expect(ms).toBeLessThanOrEqual(60_000)

    const first = await fetch(body.url, { redirect: 'manual' })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/ui/tracking')
    const setCookie = first.headers.get('set-cookie')!
    expect(setCookie).toMatch(/^cpc_ui=[A-Za-z0-9_-]{40,};/)
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Lax')
    expect(setCookie).toContain('Path=/ui')
    const second = await fetch(body.url, { redirect: 'manual' })
    expect(second.status).toBe(401)
    expect(await second.text()).toContain('Lien d’accès invalide')
    expect((await fetch(`${s.url}/ui/enter?ticket=nope`, { redirect: 'manual' })).status).toBe(401)
    // Without a key there is no ticket.
    expect((await fetch(`${s.url}/api/v1/ui-sessions`, { method: 'POST' })).status).toBe(401)
    expect((await ticket(s, viewer.key, { tab: 'nowhere' })).status).toBe(400)
  })

  it('refuses an expired ticket, and stores tickets and sessions only as hashes', async () => {
    const { url } = (await (await ticket(s, s.adminKey)).json()) as { url: string }
    const value = new URL(url).searchParams.get('ticket')!
    const db = s.service.database.db
    const stored = await sql<{ hash: string }>`select hash from ui_tickets`.execute(db)
    expect(stored.rows.some((r) => r.hash === value)).toBe(false)
    await sql`update ui_tickets set expires_at = now() - interval '1 second' where used_at is null`.execute(db)
    const res = await fetch(url, { redirect: 'manual' })
    expect(res.status).toBe(401)
    const { cookie } = await enter(s, s.adminKey)
    const sessions = await sql<{ hash: string }>`select hash from ui_sessions`.execute(db)
    expect(sessions.rows.some((r) => r.hash === cookie.split('=')[1])).toBe(false)
  })

  it('refuses a state change without the session’s CSRF token, or from another origin', async () => {
    const { cookie, csrf } = await enter(s, s.adminKey)
    const post = (headers: Record<string, string>) => fetch(`${s.url}/ui/api/v1/invoices/sync`, { method: 'POST', headers: { cookie, ...headers } })
    const none = await post({})
    expect(none.status).toBe(403)
    expect(((await none.json()) as any).error.code).toBe('csrf_refused')
    expect((await post({ 'x-csrf-token': 'x'.repeat(csrf.length) })).status).toBe(403)
    expect((await post({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).status).toBe(403)
    expect((await post({ 'x-csrf-token': csrf, origin: s.url })).status).toBe(202)
    // Another session's token is not this one's.
    const other = await enter(s, s.adminKey)
    expect(other.csrf).not.toBe(csrf)
    expect((await post({ 'x-csrf-token': other.csrf })).status).toBe(403)
    // Reads need the cookie but no token; without the cookie, nothing.
    expect((await fetch(`${s.url}/ui/api/v1/invoices`, { headers: { cookie } })).status).toBe(200)
    expect((await fetch(`${s.url}/ui/api/v1/invoices`)).status).toBe(401)
  })

  it('acts with exactly the role of the key that opened it, and ends when that key is revoked', async () => {
    const viewer = await newKey(s, 'viewer')
    const v = await enter(s, viewer.key)
    expect(v.html).toContain('Lecture seule')
    expect(v.html).not.toContain('data-api="POST /documents/submit"')
    const act = (sess: { cookie: string; csrf: string }, path: string, body: unknown) =>
      fetch(`${s.url}/ui/api/v1${path}`, { method: 'POST', headers: { cookie: sess.cookie, 'x-csrf-token': sess.csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const refused = await act(v, '/documents/submit', { ids: ['1'] })
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as any).error.details).toMatchObject({ requiredRole: 'operator', keyRole: 'viewer' })
    expect((await fetch(`${s.url}/ui/settings`, { headers: { cookie: v.cookie } })).status).toBe(403)

    const operator = await newKey(s, 'operator')
    const o = await enter(s, operator.key)
    expect(o.html).toContain('data-api="POST /documents/submit"')
    expect((await act(o, '/invoices/sync', {})).status).toBe(202)
    expect((await act(o, '/recipients', { label: 'Mairie', recipientSiret: '21420218600012' })).status).toBe(403)
    expect((await fetch(`${s.url}/ui/settings`, { headers: { cookie: o.cookie } })).status).toBe(403)
    expect((await fetch(`${s.url}/ui/tracking`, { headers: { cookie: o.cookie } })).status).toBe(200)

    expect((await s.api(`/api-keys/${operator.id}`, { method: 'DELETE' })).status).toBe(200)
    const after = await fetch(`${s.url}/ui/tracking`, { headers: { cookie: o.cookie } })
    expect(after.status).toBe(401)
    expect(await after.text()).toContain('Session expirée')
    expect((await act(o, '/invoices/sync', {})).status).toBe(401)
  })

  it('speaks French by default, English by Accept-Language or ?lang=en (kept for the session)', async () => {
    const fr = await enter(s, s.adminKey)
    expect(fr.html).toContain('<html lang="fr">')
    expect(fr.html).toContain('<h1>À déposer</h1>')
    const en = await fetch(`${s.url}/ui/tracking?lang=en`, { headers: { cookie: fr.cookie } })
    expect(await en.text()).toContain('<h1>Tracking</h1>')
    const kept = await fetch(`${s.url}/ui/recipients`, { headers: { cookie: fr.cookie } })
    expect(await kept.text()).toContain('<h1>Recipients</h1>')
    const { url } = (await (await ticket(s, s.adminKey)).json()) as { url: string }
    const res = await fetch(url, { redirect: 'manual' })
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!
    const page = await fetch(`${s.url}/ui/to-process`, { headers: { cookie, 'accept-language': 'en-GB,en;q=0.9' } })
    expect(await page.text()).toContain('<h1>To process</h1>')
    const withLang = await enter(s, s.adminKey, { lang: 'en' })
    expect(withLang.html).toContain('<h1>To submit</h1>')
  })

  it('sends a CSP with the configured frame-ancestors and nothing inline, and serves its own assets', async () => {
    const { cookie } = await enter(s, s.adminKey)
    const res = await fetch(`${s.url}/ui/to-submit`, { headers: { cookie } })
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("frame-ancestors 'self' https://portal.example.org")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(res.headers.get('x-frame-options')).toBeNull()
    expect(res.headers.get('cache-control')).toBe('no-store')
    const html = await res.text()
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script>|style="|on(click|submit)=/)
    expect(html).not.toContain(s.adminKey)
    for (const [path, type] of [['/ui/assets/ui.css', 'text/css'], ['/ui/assets/ui.js', 'text/javascript']] as const) {
      const a = await fetch(`${s.url}${path}`)
      expect(a.status).toBe(200)
      expect(a.headers.get('content-type')).toContain(type)
    }
  })

  it('keeps the ui-sessions route in /openapi.json with its role, and the session bridge out of it', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as any
    expect(doc.paths['/api/v1/ui-sessions'].post['x-role']).toBe('viewer')
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/ui/'))).toBe(false)
  })
})
