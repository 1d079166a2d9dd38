import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase, type TestEngine } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { todayIn } from '../../src/domain/calendar-date'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'

const DAY = 86_400_000
const inDays = (n: number) => new Date(Date.parse(todayIn('Europe/Paris')) + n * DAY).toISOString().slice(0, 10)

function serviceOn(engine: TestEngine) {
  let t: TestDatabase | undefined
  let s: TestService | undefined
  return {
    async start(): Promise<TestService> {
      t = engine.name === 'postgres' ? await engine.open() : undefined
      s = await startTestService({ CRON_ENABLED: 'false', ...(t?.url ? { DATABASE_URL: t.url } : {}) })
      return s
    },
    async stop() {
      await s?.stop()
      await t?.close()
    },
  }
}

/**
 * Technical passwords expire every 424 days and only the structure's main manager renews them: the date
 * consulterStructure gives drives a warning 30 days ahead on the account (GET /accounts, Test connection),
 * in /ready's detail, and as an account.password_expiring event of the daily check, once a day at most.
 */
describe.each(testEngines())('technical password expiry on $name', (engine) => {
  const svc = serviceOn(engine)
  let s: TestService
  let demoId: string
  beforeAll(async () => {
    s = await svc.start()
    const accounts = (await (await s.api('/accounts')).json()) as any
    demoId = accounts.items.find((a: any) => a.isDemo).id
  }, 60_000)
  afterAll(() => svc.stop())

  const expireIn = async (days: number | null) => {
    const res = await s.sandbox('/password-expiry', { method: 'POST', json: { login: SANDBOX_CREDENTIALS.technicalLogin, expiresOn: days === null ? null : inDays(days) } })
    expect(res.status).toBe(200)
  }
  const testConnection = async (lang = 'fr') => (await (await s.api(`/accounts/${demoId}/test-connection`, { method: 'POST', headers: { 'accept-language': lang } })).json()) as any
  const ready = async () => (await (await fetch(`${s.url}/ready`)).json()) as any

  it('the sandbox gives a date 424 days ahead, as a freshly generated password has: no warning', async () => {
    const check = await testConnection()
    expect(check.ok).toBe(true)
    expect(check.account).toMatchObject({ passwordExpiresOn: inDays(424), passwordWarning: null, passwordExpiresInDays: 424 })
    expect(check.steps.at(-1)).toMatchObject({ step: 'password_expiry', ok: true, message: `Mot de passe valide jusqu’au ${inDays(424)}.` })
    expect((await ready()).checks.technical_passwords).toBeUndefined()
  })

  it('31 days ahead: still nothing; 30 days ahead: the warning on the account, in Test connection and in /ready', async () => {
    await expireIn(31)
    expect((await testConnection()).account.passwordWarning).toBeNull()
    await expireIn(30)
    const check = await testConnection('en')
    expect(check.ok).toBe(true)
    const step = check.steps.find((x: any) => x.step === 'password_expiry')
    expect(step.ok).toBe(true)
    expect(step.message).toBe(`The technical account password expires in 30 day(s) (${inDays(30)}): only the structure's main manager can renew it in Chorus Pro (it must be renewed every 424 days), then save the new password here.`)
    const listed = ((await (await s.api('/accounts')).json()) as any).items.find((a: any) => a.id === demoId)
    expect(listed).toMatchObject({ passwordExpiresOn: inDays(30), passwordExpiresInDays: 30, passwordWarning: { fr: expect.stringMatching(/expire dans 30 jour\(s\)/), en: expect.stringMatching(/expires in 30 day\(s\)/) } })
    const r = await ready()
    expect(r.status).toBe('ready')
    expect(r.checks.technical_passwords).toEqual({ ok: true, detail: expect.stringContaining(`account ${demoId} (`) })
    expect(r.checks.technical_passwords.detail).toContain(`expires in 30 day(s), on ${inDays(30)}`)
    expect(r.checks.technical_passwords.detail).toContain("Only the structure's main manager can renew it")
  })

  it('the daily check sends account.password_expiring at most once per account per day', async () => {
    const db = s.service.database.db
    await db.insertInto('webhooks').values({ url: 'http://127.0.0.1:9/hook', secret_enc: 'unused', events: JSON.stringify(['account.password_expiring']), enabled: false }).execute()
    // Enabled only now, and only this event, so that the deliveries below are the check's alone.
    await db.updateTable('webhooks').set({ enabled: true }).execute()
    await expireIn(12)
    const runCheck = async () => {
      const job = await db.insertInto('jobs').values({ kind: 'accounts.check', payload: JSON.stringify({}) }).returning('id').executeTakeFirstOrThrow()
      await s.until(async () => {
        const r = await db.selectFrom('jobs').select('state').where('id', '=', job.id).executeTakeFirstOrThrow()
        return r.state === 'done' || r.state === 'dead' ? r : undefined
      }, 20_000, 'accounts.check')
    }
    const sent = () => db.selectFrom('webhook_deliveries').select(['event', 'payload']).where('event', '=', 'account.password_expiring').orderBy('id').execute()
    await runCheck()
    await runCheck()
    const once = await sent()
    expect(once).toHaveLength(1)
    expect((once[0]!.payload as any).data).toMatchObject({ accountId: demoId, passwordExpiresOn: inDays(12), daysLeft: 12, expired: false, message: { fr: expect.stringMatching(/seul le gestionnaire principal/) } })
    // The next day (the mark says yesterday), once more.
    await db.updateTable('accounts').set({ password_warning_sent_on: inDays(-1) }).where('id', '=', demoId).execute()
    await runCheck()
    await runCheck()
    expect(await sent()).toHaveLength(2)
    await expireIn(424)
  }, 60_000)
})
