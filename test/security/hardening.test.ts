import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { Hono } from 'hono'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'
import { handleError } from '../../src/http/error-response'
import type { AppEnv } from '../../src/http/app-env'
import { invoicePdf } from '../support/invoice-pdf'

/**
 * Sends `total` bytes with a Content-Length (or chunked) and counts how many the server let us write
 * before it answered: a refused body must be refused before it is read.
 */
function postCounting(url: string, total: number, opts: { chunked?: boolean } = {}): Promise<{ status: number; body: string; written: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    let written = 0
    let answered = false
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...(opts.chunked ? {} : { 'content-length': String(total) }) } }, (res) => {
      answered = true
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => { req.destroy(); resolve({ status: res.statusCode ?? 0, body, written }) })
    })
    req.on('error', (e) => (answered ? undefined : reject(e)))
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const pump = () => {
      while (!answered && written < total) {
        written += chunk.length
        if (!req.write(chunk)) return void req.once('drain', pump)
      }
      if (!answered) req.end()
    }
    pump()
  })
}

describe.each(testEngines())('hardening on $name', (engine) => {
  let t: TestDatabase | undefined
  let s: TestService
  let allowed: string
  beforeAll(async () => {
    t = engine.name === 'postgres' ? await engine.open() : undefined
    allowed = mkdtempSync(join(tmpdir(), 'allowed-root-'))
    s = await startTestService({ ...(t?.url ? { DATABASE_URL: t.url } : {}), BODY_LIMIT: '2mb', FOLDER_SOURCE_ROOTS: allowed, CRON_ENABLED: 'false' })
  })
  afterAll(async () => {
    await s?.stop()
    await t?.close()
  })

  it('refuses a body over its route’s limit before reading it, on every route (sandbox token endpoint, pages, API)', async () => {
    const total = 200 * 1024 * 1024
    for (const path of ['/sandbox/api/oauth/token', '/sandbox/_sandbox/reset', '/ui/session', '/api/v1/documents']) {
      const r = await postCounting(`${s.url}${path}`, total)
      expect(r.status, path).toBe(413)
      expect(JSON.parse(r.body).error.code, path).toBe('payload_too_large')
      // Far less than what was offered went in: the socket was answered and closed first.
      expect(r.written, path).toBeLessThan(total / 4)
    }
    // Chunked, without a length: counted as it arrives and cut at the limit.
    const chunked = await postCounting(`${s.url}/sandbox/api/oauth/token`, 8 * 1024 * 1024, { chunked: true })
    expect(chunked.status).toBe(413)
  })

  it('keeps the sandbox’s control API to admin keys of the connector', async () => {
    const open = await fetch(`${s.url}/sandbox/_sandbox/calls`)
    expect(open.status).toBe(401)
    const viewer = ((await (await s.api('/api-keys', { method: 'POST', json: { name: 'lecture', role: 'viewer' } })).json()) as { key: string }).key
    expect((await fetch(`${s.url}/sandbox/_sandbox/calls`, { headers: { Authorization: `Bearer ${viewer}` } })).status).toBe(403)
    expect((await s.sandbox('/calls')).status).toBe(200)
  })

  it('confines folder sources to the allowed roots, never DATA_DIR nor above, and creates nothing outside', async () => {
    const refuse = async (path: string, code: string) => {
      const r = await s.api('/sources', { method: 'POST', json: { kind: 'folder', name: `f-${Math.random()}`, config: { path } } })
      const body = (await r.json()) as any
      expect(r.status, path).toBe(400)
      expect(body.error.code, path).toBe(code)
      return body
    }
    await refuse(s.dataDir, 'folder_not_allowed')
    await refuse(join(s.dataDir, '..'), 'folder_not_allowed')
    await refuse('/', 'folder_not_allowed')
    const outside = join(tmpdir(), `not-allowed-${Date.now()}`)
    const body = await refuse(outside, 'folder_not_allowed')
    expect(body.error.message).toContain('FOLDER_SOURCE_ROOTS')
    expect(existsSync(outside)).toBe(false)
    await refuse(`${allowed}/../${outside.split('/').pop()}`, 'folder_not_allowed')
    expect(existsSync(outside)).toBe(false)
    // A link inside the root that points out of it is followed before the check.
    symlinkSync(s.dataDir, join(allowed, 'sneaky'))
    await refuse(join(allowed, 'sneaky'), 'folder_not_allowed')
    await refuse(join(allowed, 'sneaky', 'inbox-next-to-secret-key'), 'folder_not_allowed')
    // Inside the root: created and accepted.
    const ok = await s.api('/sources', { method: 'POST', json: { kind: 'folder', name: 'Factures', config: { path: join(allowed, 'factures', 'in') } } })
    expect(ok.status).toBe(201)
    expect(existsSync(join(allowed, 'factures', 'in'))).toBe(true)
  })

  it('leaves every file in place with afterIntake "leave", refused ones too, and never stores or serves a non-PDF’s bytes', async () => {
    const dir = join(allowed, 'leave')
    mkdirSync(dir)
    writeFileSync(join(dir, 'notes.txt'), 'these are not the bytes you are looking for')
    const created = await s.api('/sources', { method: 'POST', json: { kind: 'folder', name: 'Laisser', config: { path: dir, afterIntake: 'leave', settleMs: 0 } } })
    const source = (await created.json()) as any
    expect((await s.api(`/sources/${source.id}/scan`, { method: 'POST' })).status).toBe(202)
    const doc = await s.until(async () => ((await (await s.api(`/documents?sourceId=${source.id}`)).json()) as any).items?.[0], 20_000, 'the refused file recorded')
    expect(doc.error.code).toBe('file_not_pdf')
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toContain('not the bytes')
    expect(existsSync(join(dir, 'rejected'))).toBe(false)
    const file = await s.api(`/documents/${doc.id}/file`)
    expect(file.status).toBe(404)
    expect(await file.text()).not.toContain('not the bytes')
  })

  it('refuses webhook targets on loopback and link-local addresses unless the operator allows them', async () => {
    for (const url of ['http://127.0.0.1:5432/', 'http://localhost:8080/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:80/', 'http://0.0.0.0/']) {
      const r = await s.api('/webhooks', { method: 'POST', json: { url, events: [] } })
      const body = (await r.json()) as any
      expect(r.status, url).toBe(400)
      expect(body.error.code, url).toBe('webhook_address_refused')
      expect(body.error.message, url).toContain('WEBHOOK_ALLOWED_HOSTS')
    }
    // A LAN receiver stays allowed.
    expect((await s.api('/webhooks', { method: 'POST', json: { url: 'http://192.168.1.20/hook', events: [] } })).status).toBe(201)
  })
})

describe.each(testEngines())('bad input that was a 500, on $name', (engine) => {
  let t: TestDatabase | undefined
  let s: TestService
  beforeAll(async () => {
    t = engine.name === 'postgres' ? await engine.open() : undefined
    s = await startTestService({ ...(t?.url ? { DATABASE_URL: t.url } : {}), CRON_ENABLED: 'false', PUBLIC_URL: 'https://connecteur.example.fr' })
  })
  afterAll(async () => {
    await s?.stop()
    await t?.close()
  })

  it('answers 400 naming the field for a NUL character in JSON values and upload metadata', async () => {
    const form = new FormData()
    form.set('file', new File([Buffer.from('%PDF-1.4\n%%EOF\n')], 'a.pdf', { type: 'application/pdf' }))
    form.set('metadata', JSON.stringify({ numero: 'FA\u00001' }))
    const up = await s.api('/documents', { method: 'POST', body: form })
    expect(up.status).toBe(400)
    expect(((await up.json()) as any).error.details[0].field).toBe('metadata.numero')
    const removed = await s.api('/documents/remove', { method: 'POST', json: { ids: ['1'], reason: 'doublon\u0000' } })
    expect(removed.status).toBe(400)
    const body = (await removed.json()) as any
    expect(body.error.code).toBe('invalid_characters')
    expect(body.error.details[0].field).toBe('reason')
    const patched = await s.api('/documents/1', { method: 'PATCH', json: { fields: { invoiceNumber: 'F\u00002026' } } })
    expect(patched.status).toBe(400)
    expect(((await patched.json()) as any).error.details[0].field).toBe('fields.invoiceNumber')
  })

  it('answers 404 for ids beyond the database’s range, 403 for a malformed Origin, and uses PUBLIC_URL for ticket links', async () => {
    for (const path of ['/invoices/99999999999999999999', '/invoices/99999999999999999999/history']) {
      const r = await s.api(path)
      expect(r.status, path).toBe(404)
    }
    const ticket = await fetch(`${s.url}/api/v1/ui-sessions`, { method: 'POST', headers: { authorization: `Bearer ${s.adminKey}`, host: 'evil.example.com' } })
    const { url } = (await ticket.json()) as { url: string }
    expect(url.startsWith('https://connecteur.example.fr/ui/enter?ticket=')).toBe(true)
    const entered = await fetch(`${s.url}/ui/enter?ticket=${new URL(url).searchParams.get('ticket')}`, { redirect: 'manual' })
    const cookie = entered.headers.get('set-cookie')!.split(';')[0]!
    const r = await fetch(`${s.url}/ui/api/v1/documents/remove`, { method: 'POST', headers: { cookie, origin: 'http://[bad', 'content-type': 'application/json', 'x-csrf-token': 'x' }, body: '{"ids":["1"]}' })
    expect(r.status).toBe(403)
  })

  it('refuses an amount with more digits than Chorus Pro takes, saying the limit', { timeout: 60_000 }, async () => {
    // The demo account would submit it at once: this test edits it first.
    expect((await s.api('/accounts/1', { method: 'PATCH', json: { autoSubmit: false } })).status).toBe(200)
    const form = new FormData()
    const { bytes } = await invoicePdf({ seed: 5, recipientIndex: 0, number: 'F-2026-AMT1', serviceCode: null, engagement: null })
    form.set('file', new File([bytes], 'amount.pdf', { type: 'application/pdf' }))
    const doc = ((await (await s.api('/documents', { method: 'POST', body: form })).json()) as any).document
    const seen = await s.until(async () => { const d = (await (await s.api(`/documents/${doc.id}`)).json()) as any; return d.stage !== 'received' && d.stage !== 'analysing' ? d : undefined }, 25_000, 'analysis')
    expect(seen.stage, JSON.stringify(seen)).toBe('to_submit')
    const r = await s.api(`/documents/${doc.id}`, { method: 'PATCH', json: { fields: { amountGross: '9'.repeat(400) } } })
    expect(r.status).toBe(400)
    const body = (await r.json()) as any
    expect(body.error.message).toContain('13')
  })
})

describe('an unreachable database', () => {
  it('stops the start with “cannot reach the database at host:port”', async () => {
    await expect(startTestService({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', CRON_ENABLED: 'false' })).rejects.toThrow(/cannot reach the database at 127\.0\.0\.1:1/)
  })

  it('answers 503 with Retry-After, never a 500, while it is down', async () => {
    const app = new Hono<AppEnv>()
    app.get('/x', () => { throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }) })
    app.onError(handleError)
    const r = await app.request('/x')
    expect(r.status).toBe(503)
    expect(r.headers.get('retry-after')).toBe('10')
    expect(((await r.json()) as any).error.code).toBe('database_unavailable')
  })
})

describe('the secret key at start-up', () => {
  it('refuses to start, rather than make a new key, when secrets sealed with another key exist', async () => {
    const s = await startTestService({ CRON_ENABLED: 'false' })
    const dataDir = s.dataDir
    try {
      const r = await s.api('/accounts', { method: 'POST', json: { name: 'Compte', siret: SANDBOX_CREDENTIALS.supplierSiret, technicalLogin: 'tech@cpro.fr', technicalPassword: 'motdepasse-technique' } })
      expect(r.status).toBe(201)
    } finally {
      await s.stop()
    }
    const key = readFileSync(join(dataDir, 'secret.key'))
    rmSync(join(dataDir, 'secret.key'))
    await expect(startTestService({ CRON_ENABLED: 'false' }, { dataDir })).rejects.toThrow(/secret\.key is missing.*refusing to start/)
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(false)
    // Another key: refused too, naming what to restore.
    await expect(startTestService({ CRON_ENABLED: 'false', CONNECTOR_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') }, { dataDir })).rejects.toThrow(/does not open the secrets/)
    // The right key back: it starts.
    writeFileSync(join(dataDir, 'secret.key'), key, { mode: 0o600 })
    const again = await startTestService({ CRON_ENABLED: 'false' }, { dataDir })
    await again.stop()
    // Four starts on PGlite (the first with initdb): 12 s alone, 29 s beside another test file.
  }, 90_000)
})
