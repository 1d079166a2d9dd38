import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type RunningSandbox } from '../chorus/sandbox-harness'
import type { SpawnedService } from '../support/spawn-service'
import {
  allDocuments, connectorEnv, createSupplierAccount, documentCounts, dropInInbox, freshPostgres, invoiceFiles, recordSandboxTokens, sandboxInvoiceNumbers, scanLogsForSecrets, sleep,
  startConnector, trackedInvoices, until,
} from './harness'

const N = Number(process.env.RELIABILITY_TWO_N ?? 600)
const serverUrl = process.env.TEST_DATABASE_URL

/**
 * Issue 9 item 6: two services on one PostgreSQL (different ports and DATA_DIRs, one shared inbox)
 * share N invoices: no duplicate submission, each cron slot enqueued once (cron_slots), and one
 * instance stopping mid-run (SIGTERM, later the other one SIGKILLed) loses nothing.
 */
describe.skipIf(!serverUrl)('two instances on one PostgreSQL', () => {
  let sandbox: RunningSandbox
  let pgdb: Awaited<ReturnType<typeof freshPostgres>>
  let db: pg.Client
  const live: SpawnedService[] = []
  beforeAll(async () => {
    sandbox = await startSandbox()
    pgdb = await freshPostgres(serverUrl!, 'two')
  })
  afterAll(async () => {
    for (const s of live) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop()
    await db?.end()
    if (sandbox) recordSandboxTokens(sandbox)
    await sandbox?.close()
    await pgdb?.drop()
  })

  it(`shares ${N} invoices, enqueues each cron slot once, and loses nothing when one stops`, async () => {
    const pdfDir = resolve('.bench/pipeline-pdfs')
    const names = await invoiceFiles(pdfDir, 'BENCH-PIPE', N)
    const root = mkdtempSync(join(tmpdir(), 'rel-two-'))
    const inbox = join(root, 'shared-inbox')
    mkdirSync(inbox)
    const env = (which: string) =>
      connectorEnv(sandbox, join(root, which), pgdb.url, { LOG_LEVEL: 'info', INBOX_DIR: inbox, AUTO_SUBMIT_CRON: '* * * * *', SHUTDOWN_TIMEOUT_MS: '10000' })
    let a = await startConnector(env('a'), 60_000, 'two-a')
    live.push(a)
    await createSupplierAccount(a.url)
    let b = await startConnector(env('b'), 60_000, 'two-b')
    live.push(b)
    await sandbox.reset()
    await sandbox.faults({ latencyMs: 20 })
    db = new pg.Client({ connectionString: pgdb.url })
    await db.connect()
    const t0 = Date.now()
    dropInInbox(inbox, pdfDir, names)

    const workers = new Map<string, number>()
    let sampling = true
    const sampler = (async () => {
      for (let i = 0; i < 20_000 && sampling; i++) {
        const r = await db.query(`select locked_by, count(*)::int as n from jobs where state = 'running' and locked_by is not null group by 1`).catch(() => ({ rows: [] as any[] }))
        for (const row of r.rows) workers.set(row.locked_by, (workers.get(row.locked_by) ?? 0) + row.n)
        await sleep(250)
      }
    })()
    const submittedNow = async () => (await documentCounts((a.child.exitCode === null ? a : b).url)).submitted ?? 0

    // SIGTERM one instance a quarter of the way, restart it; SIGKILL the other past half-way, restart it.
    await until(async () => ((await submittedNow()) >= N / 4 ? true : undefined), 1_200_000, 'a quarter submitted', 1000)
    const termCode = await a.stop('SIGTERM')
    a = await startConnector(env('a'), 60_000, 'two-a')
    live.push(a)
    await until(async () => ((await submittedNow()) >= (N * 3) / 5 ? true : undefined), 1_200_000, 'three fifths submitted', 1000)
    b.child.kill('SIGKILL')
    await new Promise((r) => b.child.once('close', r))
    b = await startConnector(env('b'), 60_000, 'two-b')
    live.push(b)

    const final = await until(async () => {
      const c = await documentCounts(a.url)
      return c.submitted === N ? c : undefined
    }, N * 1000 + 300_000, `${N} submitted`, 2000).catch(async (e) => {
      throw new Error(`${(e as Error).message}; counts ${JSON.stringify(await documentCounts(a.url))}`)
    })
    // Let the every-minute schedules tick on both instances for at least two full minutes in all.
    const elapsed = Date.now() - t0
    if (elapsed < 150_000) await sleep(150_000 - elapsed)
    sampling = false
    await sampler

    expect(termCode).toBe(0)
    expect(final.all).toBe(N)
    expect(final.error).toBe(0)
    const docs = await allDocuments(a.url)
    expect(docs.filter((d) => d.stage === 'submitting')).toEqual([])
    const numbers = sandboxInvoiceNumbers(sandbox)
    expect(numbers.size).toBe(N)
    expect([...numbers.values()].filter((n) => n !== 1)).toEqual([])
    const calls = await sandbox.calls()
    expect(calls['factures/v1/soumettre']).toBe(N)
    await until(async () => ((await trackedInvoices(a.url)) === N ? true : undefined), 120_000, `${N} tracked`)

    const slots = await db.query(`select name, count(*)::int as slots, count(distinct slot)::int as distinct_slots, count(job_id)::int as with_job, count(distinct instance)::int as instances from cron_slots group by name order by name`)
    const perJob = await db.query(`select s.name, count(*)::int as n from cron_slots s join jobs j on j.id = s.job_id group by s.name`)
    const pollJobs = await db.query(`select count(*)::int as n from jobs where kind = 'sources.poll'`)
    const report = { n: N, final, workers: Object.fromEntries(workers), cronSlots: slots.rows, pollJobs: pollJobs.rows[0].n, calls }
    process.stdout.write(`two-instances: ${JSON.stringify(report)}\n`)
    for (const row of slots.rows) expect(row.slots, row.name).toBe(row.distinct_slots)
    const poll = slots.rows.find((r) => r.name === 'sources.poll')
    expect(poll?.slots ?? 0).toBeGreaterThanOrEqual(2)
    // Each slot enqueued at most one job (a run still waiting absorbs the next slot by its key).
    expect(pollJobs.rows[0].n).toBeLessThanOrEqual(poll!.slots)
    expect(perJob.rows.find((r) => r.name === 'sources.poll')?.n ?? 0).toBe(poll!.with_job)
    // Both instances took work.
    expect(workers.size).toBeGreaterThanOrEqual(2)
    for (const s of [a, b]) expect(await s.stop()).toBe(0)
    expect(scanLogsForSecrets()).toEqual([])
  })
})
