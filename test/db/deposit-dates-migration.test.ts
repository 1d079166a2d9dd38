import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testEngines, type TestDatabase } from '../support/databases'
import { up } from '../../migrations/0011_deposit_dates_as_days'
import { createAccount } from '../../src/db/accounts'
import { createSecretBox } from '../../src/secrets/secret-box'
import { randomBytes } from 'node:crypto'
import { whenOf } from '../../src/domain/deposit-date'

describe.each(testEngines())('migration 0011: made-up noon deposits become days, on $name', (engine) => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await engine.open()
  })
  afterAll(() => t?.close())

  it('turns noon UTC into the start of the Paris day, and leaves real times and days alone', async () => {
    const account = await createAccount(t.db, createSecretBox(randomBytes(32)), 'sandbox', { name: 'A', siret: '98765432100015', technicalLogin: 'l', technicalPassword: 'p' })
    const values = {
      noonWinter: new Date('2026-11-27T12:00:00.000Z'),
      noonSummer: new Date('2026-07-14T12:00:00.000Z'),
      realTime: new Date('2026-11-27T02:18:41.123Z'),
      alreadyDay: new Date('2026-11-26T23:00:00.000Z'),
    }
    const ids: Record<string, string> = {}
    let n = 0
    for (const [k, v] of Object.entries(values)) {
      const r = await t.db.insertInto('invoices').values({ account_id: account.id, chorus_invoice_id: String(8_800_000 + ++n), invoice_number: `MIG-${k}`, status: 'DEPOSEE', status_at: new Date(), deposited_at: v }).returning('id').executeTakeFirstOrThrow()
      ids[k] = r.id
    }
    await up(t.db)
    const at = async (k: string) => (await t.db.selectFrom('invoices').select('deposited_at').where('id', '=', ids[k]!).executeTakeFirstOrThrow()).deposited_at!
    expect((await at('noonWinter')).toISOString()).toBe('2026-11-26T23:00:00.000Z')
    expect(whenOf(await at('noonWinter'))).toEqual({ kind: 'date', date: '2026-11-27' })
    expect((await at('noonSummer')).toISOString()).toBe('2026-07-13T22:00:00.000Z')
    expect(whenOf(await at('noonSummer'))).toEqual({ kind: 'date', date: '2026-07-14' })
    expect((await at('realTime')).toISOString()).toBe('2026-11-27T02:18:41.123Z')
    expect((await at('alreadyDay')).toISOString()).toBe('2026-11-26T23:00:00.000Z')
    await sql`select 1`.execute(t.db)
  })
})
