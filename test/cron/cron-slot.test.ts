import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { openDatabase } from '../../src/db/database'
import { enqueueCronRun, minuteSlot } from '../../src/cron/cron-slot'
import { captureLogs } from '../support/log-capture'
import { startScheduler } from '../../src/cron/scheduler'

describe.each(testEngines())('cron on $name', (engine) => {
  let t: TestDatabase
  beforeAll(async () => { t = await engine.open() })
  afterAll(() => t.close())

  it('enqueues a slot once however many instances tick it at once', async () => {
    const slot = minuteSlot(new Date('2026-11-21T10:00:17.400Z'))
    // On PostgreSQL, separate pools stand for separate instances.
    const extra = t.url ? await Promise.all([1, 2, 3].map(() => openDatabase({ url: t.url, poolSize: 2 }))) : []
    const dbs = [t.db, t.db, ...extra.map((e) => e.db)]
    try {
      const results = await Promise.all(dbs.map((db, i) => enqueueCronRun(db, 'sources.scan', slot, { kind: 'sources.poll' }, `i${i}`)))
      expect(results.filter((r) => r !== null)).toHaveLength(1)
      const jobs = await t.db.selectFrom('jobs').selectAll().where('kind', '=', 'sources.poll').execute()
      expect(jobs).toHaveLength(1)
      // The next slot while the previous run still waits: the slot is recorded, the job is not doubled.
      const next = await enqueueCronRun(t.db, 'sources.scan', new Date(slot.getTime() + 60_000), { kind: 'sources.poll' })
      expect(next).toBe(jobs[0]!.id)
      expect(await t.db.selectFrom('jobs').selectAll().where('kind', '=', 'sources.poll').execute()).toHaveLength(1)
    } finally {
      await Promise.all(extra.map((e) => e.close()))
    }
  })

  it('truncates ticks to their minute', () => {
    expect(minuteSlot(new Date('2026-11-21T10:00:59.999Z')).toISOString()).toBe('2026-11-21T10:00:00.000Z')
  })

  it('refuses an invalid expression at start-up with its name', () => {
    const logs = captureLogs()
    expect(() => startScheduler({ db: t.db, logger: logs.logger, schedules: [{ name: 'bad', cron: 'every minute', kind: 'maintenance.purge' }] })).toThrow(/bad.*invalid cron/)
  })
})
