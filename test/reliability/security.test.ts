import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type RunningSandbox } from '../chorus/sandbox-harness'
import type { SpawnedService } from '../support/spawn-service'
import {
  ADMIN_KEY, api, connectorEnv, createSupplierAccount, documentCounts, dropInInbox, freshPostgres, getJson, invoiceFiles, recordSandboxTokens, recordSecrets, recordedSecrets, scanLogsForSecrets, sleep,
  startConnector, trackedInvoices, until,
} from './harness'

const serverUrl = process.env.TEST_DATABASE_URL
const engine = serverUrl ? 'postgres' : 'pglite'
const ROLES = ['viewer', 'operator', 'admin'] as const
type Role = (typeof ROLES)[number]

const INJECTIONS = [
  `' OR '1'='1`,
  `1' OR 1=1--`,
  `1; DROP TABLE documents;--`,
  `'; DELETE FROM invoices; --`,
  `") OR ("1"="1`,
  `1 UNION SELECT technical_password FROM accounts--`,
  `id; select pg_sleep(5)`,
  `-id,(select pg_sleep(5))`,
  `invoiceNumber desc nulls first; drop table jobs`,
  `%' AND 1=(SELECT COUNT(*) FROM pg_sleep(5))--`,
  `\\'; truncate blobs; --`,
  `$$; drop table api_keys; $$`,
  `\u0000`,
  `${'A'.repeat(5000)}`,
]

const FORMULAS = ['=HYPERLINK("http://127.0.0.1/x","clic")', "+cmd|' /C calc'!A0", '-2+3+cmd|x', '@SUM(1+1)*cmd|x', '\t=1+1', '=1+1']

/** Splits one CSV text into rows of cells (quotes, doubled quotes, CRLF). */
function parseCsv(text: string, sep: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') { cell += '"'; i++ } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === sep) { row.push(cell); cell = '' } else if (ch === '\n') { row.push(cell.replace(/\r$/, '')); rows.push(row); row = []; cell = '' } else cell += ch
  }
  if (cell || row.length) { row.push(cell); rows.push(row) }
  return rows
}

/** A cell a spreadsheet would run as a formula: not a number, not the deliberate ="digits" identifier form. */
function dangerous(cell: string): boolean {
  if (!cell || !/^[=+\-@\t\r]/.test(cell)) return false
  if (/^[+-]?[0-9]+([.,][0-9]+)?$/.test(cell)) return false
  if (/^="[0-9A-Za-z ]*"$/.test(cell)) return false
  return true
}

/**
 * Issue 9 item 5 over the whole running service (spawned as `npm start` does): the route table of
 * /openapi.json walked without a key, with a wrong key and with every weaker role; SQL injection in
 * every filter and sort parameter of the three lists (and their exports); CSV formula injection in
 * the exports; UI tickets single-use and expiring, CSRF on the UI's state-changing requests; and no
 * secret in any log of the suite.
 */
describe(`security of the running service on ${engine}`, () => {
  let sandbox: RunningSandbox
  let pgdb: Awaited<ReturnType<typeof freshPostgres>> | undefined
  let s: SpawnedService
  const keys: Record<Role, string> = { admin: ADMIN_KEY, operator: '', viewer: '' }
  let routes: Array<{ method: string; path: string; role: Role; query: string[] }> = []

  beforeAll(async () => {
    sandbox = await startSandbox()
    pgdb = serverUrl ? await freshPostgres(serverUrl, 'security') : undefined
    const dataDir = mkdtempSync(join(tmpdir(), 'rel-security-'))
    s = await startConnector(connectorEnv(sandbox, dataDir, pgdb?.url, { LOG_LEVEL: 'debug' }), 60_000, 'security')
    await createSupplierAccount(s.url)
    for (const role of ['viewer', 'operator'] as const) {
      const res = await api(s.url, '/api-keys', { method: 'POST', json: { name: `rel-${role}`, role } })
      expect(res.status).toBe(201)
      keys[role] = ((await res.json()) as any).key
    }
    recordSecrets(Object.values(keys))
    // Data to protect: submitted and tracked invoices, and recipient mappings (some with formulas).
    const pdfDir = resolve('.bench/pipeline-pdfs')
    const names = await invoiceFiles(pdfDir, 'BENCH-PIPE', 12)
    dropInInbox(join(dataDir, 'inbox'), pdfDir, names)
    const { SEED_STRUCTURES } = await import('../../src/sandbox')
    for (const [i, label] of FORMULAS.entries()) {
      const res = await api(s.url, '/recipients', { method: 'POST', json: { label: `${label} ${i}`, recipientSiret: SEED_STRUCTURES[0]!.siret, serviceCode: null, engagementNumber: null, accountId: null } })
      expect(res.status, await res.clone().text()).toBe(201)
    }
    await until(async () => ((await documentCounts(s.url)).submitted === 12 ? true : undefined), 180_000, '12 submitted')
    await until(async () => ((await trackedInvoices(s.url)) === 12 ? true : undefined), 60_000, '12 tracked')

    const doc: any = await (await fetch(`${s.url}/openapi.json`)).json()
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item as Record<string, any>)) {
        if (!path.startsWith('/api/')) continue
        routes.push({ method: method.toUpperCase(), path, role: op['x-role'], query: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name) })
      }
    }
  }, 300_000)
  afterAll(async () => {
    if (s?.child.exitCode === null) await s.stop()
    if (sandbox) recordSandboxTokens(sandbox)
    await sandbox?.close()
    await pgdb?.drop()
  })

  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '1')
  const call = (key: string | null, method: string, path: string) =>
    fetch(`${s.url}${concrete(path)}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} })

  it('answers 401 without a key or with a wrong key, and 403 to every weaker role, on every /api route', async () => {
    expect(routes.length).toBeGreaterThan(40)
    let forbidden = 0
    for (const r of routes) {
      expect(ROLES, `${r.method} ${r.path} declares no role`).toContain(r.role)
      const none = await call(null, r.method, r.path)
      expect(none.status, `${r.method} ${r.path} without a key`).toBe(401)
      const wrong = await call('cpk_wrong_key_000000000000000000000000', r.method, r.path)
      expect(wrong.status, `${r.method} ${r.path} with a wrong key`).toBe(401)
      for (const role of ROLES.slice(0, ROLES.indexOf(r.role))) {
        const res = await call(keys[role], r.method, r.path)
        expect(res.status, `${r.method} ${r.path} as ${role}`).toBe(403)
        forbidden++
      }
    }
    process.stdout.write(`security: ${routes.length} routes, ${forbidden} weaker-role checks\n`)
  })

  it('survives SQL injection in every filter and sort parameter of the lists and exports, data intact', async () => {
    const before = { documents: (await documentCounts(s.url)).all, invoices: await trackedInvoices(s.url), recipients: (await getJson(s.url, '/recipients?limit=1')).items.length }
    const lists = routes.filter((r) => r.method === 'GET' && ['/api/v1/documents', '/api/v1/invoices', '/api/v1/recipients', '/api/v1/invoices/export.csv', '/api/v1/recipients/export.csv'].includes(r.path))
    expect(lists.length).toBe(5)
    const statuses: Record<string, number> = {}
    const failures: string[] = []
    let slowest = 0
    for (const r of lists) {
      expect(r.query.length, `${r.path} has query parameters`).toBeGreaterThan(0)
      for (const p of r.query) {
        for (const inj of INJECTIONS) {
          const t0 = performance.now()
          const what = `${r.path}?${p}=${JSON.stringify(inj.slice(0, 40))}`
          let res: Response
          try {
            res = await api(s.url, `${r.path.slice('/api/v1'.length)}?${new URLSearchParams({ [p]: inj })}`)
            await res.arrayBuffer()
          } catch (e) {
            failures.push(`${what} → ${String(e)} ${String((e as any)?.cause ?? '')}`)
            continue
          }
          const ms = performance.now() - t0
          slowest = Math.max(slowest, ms)
          statuses[res.status] = (statuses[res.status] ?? 0) + 1
          if (![200, 400].includes(res.status)) failures.push(`${what} → ${res.status}`)
          // A pg_sleep that ran would show.
          if (ms > 4000) failures.push(`${what} took ${Math.round(ms)} ms`)
        }
      }
    }
    // The same through JSON bodies: a NUL or SQL in a text field is a 4xx or stored as text, never a 500.
    const someDoc = (await getJson(s.url, '/documents?limit=1')).items[0]
    const { SEED_STRUCTURES } = await import('../../src/sandbox')
    for (const inj of INJECTIONS) {
      const bodies: Array<[string, string, unknown]> = [
        ['POST', '/recipients', { label: `L ${inj}`, recipientSiret: SEED_STRUCTURES[0]!.siret, serviceCode: inj.slice(0, 50), engagementNumber: null, accountId: null }],
        ['PATCH', `/documents/${someDoc.id}`, { fields: { engagementNumber: inj.slice(0, 50) } }],
        ['POST', '/recipients/resolve', { label: inj }],
      ]
      for (const [method, path, json] of bodies) {
        const res = await api(s.url, path, { method, json })
        await res.arrayBuffer()
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
        if (res.status >= 500) failures.push(`${method} ${path} ${JSON.stringify(json).slice(0, 80)} → ${res.status}`)
      }
    }
    expect(failures).toEqual([])
    const after = { documents: (await documentCounts(s.url)).all, invoices: await trackedInvoices(s.url), recipients: (await getJson(s.url, '/recipients?limit=1')).items.length }
    expect({ ...after, recipients: undefined }).toEqual({ ...before, recipients: undefined })
    expect(after.recipients).toBeGreaterThanOrEqual(before.recipients)
    expect((await api(s.url, '/api-keys')).status).toBe(200)
    expect((await fetch(`${s.url}/ready`)).status).toBe(200)
    process.stdout.write(`security: SQL injection answers ${JSON.stringify(statuses)}, slowest ${Math.round(slowest)} ms\n`)
  })

  it('neutralises formulas in every CSV export', async () => {
    // A formula in a Chorus Pro status comment, brought in by a status sync, then exported.
    const first = (await getJson(s.url, '/invoices?tab=tracking&limit=1')).items[0]
    await sandbox.setStatus(Number(first.chorusInvoiceId), 'SUSPENDUE', '=HYPERLINK("http://127.0.0.1/x","clic")')
    expect((await api(s.url, '/invoices/sync', { method: 'POST', json: {} })).status).toBeLessThan(300)
    await until(async () => {
      const inv = await getJson(s.url, `/invoices/${first.id}`)
      return inv.status === 'SUSPENDUE' ? inv : undefined
    }, 60_000, 'the suspended status synced')
    for (const [path, sep] of [['/invoices/export.csv', ';'], ['/invoices/export.csv?format=en', ','], ['/recipients/export.csv', ';']] as const) {
      const res = await api(s.url, path)
      expect(res.status).toBe(200)
      const rows = parseCsv(await res.text(), sep)
      expect(rows.length).toBeGreaterThan(1)
      const bad = rows.flat().filter(dangerous)
      expect(bad, path).toEqual([])
    }
    const recipients = await (await api(s.url, '/recipients/export.csv')).text()
    expect(recipients).toContain(`'=HYPERLINK`)
    expect(recipients).toContain(`'@SUM`)
    const invoices = await (await api(s.url, '/invoices/export.csv')).text()
    expect(invoices).toContain(`'=HYPERLINK`)
  })

  it.runIf(existsSync(resolve('src/http/ui/ui-routes.tsx')))('keeps UI tickets single-use and expiring, and refuses cross-site requests (CSRF)', async () => {
    const open = async () => ((await (await api(s.url, '/ui-sessions', { method: 'POST', json: {} })).json()) as any) as { url: string; expiresAt: string }
    const t1 = await open()
    recordSecrets([new URL(t1.url).searchParams.get('ticket')!])
    expect(Date.parse(t1.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000)
    const enter = (u: string) => fetch(u.replace(/^https?:\/\/[^/]+/, s.url), { redirect: 'manual' })
    const first = await enter(t1.url)
    expect(first.status).toBe(303)
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!
    expect(cookie).toMatch(/=/)
    expect(first.headers.get('set-cookie')).toMatch(/HttpOnly/i)
    expect((await enter(t1.url)).status).toBe(401)

    const page = await fetch(`${s.url}/ui/to-submit`, { headers: { cookie } })
    expect(page.status).toBe(200)
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1]
    expect(csrf).toBeTruthy()
    recordSecrets([cookie.split('=')[1]!, csrf!])
    const post = (headers: Record<string, string>) =>
      fetch(`${s.url}/ui/api/v1/invoices/sync`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: '{}' })
    expect((await post({})).status).toBe(403)
    expect((await post({ 'x-csrf-token': 'forged-token' })).status).toBe(403)
    expect((await post({ 'x-csrf-token': csrf!, origin: 'http://evil.example' })).status).toBe(403)
    expect((await post({ 'x-csrf-token': csrf!, origin: s.url })).status).toBeLessThan(300)

    // A ticket not used within its lifetime is refused.
    const t2 = await open()
    recordSecrets([new URL(t2.url).searchParams.get('ticket')!])
    await sleep(Math.max(0, Date.parse(t2.expiresAt) - Date.now()) + 1500)
    expect((await enter(t2.url)).status).toBe(401)
  }, 180_000)

  it('writes none of the secrets into its logs', async () => {
    // debug level on purpose: the most verbose logs must not carry them either.
    recordSandboxTokens(sandbox)
    expect(scanLogsForSecrets()).toEqual([])
    const own = s.stdout() + s.stderr()
    expect(own.length).toBeGreaterThan(1000)
    const leaked = recordedSecrets().filter((k) => own.includes(k)).map((k) => `${k.slice(0, 6)}…`)
    expect(leaked).toEqual([])
  })
})
