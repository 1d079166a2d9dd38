import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type RunningSandbox } from '../chorus/sandbox-harness'
import type { SpawnedService } from '../support/spawn-service'
import {
  allDocuments, connectorEnv, createSupplierAccount, documentCounts, dropInInbox, filesIn, freshPostgres, invoiceFiles, recordSandboxTokens, sandboxInvoiceNumbers, scanLogsForSecrets, sleep,
  startConnector, trackedInvoices, until,
} from './harness'

const N = Number(process.env.RELIABILITY_CRASH_N ?? 1000)
const KILLS = Number(process.env.RELIABILITY_CRASH_KILLS ?? 10)
const serverUrl = process.env.TEST_DATABASE_URL
const engine = serverUrl ? 'postgres' : 'pglite'

/**
 * Issue 9 item 2: N invoices dropped in the inbox of the real service; the service is SIGKILLed at
 * KILLS random moments (anywhere: intake, analysis, between soumettre and our commit, …) and
 * restarted on the same database and DATA_DIR. At the end every document is submitted exactly once
 * (the sandbox holds one invoice per number, soumettre was called once per document), none is lost,
 * none is left `submitting`, and every one is tracked.
 */
describe(`crash safety: ${N} invoices, ${KILLS} SIGKILLs, on ${engine}`, () => {
  let sandbox: RunningSandbox
  let pgdb: Awaited<ReturnType<typeof freshPostgres>> | undefined
  let service: SpawnedService | undefined
  beforeAll(async () => {
    sandbox = await startSandbox()
    pgdb = serverUrl ? await freshPostgres(serverUrl, 'crash') : undefined
  })
  afterAll(async () => {
    if (service?.child.exitCode === null) await service.stop()
    if (sandbox) recordSandboxTokens(sandbox)
    await sandbox?.close()
    await pgdb?.drop()
  })

  it('submits every document exactly once and loses none', async () => {
    const pdfDir = resolve('.bench/pipeline-pdfs')
    const names = await invoiceFiles(pdfDir, 'BENCH-PIPE', N)
    const dataDir = mkdtempSync(join(tmpdir(), 'rel-crash-'))
    const env = connectorEnv(sandbox, dataDir, pgdb?.url, { LOG_LEVEL: 'warn' })
    service = await startConnector(env, 60_000, 'crash')
    await createSupplierAccount(service.url)
    await sandbox.reset()
    await sandbox.faults({ latencyMs: 20 })
    const t0 = Date.now()
    dropInInbox(join(dataDir, 'inbox'), pdfDir, names)

    // Random moments spread over the expected run (N / ~5 invoices a second), each at least 1.5 s
    // after the previous start so that every kill lands in a running service.
    const expectedSeconds = N / 5
    const kills: Array<{ afterMs: number; counts: Record<string, number> }> = []
    for (let k = 0; k < KILLS; k++) {
      const waitMs = 1500 + Math.floor(Math.random() * Math.max(1000, (expectedSeconds * 1000) / KILLS))
      await sleep(waitMs)
      expect(service.child.exitCode, `service died on its own before kill ${k + 1}:\n${service.stderr().slice(-3000)}`).toBeNull()
      const counts = await documentCounts(service.url).catch(() => ({}))
      service.child.kill('SIGKILL')
      await new Promise((r) => service!.child.once('close', r))
      kills.push({ afterMs: waitMs, counts })
      service = await startConnector(env, 60_000, 'crash')
    }
    process.stdout.write(`crash-safety (${engine}): kills at ${JSON.stringify(kills)}\n`)

    // Jobs held by a killed worker come back when their 30 s lease runs out.
    const final = await until(async () => {
      const c = await documentCounts(service!.url)
      return c.submitted === N ? c : undefined
    }, N * 1000 + 300_000, `${N} submitted documents`, 2000).catch(async (e) => {
      throw new Error(`${(e as Error).message}; counts ${JSON.stringify(await documentCounts(service!.url))}`)
    })
    expect(final.all).toBe(N)
    expect(final.error).toBe(0)

    const docs = await allDocuments(service.url)
    expect(docs.length).toBe(N)
    expect(docs.filter((d) => d.stage === 'submitting')).toEqual([])
    expect(new Set(docs.map((d) => d.fields.invoiceNumber?.value)).size).toBe(N)

    const numbers = sandboxInvoiceNumbers(sandbox)
    expect(numbers.size).toBe(N)
    expect([...numbers.values()].filter((n) => n !== 1)).toEqual([])
    const calls = await sandbox.calls()
    process.stdout.write(`crash-safety result (${engine}): ${N} documents, ${KILLS} SIGKILLs, all submitted after ${Math.round((Date.now() - t0) / 1000)} s; soumettre calls ${calls['factures/v1/soumettre']}, invoices in the sandbox ${numbers.size}, rechercher/fournisseur (reconciliation) ${calls['factures/v1/rechercher/fournisseur']}\n`)
    expect(calls['factures/v1/soumettre']).toBe(N)

    await until(async () => ((await trackedInvoices(service!.url)) === N ? true : undefined), 120_000, `${N} tracked invoices`)
    // Nothing stays behind in the inbox: every file went to processed/.
    expect(filesIn(join(dataDir, 'inbox')).filter((f) => f.endsWith('.pdf'))).toEqual([])
    expect(await service.stop()).toBe(0)
    expect(scanLogsForSecrets()).toEqual([])
  })
})
