import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'
import { createAccount } from '../../src/db/accounts'
import { sandboxClient, startSandbox, type RunningSandbox } from '../chorus/sandbox-harness'
import { buildRecipientsApp, SIRET_A, SIRET_B } from './support'

/** POST /recipients/resolve refreshes the directory cache from the sandbox over real HTTP (older than a day). */
describe.each(testEngines())('resolve with the Chorus Pro directory on $name', (engine) => {
  let t: TestDatabase
  let sb: RunningSandbox
  let a: Awaited<ReturnType<typeof buildRecipientsApp>>
  let accountId: string
  beforeAll(async () => {
    t = await engine.open()
    sb = await startSandbox()
    const client = sandboxClient(sb.base, { retry: { baseDelayMs: 1, maxAttempts: 1 } })
    a = await buildRecipientsApp(t, { chorus: () => client })
    accountId = (await createAccount(t.db, a.ports.secrets, 'sandbox', { name: 'Démo', siret: SANDBOX_CREDENTIALS.supplierSiret, technicalLogin: SANDBOX_CREDENTIALS.technicalLogin, technicalPassword: SANDBOX_CREDENTIALS.technicalPassword })).id
  })
  afterAll(async () => {
    await sb.close()
    await t.close()
  })

  const resolve = async (label: string) => (await (await a.json('operator', 'POST', '/api/v1/recipients/resolve', { label, accountId })).json()) as any

  it('checks the mapping’s service against the live directory and caches it', async () => {
    const created = (await (await a.json('admin', 'POST', '/api/v1/recipients', { label: 'Département du Bac-à-Sable', recipientSiret: SIRET_B, serviceCode: 'ANCIENS_ACHATS' })).json()) as any
    expect(created.directoryStatus).toBe('not_checked') // create reads the cache only
    const r = await resolve('DEPARTEMENT DU BAC A SABLE')
    expect(r.directoryStatus).toBe('service_inactive')
    expect(r.mapping.directory.recipientName).toBeTruthy()
    const cached = await t.db.selectFrom('structures').select(['siret', 'service_required']).where('siret', '=', SIRET_B).executeTakeFirstOrThrow()
    expect(cached.service_required).toBe(true)
    const calls = await sb.calls()
    await resolve('Département du Bac-à-Sable') // fresh cache: no second directory call
    expect(await sb.calls()).toEqual(calls)
  })

  it('answers from the cache when Chorus Pro is unavailable', async () => {
    await a.json('admin', 'POST', '/api/v1/recipients', { label: 'Commune de Sandbox-sur-Mer', recipientSiret: SIRET_A, serviceCode: 'SERV_TECH' })
    await sb.faults({ unavailableRate: 1 })
    try {
      const r = await resolve('Commune de Sandbox sur Mer')
      expect(r.mapping.recipientSiret).toBe(SIRET_A)
      expect(r.directoryStatus).toBe('not_checked')
    } finally {
      await sb.faults({ unavailableRate: 0 })
    }
    expect((await resolve('Commune de Sandbox sur Mer')).directoryStatus).toBe('ok')
  })
})
