/**
 * `npm run bench -- footprint` (issue 14): starts the real service (`node dist/main.js`, as `npm start`
 * does; run `npm run build` first) on each engine and measures what a customer's machine sees: idle RSS
 * after the first start and after a restart, 100 PDFs pushed 20 at a time (peak RSS, /health and upload
 * latencies), RSS 60 s after the last analysis, /openapi.json and /ready medians. Targets beside each.
 * PostgreSQL runs when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set: a fresh database per run.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { BenchResult } from './run'
import { invoicePdf } from '../support/invoice-pdf'

const root = join(import.meta.dirname, '../..')
const ADMIN = 'cpk_bench_footprint_admin_key_0000000000001'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024)
}

/** The service process and every process it started (the PDF readers are threads, a PGlite initdb child would show here). */
function treeRssMb(pid: number): number {
  let total = rssMb(pid)
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += treeRssMb(Number(child))
  } catch {
    // gone
  }
  return total
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN
}
const r1 = (x: number) => Math.round(x * 10) / 10

interface Running {
  readonly child: ChildProcess
  readonly url: string
  stop(): Promise<void>
}

async function start(dataDir: string, port: number, databaseUrl?: string): Promise<Running> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', CONNECTOR_ADMIN_KEY: ADMIN, LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`)
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false)
    if (ok) break
    await sleep(100)
  }
  return {
    child,
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

async function timed(url: string, init?: RequestInit): Promise<number> {
  const t0 = performance.now()
  const r = await fetch(url, init)
  await r.arrayBuffer()
  return performance.now() - t0
}

async function measureEngine(name: string, databaseUrl: string | undefined, port: number) {
  const dataDir = mkdtempSync(join(tmpdir(), `footprint-${name}-`))
  const first = await start(dataDir, port, databaseUrl)
  await sleep(10_000)
  const idleFirst = rssMb(first.child.pid!)
  await first.stop()
  const s = await start(dataDir, port, databaseUrl)
  await sleep(10_000)
  const idleRestart = rssMb(s.child.pid!)

  const openapi: number[] = []
  const ready: number[] = []
  for (let i = 0; i < 30; i++) openapi.push(await timed(`${s.url}/openapi.json`))
  for (let i = 0; i < 30; i++) ready.push(await timed(`${s.url}/ready`))

  // The burst: 100 PDFs, 20 at a time, /health polled all along.
  const pdfs = await Promise.all(Array.from({ length: 100 }, (_, i) => invoicePdf({ seed: 1000 + i, recipientIndex: i % 5, number: `F-FOOT-${i}`, serviceCode: null, engagement: null }).then((p) => p.bytes)))
  let peak = rssMb(s.child.pid!)
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, treeRssMb(s.child.pid!))
      await sleep(100)
    }
  })()
  const health: number[] = []
  let polling = true
  const poller = (async () => {
    while (polling) {
      health.push(await timed(`${s.url}/health`))
      await sleep(50)
    }
  })()
  const uploads: number[] = []
  for (let b = 0; b < 100; b += 20) {
    await Promise.all(
      pdfs.slice(b, b + 20).map(async (bytes, j) => {
        const form = new FormData()
        form.set('file', new File([bytes], `f-${b + j}.pdf`, { type: 'application/pdf' }))
        uploads.push(await timed(`${s.url}/api/v1/documents`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${ADMIN}` } }))
      }),
    )
  }
  // Until every document is analysed.
  for (let i = 0; i < 1200; i++) {
    const r = (await (await fetch(`${s.url}/api/v1/documents?limit=1&state=analysing`, { headers: { Authorization: `Bearer ${ADMIN}` } })).json()) as { total: number }
    if (r.total === 0) break
    await sleep(500)
  }
  polling = false
  await poller
  sampling = false
  await sampler
  await sleep(60_000)
  const after = rssMb(s.child.pid!)
  await s.stop()
  return { idleFirst, idleRestart, peak, after, health, uploads, openapi, ready }
}

export default async function footprint(): Promise<BenchResult> {
  if (!existsSync(join(root, 'dist/main.js'))) throw new Error('run `npm run build` first: the footprint is measured on the compiled service')
  const rows: Record<string, string | number>[] = []
  const engines: Array<[string, string | undefined]> = [['PGlite', undefined]]
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
  if (pgUrl) {
    const admin = new pg.Client({ connectionString: pgUrl })
    await admin.connect()
    const db = `footprint_${process.pid}`
    await admin.query(`drop database if exists ${db}`)
    await admin.query(`create database ${db}`)
    await admin.end()
    const u = new URL(pgUrl)
    u.pathname = `/${db}`
    engines.push(['PostgreSQL', u.toString()])
  }
  const results: Record<string, Awaited<ReturnType<typeof measureEngine>>> = {}
  let port = 18600
  for (const [name, url] of engines) results[name] = await measureEngine(name, url, port++)
  const targets: Record<string, Record<string, string>> = {
    PGlite: { idle: '≤ 350', peak: '≤ 900' },
    PostgreSQL: { idle: '≤ 150', peak: '≤ 700' },
  }
  const row = (measure: string, f: (r: (typeof results)[string], engine: string) => string | number, target: (engine: string) => string) => {
    const out: Record<string, string | number> = { measure }
    for (const [name] of engines) {
      out[name] = f(results[name]!, name)
      out[`${name} target`] = target(name)
    }
    rows.push(out)
  }
  row('idle RSS 10 s after the first start (MB)', (r) => r.idleFirst, (e) => targets[e]!.idle!)
  row('idle RSS 10 s after a restart (MB)', (r) => r.idleRestart, (e) => targets[e]!.idle!)
  row('peak RSS, 100 PDFs pushed 20 at a time (MB)', (r) => r.peak, (e) => targets[e]!.peak!)
  row('RSS 60 s after the last analysis (MB)', (r) => r.after, () => 'idle + 200')
  row('/health during the burst, p95 / max (ms)', (r) => `${r1(pct(r.health, 95))} / ${r1(Math.max(...r.health))}`, () => '≤ 100 / ≤ 1000')
  row('POST /documents during the burst, p95 (ms)', (r) => r1(pct(r.uploads, 95)), () => '≤ 500')
  row('/openapi.json median (ms)', (r) => r1(pct(r.openapi, 50)), () => '≤ 20')
  row('/ready median (ms)', (r) => r1(pct(r.ready, 50)), () => '≤ 20')
  return { name: 'footprint: the service process of `npm start` (node dist/main.js)', rows, notes: ['RSS is VmRSS of the service process (peak: with any child process); 2-core machine shared with nothing else.'] }
}
