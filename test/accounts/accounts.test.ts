import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../support/in-process-service'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'
import { expiryWarning } from '../../src/workflows/accounts/test-account-connection'

describe('supplier accounts', () => {
  let s: TestService
  beforeAll(async () => { s = await startTestService() }, 60_000)
  afterAll(() => s?.stop())

  it('has a demo account linked to the sandbox test supplier from the first start, and its connection works', async () => {
    const list = (await (await s.api('/accounts')).json()) as any
    const demo = list.items.find((a: any) => a.isDemo)
    expect(demo).toMatchObject({ siret: SANDBOX_CREDENTIALS.supplierSiret, technicalLogin: SANDBOX_CREDENTIALS.technicalLogin, hasTechnicalPassword: true, autoSubmit: true })
    expect(JSON.stringify(list)).not.toContain(SANDBOX_CREDENTIALS.technicalPassword)
    const check = (await (await s.api(`/accounts/${demo.id}/test-connection`, { method: 'POST' })).json()) as any
    expect(check.ok).toBe(true)
    expect(check.steps.map((x: any) => x.step)).toEqual(['piste_application', 'technical_account', 'structure_linked', 'password_expiry'])
    expect(check.account.chorusStructureId).toBe(String(SANDBOX_CREDENTIALS.supplierIdStructureCPP))
  })

  it('says exactly what is wrong: a refused technical password names the account, and is never echoed', async () => {
    const created = await s.api('/accounts', { method: 'POST', json: { name: 'Menuiserie Durand', siret: SANDBOX_CREDENTIALS.supplierSiret, technicalLogin: SANDBOX_CREDENTIALS.technicalLogin, technicalPassword: 'Wrong-Password-123' } })
    expect(created.status).toBe(201)
    const a = (await created.json()) as any
    expect(JSON.stringify(a)).not.toContain('Wrong-Password-123')
    const check = (await (await s.api(`/accounts/${a.id}/test-connection`, { method: 'POST' })).json()) as any
    expect(check.ok).toBe(false)
    const step = check.steps.find((x: any) => !x.ok)
    expect(step.step).toBe('technical_account')
    expect(step.message).toMatch(/Menuiserie Durand/)
    expect(JSON.stringify(check)).not.toContain('Wrong-Password-123')
    expect(s.logs.text()).not.toContain('Wrong-Password-123')

    // A SIRET the technical account is not linked to.
    const other = (await (await s.api('/accounts', { method: 'POST', json: { name: 'Autre', siret: '21760000000012', technicalLogin: SANDBOX_CREDENTIALS.technicalLogin, technicalPassword: SANDBOX_CREDENTIALS.technicalPassword } })).json()) as any
    const linked = (await (await s.api(`/accounts/${other.id}/test-connection`, { method: 'POST', headers: { 'Accept-Language': 'en' } })).json()) as any
    expect(linked.steps.find((x: any) => !x.ok)).toMatchObject({ step: 'structure_linked' })
    expect(linked.steps.find((x: any) => !x.ok).message).toMatch(/not linked to a structure with SIRET 21760000000012/)

    // Changing the password fixes it; the change is audited without the value.
    expect((await s.api(`/accounts/${a.id}`, { method: 'PATCH', json: { technicalPassword: SANDBOX_CREDENTIALS.technicalPassword } })).status).toBe(200)
    expect(((await (await s.api(`/accounts/${a.id}/test-connection`, { method: 'POST' })).json()) as any).ok).toBe(true)
    const audit = (await (await s.api(`/audit?targetType=account&targetId=${a.id}`)).json()) as any
    expect(audit.items.map((x: any) => x.action)).toContain('account.update')
    expect(JSON.stringify(audit)).not.toContain(SANDBOX_CREDENTIALS.technicalPassword)
  })

  it('refuses an invalid SIRET and unknown fields with 400 naming them', async () => {
    const res = await s.api('/accounts', { method: 'POST', json: { name: 'X', siret: '12345678901234', technicalLogin: 'a', technicalPassword: 'b', colour: 'red' } })
    expect(res.status).toBe(400)
    const body = (await res.json()) as any
    expect(body.error.details.map((d: any) => d.field)).toEqual(expect.arrayContaining(['siret']))
    expect(JSON.stringify(body.error.details)).toMatch(/colour/)
  })

  it('warns 30 days before the technical password expires, and once it has, saying who can renew it', () => {
    const now = new Date('2026-11-21T10:00:00Z')
    expect(expiryWarning('2026-12-22', now)).toBeNull()
    expect(expiryWarning('2026-12-21', now)!.fr).toMatch(/expire dans 30 jour\(s\) \(2026-12-21\) : seul le gestionnaire principal de la structure peut le renouveler dans Chorus Pro \(il doit l’être tous les 424 jours\)/)
    expect(expiryWarning('2026-12-06', now)!.en).toMatch(/expires in 15 day\(s\) \(2026-12-06\): only the structure's main manager can renew it in Chorus Pro/)
    expect(expiryWarning('2026-11-21', now)!.en).toMatch(/expires in 0 day/)
    expect(expiryWarning('2026-11-20', now)!.en).toMatch(/expired on 2026-11-20/)
    expect(expiryWarning(null, now)).toBeNull()
  })
})
