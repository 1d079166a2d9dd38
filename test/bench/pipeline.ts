/**
 * Pipeline throughput (issue 9, item 1): N generated invoice PDFs dropped in the inbox of the real
 * service (spawned as `npm start` does) → analysed → submitted to the sandbox over loopback HTTP
 * (20 ms latency on every call, the connector's default limits: 5 concurrent, 20 requests/s) →
 * tracked (one invoice per document in GET /invoices).
 *
 * Reports invoices/s end to end, the connector's own CPU time per invoice (/proc/<pid>/stat: every
 * thread, PDF worker threads included; the sandbox runs in this bench process and is not counted),
 * Chorus Pro calls per invoice, and how close that runs to the rate limit, next to the bound the rate
 * limit allows.
 *
 *   npm run bench -- pipeline                            (10,000 PDFs; PGlite)
 *   BENCH_PIPELINE_N=1000 npm run bench -- pipeline      (a quicker run)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -- pipeline   (PostgreSQL)
 *
 * Generated PDFs are kept in .bench/pipeline-pdfs and reused by later runs.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startSandbox } from '../chorus/sandbox-harness'
import {
  connectorEnv, createSupplierAccount, cpuSecondsOf, documentCounts, dropInInbox, freshPostgres, invoiceFiles, rssMbOf, startConnector, sleep, trackedInvoices,
} from '../reliability/harness'

const RATE_LIMIT = 20
const LATENCY_MS = 20
const r2 = (n: number) => Math.round(n * 100) / 100

export default async function bench() {
  const n = Number(process.env.BENCH_PIPELINE_N ?? 10_000)
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
  const engine = serverUrl ? 'postgres' : 'pglite'
  const log = (m: string) => process.stdout.write(`  [pipeline/${engine}] ${m}\n`)
  const pdfDir = resolve('.bench/pipeline-pdfs')
  const names = await invoiceFiles(pdfDir, 'BENCH-PIPE', n, log)
  log(`${n} PDFs ready in ${pdfDir}`)

  const sandbox = await startSandbox()
  const pgdb = serverUrl ? await freshPostgres(serverUrl, 'bench_pipeline') : undefined
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'))
  const service = await startConnector(connectorEnv(sandbox, dataDir, pgdb?.url, { LOG_LEVEL: 'warn' }))
  const pid = service.child.pid!
  const notes: string[] = []
  try {
    await createSupplierAccount(service.url)
    await sleep(2000)
    await sandbox.reset()
    await sandbox.faults({ latencyMs: LATENCY_MS })
    const cpu0 = cpuSecondsOf(pid)
    const t0 = performance.now()
    dropInInbox(join(dataDir, 'inbox'), pdfDir, names)
    const dropSeconds = (performance.now() - t0) / 1000
    log(`dropped ${n} files in ${dropSeconds.toFixed(1)} s`)

    // Bounded: at most twice what the rate limit alone would allow for 5 calls per invoice, plus 5 minutes.
    const deadline = Date.now() + (n / RATE_LIMIT) * 5 * 2 * 1000 + 300_000
    let analysedAt = 0
    let submittedAt = 0
    let trackedAt = 0
    let peakRss = 0
    let counts: Record<string, number> = {}
    let tracked = 0
    let lastLog = 0
    while (Date.now() < deadline) {
      await sleep(1000)
      peakRss = Math.max(peakRss, rssMbOf(pid))
      counts = await documentCounts(service.url)
      const settled = counts.submitted! + counts.error! + counts.incomplete!
      const elapsed = (performance.now() - t0) / 1000
      if (!analysedAt && counts.all === n && counts.analysing === 0) analysedAt = elapsed
      if (!submittedAt && settled === n && counts.ready === 0) submittedAt = elapsed
      if (submittedAt) {
        tracked = await trackedInvoices(service.url)
        if (tracked >= counts.submitted!) { trackedAt = elapsed; break }
      }
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now()
        log(`${Math.round(elapsed)} s: ${JSON.stringify(counts)}`)
      }
    }
    const seconds = trackedAt || (performance.now() - t0) / 1000
    const cpu = cpuSecondsOf(pid) - cpu0
    const calls = await sandbox.calls()
    const apiCalls = Object.entries(calls).filter(([op]) => !op.startsWith('oauth') && !op.includes('token')).reduce((s, [, v]) => s + v, 0)
    const tokenCalls = Object.entries(calls).filter(([op]) => op.startsWith('oauth') || op.includes('token')).reduce((s, [, v]) => s + v, 0)
    const submitted = counts.submitted ?? 0
    const perInvoice = apiCalls / Math.max(1, submitted)
    const rate = submitted / seconds
    const bound = RATE_LIMIT / perInvoice
    const soumettre = calls['factures/v1/soumettre'] ?? 0

    notes.push(`Engine: ${engine === 'postgres' ? 'PostgreSQL (BENCH_DATABASE_URL/TEST_DATABASE_URL)' : 'embedded PGlite (set BENCH_DATABASE_URL for PostgreSQL)'}; sandbox latency ${LATENCY_MS} ms on every call; limits ${RATE_LIMIT} req/s, 5 concurrent (defaults).`)
    notes.push(`Chorus Pro calls: ${JSON.stringify(calls)} (${tokenCalls} token calls, not rate-limited).`)
    notes.push(`Documents at the end: ${JSON.stringify(counts)}; tracked invoices: ${tracked}; soumettre calls ${soumettre} for ${submitted} submitted documents${soumettre === submitted ? ' (exactly once each)' : ' (MISMATCH)'}.`)
    notes.push(`Phases from the first file dropped: all analysed ${analysedAt ? analysedAt.toFixed(1) + ' s' : 'not reached'}, all submitted ${submittedAt ? submittedAt.toFixed(1) + ' s' : 'not reached'}, all tracked ${trackedAt ? trackedAt.toFixed(1) + ' s' : 'not reached'}.`)
    if (n < 10_000) notes.push(`Extrapolated to 10,000 invoices at the measured rate: ${Math.round(10_000 / rate / 60)} min (the rate limit bounds it at ${Math.round(10_000 / bound / 60)} min).`)
    if (!trackedAt) notes.push('The run hit its time bound before every document was tracked: numbers are for what finished.')

    return {
      name: `Pipeline: ${n.toLocaleString('en')} PDFs inbox → analysis → submission → tracking (${engine})`,
      rows: [
        { measure: 'invoices submitted and tracked', value: submitted, bound: n },
        { measure: 'wall time (s)', value: r2(seconds), bound: r2(n / bound) },
        { measure: 'invoices/s', value: r2(rate), bound: r2(bound) },
        { measure: 'Chorus API calls per invoice (excl. token)', value: r2(perInvoice), bound: '' },
        { measure: 'ratio to the 20 req/s rate limit', value: `${Math.round(((perInvoice * rate) / RATE_LIMIT) * 100)} %`, bound: '100 %' },
        { measure: 'connector CPU per invoice (ms)', value: r2((cpu / Math.max(1, submitted)) * 1000), bound: '' },
        { measure: 'connector CPU total (s) / cores busy', value: `${r2(cpu)} / ${r2(cpu / seconds)}`, bound: '' },
        { measure: 'connector peak RSS (MB)', value: Math.round(peakRss), bound: '' },
      ],
      notes,
    }
  } finally {
    await service.stop()
    await sandbox.close()
    await pgdb?.drop()
  }
}
