import { Writable } from 'node:stream'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ChorusError, clearTokenCache } from '../../src/chorus'
import { createLogger } from '../../src/logger'
import { SANDBOX_CREDENTIALS, SEED } from '../../src/sandbox'
import { ACCOUNT, failure, saisie, sandboxClient, startSandbox, type RunningSandbox } from './sandbox-harness'

let sb: RunningSandbox
beforeAll(async () => {
  sb = await startSandbox()
})
afterAll(() => sb.close())
// Reset forgets the sandbox's tokens; forget ours too so call counts start clean.
beforeEach(async () => {
  await sb.reset()
  clearTokenCache()
})

const recipient = SEED.noRequirement.siret

describe('token lifetime', () => {
  it('survives the token ageing out in the middle of a batch: renewed once, retried once, nothing submitted twice', async () => {
    const client = sandboxClient(sb.base)
    const numbers: string[] = []
    for (let i = 0; i < 5; i++) numbers.push((await client.soumettre(ACCOUNT, saisie(recipient))).numeroFacture)
    expect((await sb.calls())['oauth/token']).toBe(1)
    // Every token issued so far now ages out after 1 s, though the client was told 3600 s.
    await sb.faults({ tokenTtlSeconds: 1 })
    await new Promise((r) => setTimeout(r, 1100))
    numbers.push((await client.soumettre(ACCOUNT, saisie(recipient))).numeroFacture)
    let calls = await sb.calls()
    expect(calls['oauth/token']).toBe(2)
    // That soumettre was refused by the gateway (it never reached Chorus) and sent once more with the new token.
    expect(calls['factures/v1/soumettre']).toBe(7)
    // Tokens now announce a 1 s lifetime, under the 60 s margin: the client renews before each call instead of failing.
    for (let i = 0; i < 4; i++) numbers.push((await client.soumettre(ACCOUNT, saisie(recipient))).numeroFacture)
    calls = await sb.calls()
    expect(calls['factures/v1/soumettre']).toBe(11)
    expect(calls['oauth/token']).toBe(6)
    const all = await client.rechercherFactureFournisseur(ACCOUNT)
    expect(all.listeFactures.map((f) => f.numeroFacture).sort()).toEqual([...numbers].sort())
  })

  it('a token that keeps being refused gives an auth error after one renewal, not a loop', async () => {
    const client = sandboxClient(sb.base)
    await sb.faults({ tokenTtlSeconds: 0 })
    const e = await failure<ChorusError>(() => client.consulterStructure(ACCOUNT, { idStructureCPP: SEED.noRequirement.idStructureCPP }))
    expect(e.kind).toBe('auth')
    expect((await sb.calls())['structures/v1/consulter']).toBe(2)
  })

  it('a wrong PISTE secret is a clear auth error without the secret', async () => {
    const client = sandboxClient(sb.base, { clientSecret: 'not-the-right-secret-123' })
    const e = await failure<ChorusError>(() => client.healthCheck(ACCOUNT))
    expect(e.kind).toBe('auth')
    expect(e.catalogue.code).toBe('piste_application_refused')
    expect(e.httpStatus).toBe(400)
    expect(e.message).not.toContain('not-the-right-secret-123')
  })

  it('a wrong technical password names the supplier account and does not renew the token', async () => {
    const client = sandboxClient(sb.base)
    const e = await failure<ChorusError>(() =>
      client.soumettre({ login: SANDBOX_CREDENTIALS.technicalLogin, password: 'wrong-password-xyz', label: 'Boulangerie Martin' }, saisie(recipient)),
    )
    expect(e.kind).toBe('auth')
    expect(e.httpStatus).toBe(401)
    expect(e.messages.fr).toBe(`Chorus Pro a refusé le compte technique « Boulangerie Martin (${SANDBOX_CREDENTIALS.technicalLogin}) » : identifiant ou mot de passe incorrect.`)
    expect(e.message).not.toContain('wrong-password-xyz')
    const calls = await sb.calls()
    expect(calls['oauth/token']).toBe(1)
    expect(calls['factures/v1/soumettre']).toBe(1)
  })
})

describe('unavailability', () => {
  it('a storm of 503s opens the breaker (fail fast with the clear message), then it closes again', async () => {
    const client = sandboxClient(sb.base, { circuitBreaker: { failureThreshold: 3, cooldownMs: 300 }, retry: { maxAttempts: 1 } })
    await client.healthCheck(ACCOUNT)
    await sb.faults({ unavailableRate: 1 })
    for (let i = 0; i < 3; i++) {
      const e = await failure<ChorusError>(() => client.consulterStructure(ACCOUNT, { idStructureCPP: SEED.noRequirement.idStructureCPP }))
      expect(e.kind).toBe('unavailable')
      expect(e.retryable).toBe(true)
      expect(e.httpStatus).toBe(503)
    }
    expect(client.breakerState()).toBe('open')
    const before = (await sb.calls())['structures/v1/consulter']
    const started = Date.now()
    const fast = await failure<ChorusError>(() => client.consulterStructure(ACCOUNT, { idStructureCPP: SEED.noRequirement.idStructureCPP }))
    expect(Date.now() - started).toBeLessThan(50)
    expect(fast.kind).toBe('unavailable')
    expect(fast.messages).toEqual({ fr: "Chorus Pro n'est pas disponible, réessayez plus tard.", en: 'Chorus Pro is not available, try again later.' })
    expect((await sb.calls())['structures/v1/consulter']).toBe(before)

    await sb.faults({ unavailableRate: 0 })
    await new Promise((r) => setTimeout(r, 320))
    expect(client.breakerState()).toBe('half_open')
    const ok = await client.consulterStructure(ACCOUNT, { idStructureCPP: SEED.noRequirement.idStructureCPP })
    expect(ok.codeRetour).toBe(0)
    expect(client.breakerState()).toBe('closed')
  })

  it('reads retry with backoff; writes are never retried blindly', async () => {
    const client = sandboxClient(sb.base)
    await sb.faults({ failNext: { 'structures/v1/consulter': 2, soumettre: 1 } })
    const r = await client.consulterStructure(ACCOUNT, { idStructureCPP: SEED.noRequirement.idStructureCPP })
    expect(r.informationGenerales?.identifiantStructure).toBe(SEED.noRequirement.siret)
    expect((await sb.calls())['structures/v1/consulter']).toBe(3)

    const e = await failure<ChorusError>(() => client.soumettre(ACCOUNT, saisie(recipient)))
    expect(e.kind).toBe('unavailable')
    expect(e.outcomeUnknown).toBe(false)
    expect((await sb.calls())['factures/v1/soumettre']).toBe(1)
  })

  it('timeouts: a read gives up after its retries, a write after one attempt with an unknown outcome', async () => {
    const client = sandboxClient(sb.base, { timeoutMs: 150, retry: { maxAttempts: 2, baseDelayMs: 5 } })
    await client.healthCheck(ACCOUNT)
    await sb.faults({ timeoutRate: 1 })
    const started = Date.now()
    const read = await failure<ChorusError>(() => client.consulterStructure(ACCOUNT, { idStructureCPP: SEED.noRequirement.idStructureCPP }))
    expect(read.kind).toBe('timeout')
    expect(read.retryable).toBe(true)
    expect(Date.now() - started).toBeLessThan(1000)
    expect((await sb.calls())['structures/v1/consulter']).toBe(2)
    const write = await failure<ChorusError>(() => client.soumettre(ACCOUNT, saisie(recipient)))
    expect(write.kind).toBe('timeout')
    expect(write.outcomeUnknown).toBe(true)
    expect((await sb.calls())['factures/v1/soumettre']).toBe(1)
  })
})

describe('limits and pagination', () => {
  it('reads every page beyond 10 results', async () => {
    const client = sandboxClient(sb.base)
    const numbers = new Set<string>()
    for (let i = 0; i < 25; i++) numbers.add((await client.soumettre(ACCOUNT, saisie(recipient))).numeroFacture)
    const r = await client.rechercherFactureFournisseur(ACCOUNT, { rechercheFactureParFournisseur: { nbResultatsParPage: 10 } })
    expect(new Set(r.listeFactures.map((f) => f.numeroFacture))).toEqual(numbers)
    expect(r.parametresRetour?.total).toBe(25)
    expect((await sb.calls())['factures/v1/rechercher/fournisseur']).toBe(3)
    const schools = await client.rechercherStructures(ACCOUNT, { structure: { raisonSocialeStructure: 'école élémentaire' }, parametres: { nbResultatsParPage: 5 } })
    expect(schools.listeStructures).toHaveLength(SEED.schools.length)
  })

  it('caps concurrency and rate per client', async () => {
    await sb.faults({ latencyMs: 40 })
    const narrow = sandboxClient(sb.base, { maxConcurrency: 2 })
    await narrow.healthCheck(ACCOUNT)
    let started = Date.now()
    await Promise.all(Array.from({ length: 6 }, () => narrow.healthCheck(ACCOUNT)))
    expect(Date.now() - started).toBeGreaterThanOrEqual(110)
    await sb.faults({ latencyMs: 0 })
    const slow = sandboxClient(sb.base, { rateLimitPerSecond: 10 })
    started = Date.now()
    await Promise.all(Array.from({ length: 15 }, () => slow.healthCheck(ACCOUNT)))
    // A burst of 10, then 10 per second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
  })
})

describe('secrets', () => {
  it('no password, secret or token in any log line or error', async () => {
    const lines: string[] = []
    const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb() } })
    const logger = createLogger('debug', sink)
    const client = sandboxClient(sb.base, { logger })
    await client.soumettre(ACCOUNT, saisie(recipient))
    await failure(() => client.soumettre({ ...ACCOUNT, password: 'Another-Wrong-Pass-1' }, saisie(recipient)))
    await failure(() => client.soumettre(ACCOUNT, saisie('11111111111111')))
    const e = await failure<ChorusError>(() => client.soumettre({ ...ACCOUNT, password: 'Another-Wrong-Pass-1' }, saisie(recipient)))
    logger.error({ err: e, detail: e.toJSON() }, 'failed')
    const all = lines.join('') + e.message + JSON.stringify(e.toJSON())
    expect(lines.length).toBeGreaterThan(2)
    for (const secret of [SANDBOX_CREDENTIALS.clientSecret, SANDBOX_CREDENTIALS.technicalPassword, 'Another-Wrong-Pass-1', Buffer.from(`${ACCOUNT.login}:${ACCOUNT.password}`).toString('base64')]) {
      expect(all).not.toContain(secret)
    }
    for (const token of sb.sandbox.store.state.tokens.keys()) expect(all).not.toContain(token)
  })
})
