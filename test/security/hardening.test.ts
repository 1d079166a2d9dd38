import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'

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
  })
})
