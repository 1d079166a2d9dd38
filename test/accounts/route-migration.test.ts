import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql, type Kysely } from 'kysely'
import { testEngines, type TestDatabase } from '../support/databases'
import * as m0006 from '../../migrations/0006_submission_route_auto'
import { createAccount, updateAccount } from '../../src/db/accounts'
import { createSecretBox } from '../../src/secrets/secret-box'
import { randomBytes } from 'node:crypto'

/**
 * Migration 0006: `auto` becomes the default submission route, and existing accounts move to it only
 * when nobody chose their route (a route other than the old default, or an audited change, is a choice).
 */
describe.each(testEngines())('submission route migration on $name', (engine) => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await engine.open()
  })
  afterAll(() => t?.close())

  it('moves to auto only the accounts that never chose, keeps every choice, and records choices from now on', async () => {
    const db = t.db as unknown as Kysely<any>
    // Back to the schema before 0006 (the test database is migrated to the latest).
    await m0006.down(db)
    const insert = async (name: string, route?: 'pdf' | 'facturx') =>
      (await db.insertInto('accounts').values({ name, siret: '98765432100015', technical_login: 'TECH', technical_password_enc: 'x', environment: 'sandbox', ...(route ? { submission_route: route } : {}) }).returning('id').executeTakeFirstOrThrow()).id as string
    const untouched = await insert('jamais choisi')
    const chosePdf = await insert('a choisi pdf')
    const choseFacturx = await insert('a choisi facturx', 'facturx')
    const otherChange = await insert('autre changement')
    await db.insertInto('audit_log').values([
      { actor: 'key:1', action: 'account.update', target_type: 'account', target_id: chosePdf, details: JSON.stringify({ changed: ['autoSubmit', 'submissionRoute'] }) },
      { actor: 'key:1', action: 'account.update', target_type: 'account', target_id: otherChange, details: JSON.stringify({ changed: ['technicalPassword (changed)'] }) },
      // Another account's change does not count for this one.
      { actor: 'key:1', action: 'account.update', target_type: 'account', target_id: '999999', details: JSON.stringify({ changed: ['submissionRoute'] }) },
    ]).execute()
    expect((await db.selectFrom('accounts').select('submission_route').where('id', '=', untouched).executeTakeFirstOrThrow()).submission_route).toBe('pdf')

    await m0006.up(db)
    const rows = await db.selectFrom('accounts').select(['id', 'submission_route', 'submission_route_chosen']).execute()
    const by = Object.fromEntries(rows.map((r: any) => [r.id, r]))
    expect(by[untouched]).toMatchObject({ submission_route: 'auto', submission_route_chosen: false })
    expect(by[otherChange]).toMatchObject({ submission_route: 'auto', submission_route_chosen: false })
    expect(by[chosePdf]).toMatchObject({ submission_route: 'pdf', submission_route_chosen: true })
    expect(by[choseFacturx]).toMatchObject({ submission_route: 'facturx', submission_route_chosen: true })
    // The column default is auto; the constraint takes the three values and nothing else.
    expect((await db.selectFrom('accounts').select('submission_route').where('id', '=', await insert('nouveau')).executeTakeFirstOrThrow()).submission_route).toBe('auto')
    await expect(sql`update accounts set submission_route = 'xml' where id = ${untouched}`.execute(db)).rejects.toThrow()

    // From now on the repository records whether the route was given.
    const secrets = createSecretBox(randomBytes(32))
    const base = { siret: '98765432100015', technicalLogin: 'TECH', technicalPassword: 'p' }
    const a = await createAccount(t.db, secrets, 'sandbox', { ...base, name: 'sans route' })
    const b = await createAccount(t.db, secrets, 'sandbox', { ...base, name: 'route pdf', submissionRoute: 'pdf' })
    expect(a).toMatchObject({ submission_route: 'auto', submission_route_chosen: false })
    expect(b).toMatchObject({ submission_route: 'pdf', submission_route_chosen: true })
    expect(await updateAccount(t.db, secrets, a.id, { submissionRoute: 'auto' })).toMatchObject({ submission_route: 'auto', submission_route_chosen: true })

    // And down then up again is clean.
    await m0006.down(db)
    await m0006.up(db)
  })
})
