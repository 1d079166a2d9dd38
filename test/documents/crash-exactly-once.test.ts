import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type RunningSandbox } from '../chorus/sandbox-harness'
import { spawnService, type SpawnedService } from '../support/spawn-service'
import { testEngines, type TestDatabase } from '../support/databases'
import { invoicePdf } from '../support/invoice-pdf'
import { externalSandboxEnv } from '../support/external-sandbox-env'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'

const ADMIN = 'cpk_crash_test_admin_key_000000000000001'

// A 3 s job lease: the restarted service takes the dead worker's job back within seconds instead of
// the production 30 s, and the test proves the same thing in a tenth of the time.
const env = (sandbox: RunningSandbox, dataDir: string, databaseUrl: string | undefined, extra: Record<string, string> = {}) =>
  externalSandboxEnv(sandbox, { dataDir, adminKey: ADMIN, databaseUrl }, { JOB_LEASE_MS: '3000', ...extra })

async function api(s: SpawnedService, path: string, init: RequestInit = {}) {
  return fetch(`${s.url}/api/v1${path}`, { ...init, headers: { Authorization: `Bearer ${ADMIN}`, ...(init.headers as Record<string, string>) } })
}

/**
 * Issue 6, "exactly once": the process is killed between Chorus Pro's answer to soumettre and our
 * commit. After a restart the document is reconciled from Chorus Pro's records: one invoice there
 * (call counts), one tracked invoice here, and no second soumettre.
 */
describe.each(testEngines())('a crash between Chorus Pro’s answer and our commit, on $name', (engine) => {
  let sandbox: RunningSandbox
  let t: TestDatabase | undefined
  beforeAll(async () => {
    sandbox = await startSandbox()
    t = engine.name === 'postgres' ? await engine.open() : undefined
  })
  afterAll(async () => {
    await sandbox?.close()
    await t?.close()
  })

  it('submits once and tracks once after the restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chorus-crash-'))
    const first = await spawnService(env(sandbox, dataDir, t?.url, { CONNECTOR_FAULT_POINT: 'after-soumettre' }))
    const exited = new Promise<NodeJS.Signals | null>((r) => first.child.once('exit', (_code, signal) => r(signal)))
    const created = await api(first, '/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Fournisseur crash', siret: SANDBOX_CREDENTIALS.supplierSiret, technicalLogin: SANDBOX_CREDENTIALS.technicalLogin, technicalPassword: SANDBOX_CREDENTIALS.technicalPassword, autoSubmit: true }),
    })
    expect(created.status).toBe(201)
    const accountId = ((await created.json()) as any).id
    const { bytes } = await invoicePdf({ seed: 31, recipientIndex: 0, number: 'F-2026-CRASH1', serviceCode: null, engagement: null })
    const form = new FormData()
    form.set('file', new File([bytes], 'crash.pdf', { type: 'application/pdf' }))
    form.set('accountId', accountId)
    const pushed = await api(first, '/documents', { method: 'POST', body: form })
    expect(pushed.status).toBe(201)
    const documentId = ((await pushed.json()) as any).document.id

    // Auto-submit reaches soumettre; the fault point kills the process the moment the answer is in.
    const signal = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 40_000))])
    expect(signal).toBe('SIGKILL')
    expect((await sandbox.calls())['factures/v1/soumettre']).toBe(1)

    const second = await spawnService(env(sandbox, dataDir, t?.url))
    try {
      let document: any
      // The dead worker's job lease (3 s here) expires, another run of the job reconciles from Chorus Pro.
      for (let i = 0; i < 450; i++) {
        document = await (await api(second, `/documents/${documentId}`)).json()
        if (document.state === 'submitted') break
        await new Promise((r) => setTimeout(r, 200))
      }
      expect(document.state, JSON.stringify(document)).toBe('submitted')
      const calls = await sandbox.calls()
      expect(calls['factures/v1/soumettre']).toBe(1)
      expect(calls['factures/v1/rechercher/fournisseur']).toBeGreaterThanOrEqual(1)
      const invoices = (await (await api(second, '/invoices?tab=tracking&q=F-2026-CRASH1')).json()) as any
      expect(invoices.total).toBe(1)
      expect(invoices.items[0].documentId).toBe(documentId)
    } finally {
      expect(await second.stop()).toBe(0)
    }
  }, 120_000)
})
