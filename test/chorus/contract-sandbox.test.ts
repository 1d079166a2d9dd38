import { afterAll, beforeAll } from 'vitest'
import { SEED } from '../../src/sandbox'
import { defineContractSuite } from './contract-suite'
import { ACCOUNT, sandboxClient, startSandbox, type RunningSandbox } from './sandbox-harness'

let sb: RunningSandbox
beforeAll(async () => {
  sb = await startSandbox()
})
afterAll(() => sb.close())

defineContractSuite('sandbox over loopback HTTP', () => ({ client: sandboxClient(sb.base), account: ACCOUNT, recipientSiret: SEED.serviceAndEngagement.siret }))
