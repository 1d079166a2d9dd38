import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { openDatabase, type OpenedDatabase } from '../../src/db/database'
import { asBackground } from '../../src/db/query-priority'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The embedded database's one connection: requests before background work, background never starved. */
describe('PGlite thread dialect: turns on the one connection', () => {
  let opened: OpenedDatabase
  beforeAll(async () => { opened = await openDatabase({ dir: 'memory://' }) })
  afterAll(() => opened.close())

  it('gives the connection to a request before background work queued earlier', async () => {
    const { db } = opened
    const order: string[] = []
    const holder = asBackground(() => db.transaction().execute(async (trx) => { await sql`select pg_sleep(0.3)`.execute(trx) }))
    await sleep(80)
    const background = [1, 2, 3].map((i) => asBackground(async () => { await sql`select ${i}::int`.execute(db); order.push(`background ${i}`) }))
    await sleep(20)
    const request = sql`select 1`.execute(db).then(() => { order.push('request') })
    await Promise.all([holder, ...background, request])
    expect(order).toEqual(['request', 'background 1', 'background 2', 'background 3'])
  })

  it('lets background work that waited a second go before a request', async () => {
    const { db } = opened
    const order: string[] = []
    const holder = db.transaction().execute(async (trx) => { await sql`select pg_sleep(1.2)`.execute(trx) })
    await sleep(50)
    const background = asBackground(async () => { await sql`select 2`.execute(db); order.push('background') })
    await sleep(1_050)
    const request = sql`select 1`.execute(db).then(() => { order.push('request') })
    await Promise.all([holder, background, request])
    expect(order).toEqual(['background', 'request'])
  })

  it('keeps a transaction whole: no other query runs inside it', async () => {
    const { db } = opened
    await sql`create table if not exists turns (n int)`.execute(db)
    const inside = db.transaction().execute(async (trx) => {
      await sql`insert into turns values (1)`.execute(trx)
      await sleep(100)
      const seen = await sql<{ n: number }>`select count(*)::int as n from turns`.execute(trx)
      throw Object.assign(new Error('rollback'), { seen: seen.rows[0]!.n })
    }).catch((e: { seen: number }) => e.seen)
    await sleep(20)
    // Waits for the transaction's end (it rolls back), so it never sees the uncommitted row.
    const outside = await sql<{ n: number }>`select count(*)::int as n from turns`.execute(db)
    expect(await inside).toBe(1)
    expect(outside.rows[0]!.n).toBe(0)
  })
})
