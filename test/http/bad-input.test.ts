import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { buildTestApp, type TestApp } from '../support/test-app'

describe.each(testEngines())('bad input on $name', (engine) => {
  let t: TestDatabase
  let a: TestApp
  beforeAll(async () => {
    t = await engine.open()
    a = await buildTestApp(t, { bodyLimitBytes: 1024 })
  })
  afterAll(() => t.close())

  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    a.call('admin', '/api/v1/api-keys', { method: 'POST', headers, body })

  it('answers malformed JSON with 400 malformed_json', async () => {
    const res = await post('{"name": "x", ')
    expect(res.status).toBe(400)
    const body = await res.json() as any
    expect(body.error.code).toBe('malformed_json')
    expect(body.error.message).toMatch(/JSON/)
  })

  it('answers wrong types and unknown fields with 400 naming each field', async () => {
    const res = await post(JSON.stringify({ name: 42, role: 'boss', extra: true }))
    expect(res.status).toBe(400)
    const body = await res.json() as any
    expect(body.error.code).toBe('invalid_request')
    const fields = body.error.details.map((d: any) => d.field)
    expect(fields).toContain('name')
    expect(fields).toContain('role')
    expect(JSON.stringify(body.error.details)).toMatch(/extra/)
  })

  it('answers an oversized body with 413 in the error shape', async () => {
    const res = await post(JSON.stringify({ name: 'x'.repeat(5000), role: 'viewer' }))
    expect(res.status).toBe(413)
    expect((await res.json() as any).error.code).toBe('payload_too_large')
  })

  it('answers in English when asked, French by default', async () => {
    const fr = await (await a.app.request('/api/v1/api-keys')).json() as any
    const en = await (await a.app.request('/api/v1/api-keys', { headers: { 'Accept-Language': 'en-GB,en;q=0.9' } })).json() as any
    expect(fr.error.message).toMatch(/Clé/)
    expect(en.error.message).toMatch(/API key/)
  })

  it('answers an unknown route with 404 in the error shape', async () => {
    const res = await a.call('admin', '/api/v1/nothing-here')
    expect(res.status).toBe(404)
    expect((await res.json() as any).error.code).toBe('route_not_found')
  })

  it('serves health, readiness, metrics and the OpenAPI document without a key', async () => {
    expect((await a.app.request('/health')).status).toBe(200)
    const ready = await a.app.request('/ready')
    expect(ready.status).toBe(200)
    expect((await ready.json() as any).checks.migrations.ok).toBe(true)
    const metrics = await (await a.app.request('/metrics')).text()
    expect(metrics).toMatch(/http_request_duration_seconds_bucket/)
    expect(metrics).toMatch(/job_queue_depth/)
    const doc = await (await a.app.request('/openapi.json')).json() as any
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.paths['/api/v1/api-keys']).toBeDefined()
  })

})

describe.each(testEngines())('unexpected errors on $name', (engine) => {
  it('answer 500 with the request id, never a stack trace or internals', async () => {
    const t = await engine.open()
    const a = await buildTestApp(t)
    await t.close() // the database is gone: every authenticated request now fails deep inside
    const res = await a.call('admin', '/api/v1/api-keys')
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(text).not.toMatch(/\.ts|node_modules|stack|select /i)
    const body = JSON.parse(text)
    expect(body.error.code).toBe('internal_error')
    expect(body.error.details.requestId).toBe(res.headers.get('x-request-id'))
    expect(a.logs.text()).toContain(body.error.details.requestId)
  })
})
