import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ChorusError, clearTokenCache } from '../../src/chorus'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'
import { ACCOUNT, failure, sandboxClient, startSandbox, type RunningSandbox } from '../chorus/sandbox-harness'

let sb: RunningSandbox
beforeAll(async () => {
  sb = await startSandbox()
})
afterAll(() => sb.close())
beforeEach(async () => {
  await sb.reset()
  clearTokenCache()
})

async function token(): Promise<string> {
  const res = await fetch(`${sb.base}/api/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: SANDBOX_CREDENTIALS.clientId, client_secret: SANDBOX_CREDENTIALS.clientSecret, scope: 'openid' }),
  })
  return ((await res.json()) as { access_token: string }).access_token
}

const cproAccount = (login: string, password: string) => Buffer.from(`${login}:${password}`, 'utf8').toString('base64')

describe('GET transverses/v1/health-check', () => {
  it('requires the cpro-account header like every call (swagger: required on every operation)', async () => {
    const bearer = await token()
    const url = `${sb.base}/cpro/transverses/v1/health-check`
    const without = await fetch(url, { headers: { authorization: `Bearer ${bearer}` } })
    expect(without.status).toBe(401)
    expect(without.headers.get('www-authenticate')).toMatch(/login or password incorrects/)

    const wrong = await fetch(url, { headers: { authorization: `Bearer ${bearer}`, 'cpro-account': cproAccount(SANDBOX_CREDENTIALS.technicalLogin, 'nope') } })
    expect(wrong.status).toBe(401)

    const right = await fetch(url, { headers: { authorization: `Bearer ${bearer}`, 'cpro-account': cproAccount(SANDBOX_CREDENTIALS.technicalLogin, SANDBOX_CREDENTIALS.technicalPassword) } })
    expect(right.status).toBe(200)
    expect(await right.json()).toEqual({ statusCode: '200' })
  })

  it('the client sends the technical account with it', async () => {
    expect((await sandboxClient(sb.base).healthCheck(ACCOUNT)).statusCode).toBe('200')
    const e = await failure<ChorusError>(() => sandboxClient(sb.base).healthCheck({ ...ACCOUNT, password: 'Wrong-Password-9' }))
    expect(e.kind).toBe('auth')
    expect(e.catalogue.code).toBe('technical_account_refused')
    expect((await sb.calls())['transverses/v1/health-check']).toBe(2)
  })
})
