import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { buildTestApp, type TestApp } from '../support/test-app'
import { ROLES } from '../../src/db/api-keys'
import type { Role } from '../../src/db/schema'

/**
 * Walks the whole route table: every /api route must answer 401 without a key, 401 with a wrong
 * key, and 403 with each role weaker than the one it declares.
 */
describe.each(testEngines())('API security on $name', (engine) => {
  let t: TestDatabase
  let a: TestApp
  beforeAll(async () => {
    t = await engine.open()
    a = await buildTestApp(t)
  })
  afterAll(() => t.close())

  function apiRoutes() {
    const doc = a.app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } })
    const routes: { method: string; path: string; role: Role }[] = []
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item as Record<string, any>)) {
        if (!path.startsWith('/api/')) continue
        routes.push({ method: method.toUpperCase(), path, role: op['x-role'] })
      }
    }
    return routes
  }

  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '1')

  it('documents every registered /api route with a role', () => {
    const documented = new Set(apiRoutes().map((r) => `${r.method} ${r.path.replace(/\{([^}]+)\}/g, ':$1')}`))
    const registered = a.app.routes
      .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path}`)
    expect(registered.length).toBeGreaterThan(0)
    for (const r of registered) expect(documented, `${r} is not in the OpenAPI document`).toContain(r)
    for (const r of apiRoutes()) expect(ROLES, `${r.method} ${r.path} declares no role`).toContain(r.role)
  })

  it('answers 401 without a key or with a wrong key on every /api route', async () => {
    for (const r of apiRoutes()) {
      const none = await a.call(null, concrete(r.path), { method: r.method })
      expect(none.status, `${r.method} ${r.path}`).toBe(401)
      expect((await none.json() as any).error.code).toBe('unauthorized')
      const wrong = await a.app.request(concrete(r.path), { method: r.method, headers: { Authorization: 'Bearer cpk_not-a-real-key-000000000000' } })
      expect(wrong.status, `${r.method} ${r.path}`).toBe(401)
    }
  })

  it('answers 403 with every weaker role on every /api route', async () => {
    let checked = 0
    for (const r of apiRoutes()) {
      for (const role of ROLES.slice(0, ROLES.indexOf(r.role))) {
        const res = await a.call(role, concrete(r.path), { method: r.method })
        expect(res.status, `${r.method} ${r.path} as ${role}`).toBe(403)
        const body = await res.json() as any
        expect(body.error.code).toBe('forbidden')
        expect(body.error.details.requiredRole).toBe(r.role)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(0)
  })

  it('lets an admin create, list and revoke keys, and a revoked key stops working', async () => {
    const created = await a.call('admin', '/api/v1/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ERP', role: 'operator' }) })
    expect(created.status).toBe(201)
    const k = await created.json() as any
    expect(k.key).toMatch(/^cpk_/)
    const use = await a.app.request('/api/v1/api-keys', { headers: { Authorization: `Bearer ${k.key}` } })
    expect(use.status).toBe(403)
    const list = await (await a.call('admin', '/api/v1/api-keys')).json() as any
    expect(JSON.stringify(list)).not.toContain(k.key)
    expect(list.items.find((x: any) => x.id === k.id).role).toBe('operator')
    const revoked = await a.call('admin', `/api/v1/api-keys/${k.id}`, { method: 'DELETE' })
    expect(revoked.status).toBe(200)
    const after = await a.app.request('/api/v1/api-keys', { headers: { Authorization: `Bearer ${k.key}` } })
    expect(after.status).toBe(401)
  })

  it('never writes an API key into the logs', () => {
    for (const key of Object.values(a.keys)) expect(a.logs.text()).not.toContain(key)
  })
})
