/**
 * Shared parts of the reliability suite and the pipeline bench: the real service spawned as
 * `npm start` does, a standalone sandbox that outlives it (so a killed connector meets the same
 * "platform" again), real PDFs in the inbox, and counts read back through the API.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, readdirSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { spawnService, type SpawnedService } from '../support/spawn-service'
import { invoicePdf } from '../support/invoice-pdf'
import { externalSandboxEnv } from '../support/external-sandbox-env'
import type { RunningSandbox } from '../chorus/sandbox-harness'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'

export const ADMIN_KEY = 'cpk_reliability_admin_key_0000000000000001'

/** Every secret the suite hands the connector: none may ever appear in its output. */
export const TEST_SECRETS = [
  SANDBOX_CREDENTIALS.clientSecret,
  SANDBOX_CREDENTIALS.technicalPassword,
  ADMIN_KEY,
  // The cpro-account header carries base64(login:password).
  Buffer.from(`${SANDBOX_CREDENTIALS.technicalLogin}:${SANDBOX_CREDENTIALS.technicalPassword}`).toString('base64'),
]

/** Where every spawned service's output and every secret handed out are kept for the final scan. */
export const RELIABILITY_DIR = resolve(process.env.RELIABILITY_DIR ?? '.bench/reliability')
export const LOG_DIR = join(RELIABILITY_DIR, 'logs')
const SECRETS_FILE = join(RELIABILITY_DIR, 'secrets.txt')

/** Records secrets (API keys created, Chorus tokens issued) for the end-of-suite log scan. */
export function recordSecrets(values: Iterable<string>): void {
  mkdirSync(RELIABILITY_DIR, { recursive: true })
  const list = [...values].filter((v) => v.length >= 12)
  if (list.length) appendFileSync(SECRETS_FILE, list.join('\n') + '\n')
}

export function recordedSecrets(): string[] {
  const extra = existsSync(SECRETS_FILE) ? readFileSync(SECRETS_FILE, 'utf8').split('\n').filter(Boolean) : []
  return [...new Set([...TEST_SECRETS, ...extra])]
}

/** The access tokens the sandbox issued (call before reset() or close(), which forget them). */
export function recordSandboxTokens(sandbox: RunningSandbox): void {
  recordSecrets(sandbox.sandbox.store.state.tokens.keys())
}

/** Secrets found in the kept logs: `[{ file, secret (first 6 chars) }]`; empty is the expected answer. */
export function scanLogsForSecrets(): Array<{ file: string; secret: string }> {
  const secrets = recordedSecrets()
  const found: Array<{ file: string; secret: string }> = []
  for (const f of filesIn(LOG_DIR)) {
    const text = readFileSync(join(LOG_DIR, f), 'utf8')
    for (const s of secrets) if (text.includes(s)) found.push({ file: f, secret: `${s.slice(0, 6)}…` })
  }
  return found
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function connectorEnv(sandbox: RunningSandbox, dataDir: string, databaseUrl: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  // A fixed secret key, so that two instances (or a restart) can read each other's encrypted passwords.
  return externalSandboxEnv(sandbox, { dataDir, adminKey: ADMIN_KEY, databaseUrl }, { CONNECTOR_SECRET_KEY: '4c1b0f5e2d8a9c7b6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d', ...extra })
}

/** Output of every service the suite started, kept for the final secrets scan. */
export const allOutput: Array<() => string> = []

let spawned = 0
export async function startConnector(env: Record<string, string>, timeoutMs = 60_000, label = 'service'): Promise<SpawnedService> {
  const s = await spawnService(env, timeoutMs)
  allOutput.push(() => s.stdout() + s.stderr())
  mkdirSync(LOG_DIR, { recursive: true })
  const file = join(LOG_DIR, `${label}-${process.pid}-${++spawned}.log`)
  const save = () => writeFileSync(file, s.stdout() + s.stderr())
  // 'close' comes after the last byte of output, also after a SIGKILL.
  s.child.once('close', save)
  const timer = setInterval(save, 10_000)
  timer.unref()
  s.child.once('close', () => clearInterval(timer))
  return s
}

export async function api(base: string, path: string, init: RequestInit & { json?: unknown; key?: string | null } = {}): Promise<Response> {
  const { json, key, ...rest } = init
  const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) }
  if (key !== null) headers.authorization = `Bearer ${key ?? ADMIN_KEY}`
  if (json !== undefined) headers['content-type'] = 'application/json'
  return fetch(`${base}/api/v1${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body })
}

export async function getJson(base: string, path: string): Promise<any> {
  const res = await api(base, path)
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
  return res.json()
}

/** The sandbox test supplier as an auto-submit account (the only account: inbox files go to it). */
export async function createSupplierAccount(base: string): Promise<string> {
  const res = await api(base, '/accounts', {
    method: 'POST',
    json: { name: 'Fournisseur fiabilité', siret: SANDBOX_CREDENTIALS.supplierSiret, technicalLogin: SANDBOX_CREDENTIALS.technicalLogin, technicalPassword: SANDBOX_CREDENTIALS.technicalPassword, autoSubmit: true },
  })
  if (res.status !== 201) throw new Error(`account: ${res.status} ${await res.text()}`)
  return ((await res.json()) as any).id
}

/**
 * `n` complete invoices (recipient 0: no service code or engagement required) with unique numbers
 * `<prefix>-<i>`, written once to `dir` and reused by later runs (painting costs ~10 ms a PDF).
 */
export async function invoiceFiles(dir: string, prefix: string, n: number, log: (m: string) => void = () => {}): Promise<string[]> {
  mkdirSync(dir, { recursive: true })
  const names: string[] = []
  const t0 = Date.now()
  for (let i = 0; i < n; i++) {
    const name = `${prefix}-${String(i).padStart(5, '0')}.pdf`
    const path = join(dir, name)
    if (!existsSync(path)) {
      const { bytes } = await invoicePdf({ seed: 1000 + i, recipientIndex: 0, number: `${prefix}-${i}`, serviceCode: null, engagement: null })
      writeFileSync(path, bytes)
    }
    names.push(name)
    if (i > 0 && i % 1000 === 0) log(`generated ${i} PDFs in ${Math.round((Date.now() - t0) / 1000)} s`)
  }
  return names
}

/** Drops files in the inbox the way a careful writer does: a hidden temporary name, then a rename. */
export function dropInInbox(inbox: string, fromDir: string, names: readonly string[]): void {
  mkdirSync(inbox, { recursive: true })
  for (const name of names) {
    const tmp = join(inbox, `.${name}.part`)
    writeFileSync(tmp, readFileSync(join(fromDir, name)))
    renameSync(tmp, join(inbox, name))
  }
}

export const DOCUMENT_STATES = ['analysing', 'ready', 'incomplete', 'error', 'submitted', 'removed'] as const

/** Documents per state and the stage-level count of `submitting`, through the API. */
export async function documentCounts(base: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  await Promise.all(
    DOCUMENT_STATES.map(async (s) => {
      out[s] = (await getJson(base, `/documents?state=${s}&limit=1`)).total
    }),
  )
  out.all = (await getJson(base, '/documents?limit=1')).total
  return out
}

export async function trackedInvoices(base: string): Promise<number> {
  return (await getJson(base, '/invoices?tab=tracking&limit=1')).total
}

/** Every document of the API, paged by cursor (bounded). */
export async function allDocuments(base: string, max = 50_000): Promise<any[]> {
  const out: any[] = []
  let cursor: string | null = null
  for (let i = 0; i < Math.ceil(max / 200) + 1; i++) {
    const page: any = await getJson(base, `/documents?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    out.push(...page.items)
    cursor = page.nextCursor
    if (!cursor) break
  }
  return out
}

/** CPU seconds (user + system, every thread incl. the PDF worker threads) of a live process. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // Fields 14 and 15 (utime, stime) are at 11 and 12 after the comm field; clock ticks are 100 Hz on Linux.
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Resident set size in MB of a live process. */
export function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = /VmRSS:\s+(\d+) kB/.exec(status)
  return m ? Number(m[1]) / 1024 : 0
}

/** A fresh PostgreSQL database on the server of `serverUrl`; the service migrates it on start. */
export async function freshPostgres(serverUrl: string, label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  // chorus_t_<live pid>_… : test/support/global-setup.ts drops it if this process dies before its teardown.
  const name = `chorus_t_${process.pid}_${label}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database "${name}"`)
  await admin.end()
  const u = new URL(serverUrl)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: serverUrl })
      await a.connect()
      await a.query(`drop database if exists "${name}" with (force)`).catch(() => {})
      await a.end()
    },
  }
}

/** Waits until `check` returns a value, polling every `everyMs`, at most `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    await sleep(everyMs)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`)
}

export function filesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : []
}

/** Invoices the sandbox holds, per invoice number (a number twice would be a double submission). */
export function sandboxInvoiceNumbers(sandbox: RunningSandbox): Map<string, number> {
  const out = new Map<string, number>()
  for (const list of sandbox.sandbox.store.state.invoicesBySupplier.values()) for (const inv of list) out.set(inv.numeroFacture, (out.get(inv.numeroFacture) ?? 0) + 1)
  return out
}
