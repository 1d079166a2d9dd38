import { addressPolicy } from '../../src/domain/address-policy'
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { appOpenApi, buildManifest, ManifestSchema, manifestJsonSchema, MANIFEST_PATH, MANIFEST_SCHEMA_PATH, packageVersion, type Manifest } from '../../scripts/manifest'
import { createApp } from '../../src/http/app'

const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'))

/** `/api/v1/invoices/{id}` as OpenAPI writes it. */
function operation(doc: any, method: string, path: string): any {
  return doc.paths[path]?.[method.toLowerCase()]
}

describe('connector-manifest.json', () => {
  let doc: any
  let manifest: Manifest
  beforeAll(async () => {
    doc = await appOpenApi()
    manifest = read(MANIFEST_PATH)
  })

  it('is valid against its committed JSON Schema, which is the one the zod schema gives', () => {
    const parsed = ManifestSchema.safeParse(manifest)
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 5))).toBe(true)
    expect(read(MANIFEST_SCHEMA_PATH)).toEqual(manifestJsonSchema())
    expect(manifest.$schema).toBe('./connector-manifest.schema.json')
  })

  it('is up to date: `npm run manifest` would write exactly the committed file', async () => {
    expect(manifest).toEqual(await buildManifest(doc))
  })

  it('has the package version, the five tabs in French and English, the actions of the issue', () => {
    expect(manifest.version).toBe(packageVersion())
    expect(manifest.tabs.map((t) => t.id)).toEqual(['to-submit', 'to-process', 'tracking', 'recipients', 'settings'])
    for (const t of manifest.tabs) expect(t.title.fr).not.toBe(t.title.en)
    const ids = manifest.actions.map((a) => a.id)
    for (const a of ['reprocess', 'submit', 'validate', 'remove', 'complete', 'recycle', 'handle', 'export-csv', 'resolve-recipient']) expect(ids).toContain(a)
    expect(manifest.events.list.map((e) => e.id)).toEqual(['document.analysed', 'document.error', 'document.needs_attention', 'invoice.submitted', 'invoice.status_changed', 'invoice.to_process', 'account.password_expiring'])
    expect(manifest.settings.account).toMatchObject({ type: 'object', required: expect.arrayContaining(['name', 'siret', 'technicalLogin', 'technicalPassword']) })
    expect(manifest.settings.sources.folder).toMatchObject({ type: 'object', properties: { path: { type: 'string' } } })
  })

  it('names only routes that exist, with the role it states (x-role of the OpenAPI document)', () => {
    const named: Array<{ what: string; method: string; path: string; role: string }> = [
      { what: 'ui.session', ...manifest.ui.session },
      { what: 'events.subscribe', ...manifest.events.subscribe },
      ...manifest.tabs.flatMap((t) => (t.list ? [{ what: `tab ${t.id}`, ...t.list }] : [])),
      ...manifest.actions.map((a) => ({ what: `action ${a.id}`, method: a.method, path: a.path, role: a.role })),
    ]
    const problems: string[] = []
    for (const n of named) {
      const op = operation(doc, n.method, n.path)
      if (!op) problems.push(`${n.what}: no ${n.method} ${n.path} in the app`)
      else if (op['x-role'] !== n.role) problems.push(`${n.what}: ${n.method} ${n.path} needs ${op['x-role']}, the manifest says ${n.role}`)
    }
    expect(problems).toEqual([])
    expect(named.length).toBeGreaterThan(15)
    // Query values the tabs pass are accepted by the list routes.
    for (const t of manifest.tabs) {
      if (!t.list) continue
      const params = operation(doc, 'GET', t.list.path).parameters ?? []
      for (const [k, v] of Object.entries(t.list.query)) {
        const p = params.find((x: any) => x.name === k)
        expect(p, `${t.id}: ${k}`).toBeTruthy()
        if (p.schema.enum) expect(p.schema.enum).toContain(v)
      }
      for (const f of t.filters) expect(params.map((x: any) => x.name), `${t.id} filter ${f.key}`).toContain(f.key)
    }
  })

  it('points at pages, health, ready and openapi URLs the app serves', async () => {
    const { createMetrics } = await import('../../src/http/metrics')
    const pino = (await import('pino')).default
    // Page routes answer 401 (a page asking to reopen the tab) without a session, never 404.
    const { wire } = await import('../../src/wiring')
    const { createJobQueue } = await import('../../src/jobs/job-queue')
    const { loadConfig } = await import('../../src/config')
    const noDb = new Proxy({}, { get: () => { throw new Error('no database') } }) as any
    const config = loadConfig({ DATA_DIR: '/tmp/manifest-unused' })
    const wiring = wire({ db: noDb, logger: pino({ level: 'silent' }), secrets: noDb, chorus: noDb, chorusEnv: 'sandbox', now: () => new Date(), jobs: createJobQueue(noDb, () => {}), webhookTargets: addressPolicy([]), dataDir: '/tmp/x', inboxDir: '/tmp/x/inbox' }, config)
    const app = createApp({ db: noDb, logger: pino({ level: 'silent' }), metrics: createMetrics(noDb), version: 'test', bodyLimitBytes: 1 << 20, pageRoutes: wiring.pageRoutes, apiRoutes: wiring.apiRoutes })
    for (const t of manifest.tabs) {
      const res = await app.request(t.page)
      expect(res.status, t.page).toBe(401)
      expect(res.headers.get('content-type')).toContain('text/html')
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self'")
    }
    expect((await app.request(manifest.health)).status).toBe(200)
    expect((await app.request(manifest.openapi)).status).toBe(200)
    expect(doc.paths).toBeTruthy()
  })
})
