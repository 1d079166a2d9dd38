import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testEngines, type TestDatabase } from '../support/databases'
import { captureLogs } from '../support/log-capture'
import { backoffMs, claimJobs, completeJob, insertJob as enqueue, failJob, rescueExpiredLeases } from '../../src/db/jobs'
import { createWorker } from '../../src/jobs/worker'
import { JOB_KINDS, PermanentJobError, RetryLaterError, type JobKind } from '../../src/workflows/jobs'

describe.each(testEngines())('job queue on $name', (engine) => {
  let t: TestDatabase
  beforeAll(async () => { t = await engine.open() })
  afterAll(() => t.close())
  beforeEach(async () => { await sql`delete from jobs`.execute(t.db) })

  it('dedupes on a key while the job is pending or running, and frees the key when it is done', async () => {
    const a = await enqueue(t.db, { kind: 'k', key: 'doc:1' })
    const b = await enqueue(t.db, { kind: 'k', key: 'doc:1' })
    expect(a.created).toBe(true)
    expect(b).toEqual({ id: a.id, created: false })
    const [job] = await claimJobs(t.db, { workerId: 'w', limit: 5, leaseMs: 10_000, kinds: ['k'] })
    expect(job!.id).toBe(a.id)
    expect((await enqueue(t.db, { kind: 'k', key: 'doc:1' })).created).toBe(false)
    await completeJob(t.db, job!.id, 'w')
    expect((await enqueue(t.db, { kind: 'k', key: 'doc:1' })).created).toBe(true)
  })

  it('enqueues inside the caller’s transaction: a rollback leaves no job', async () => {
    await expect(t.db.transaction().execute(async (trx) => {
      await enqueue(trx, { kind: 'k', payload: { n: 1 } })
      throw new Error('caller failed')
    })).rejects.toThrow('caller failed')
    expect(await t.db.selectFrom('jobs').selectAll().execute()).toEqual([])
  })

  it('claims only due jobs of its kinds, by priority then age, each once', async () => {
    await enqueue(t.db, { kind: 'a', payload: { n: 1 } })
    await enqueue(t.db, { kind: 'a', payload: { n: 2 }, priority: 5 })
    await enqueue(t.db, { kind: 'a', payload: { n: 3 }, runAt: new Date(Date.now() + 60_000) })
    await enqueue(t.db, { kind: 'b', payload: { n: 4 } })
    const first = await claimJobs(t.db, { workerId: 'w1', limit: 10, leaseMs: 10_000, kinds: ['a'] })
    expect(first.map((j) => j.payload.n)).toEqual([2, 1])
    expect(await claimJobs(t.db, { workerId: 'w2', limit: 10, leaseMs: 10_000, kinds: ['a'] })).toEqual([])
  })

  it('retries with growing backoff, then keeps the job dead with its last error', async () => {
    const { id } = await enqueue(t.db, { kind: 'k', maxAttempts: 2 })
    let [job] = await claimJobs(t.db, { workerId: 'w', limit: 1, leaseMs: 10_000, kinds: ['k'] })
    expect(await failJob(t.db, job!, 'w', 'first failure')).toBe('retry')
    let row = await t.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.state).toBe('pending')
    expect(row.run_at.getTime()).toBeGreaterThan(Date.now() + 500)
    await t.db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute()
    ;[job] = await claimJobs(t.db, { workerId: 'w', limit: 1, leaseMs: 10_000, kinds: ['k'] })
    expect(job!.attempts).toBe(2)
    expect(await failJob(t.db, job!, 'w', 'second failure')).toBe('dead')
    row = await t.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.state).toBe('dead')
    expect(row.last_error).toBe('second failure')
  })

  it('draws backoff with jitter inside [50%, 100%] of an exponential, capped', () => {
    expect(backoffMs(1, 2000, 3_600_000, () => 0)).toBe(1000)
    expect(backoffMs(1, 2000, 3_600_000, () => 1)).toBe(2000)
    expect(backoffMs(4, 2000, 3_600_000, () => 1)).toBe(16_000)
    expect(backoffMs(40, 2000, 3_600_000, () => 1)).toBe(3_600_000)
  })

  it('takes back a job whose lease expired, and refuses the late completion of the old holder', async () => {
    const { id } = await enqueue(t.db, { kind: 'k' })
    await claimJobs(t.db, { workerId: 'dead-worker', limit: 1, leaseMs: 10_000, kinds: ['k'] })
    await t.db.updateTable('jobs').set({ locked_until: new Date(Date.now() - 1000) }).where('id', '=', id).execute()
    expect(await rescueExpiredLeases(t.db)).toBe(1)
    const [again] = await claimJobs(t.db, { workerId: 'w2', limit: 1, leaseMs: 10_000, kinds: ['k'] })
    expect(again!.id).toBe(id)
    expect(again!.attempts).toBe(2)
    await expect(completeJob(t.db, id, 'dead-worker')).rejects.toThrow(/no longer held/)
    await completeJob(t.db, id, 'w2')
  })

  it('runs handlers in a worker: success, retry-later without spending an attempt, permanent failure', async () => {
    const logs = captureLogs()
    const seen: string[] = []
    const worker = createWorker({
      db: t.db,
      logger: logs.logger,
      pollMs: 20,
      handlers: {
        ok: async (payload: { n: number }) => { seen.push(`ok:${payload.n}`) },
        later: async () => { throw new RetryLaterError('Chorus Pro is not available', 60_000) },
        broken: async () => { throw new PermanentJobError('not a PDF') },
      },
    })
    await enqueue(t.db, { kind: 'ok', payload: { n: 1 } })
    const later = await enqueue(t.db, { kind: 'later' })
    const broken = await enqueue(t.db, { kind: 'broken' })
    worker.start()
    const until = Date.now() + 10_000
    while (Date.now() < until) {
      const rows = await t.db.selectFrom('jobs').select(['id', 'state', 'attempts']).execute()
      if (rows.every((r) => r.state !== 'running') && rows.filter((r) => r.state === 'pending').length === 1 && seen.length === 1) break
      await new Promise((r) => setTimeout(r, 50))
    }
    await worker.stop(1000)
    const rows = Object.fromEntries((await t.db.selectFrom('jobs').selectAll().execute()).map((r) => [r.id, r]))
    expect(seen).toEqual(['ok:1'])
    expect(rows[later.id]!.state).toBe('pending')
    expect(rows[later.id]!.attempts).toBe(0)
    expect(rows[broken.id]!.state).toBe('dead')
    expect(rows[broken.id]!.last_error).toBe('not a PDF')
  })

  it('on shutdown lets a running job finish within the deadline, and releases one that does not', async () => {
    const logs = captureLogs()
    let finished = false
    const worker = createWorker({
      db: t.db,
      logger: logs.logger,
      pollMs: 20,
      handlers: {
        quick: async () => { await new Promise((r) => setTimeout(r, 200)); finished = true },
        stuck: (_payload, run) => new Promise((_r, reject) => run.signal.addEventListener('abort', () => reject(new Error('aborted')))),
      },
    })
    const quick = await enqueue(t.db, { kind: 'quick' })
    worker.start()
    while ((await t.db.selectFrom('jobs').select('state').where('id', '=', quick.id).executeTakeFirstOrThrow()).state !== 'running') await new Promise((r) => setTimeout(r, 10))
    await worker.stop(5000)
    expect(finished).toBe(true)
    expect((await t.db.selectFrom('jobs').select('state').where('id', '=', quick.id).executeTakeFirstOrThrow()).state).toBe('done')

    // The stuck job only ends when its signal fires: stop() must abort it (a released job must not go on
    // calling Chorus Pro while another instance takes it), then give its lease back.
    let aborted = false
    let endedAt = 0
    const w2 = createWorker({
      db: t.db,
      logger: logs.logger,
      pollMs: 20,
      handlers: {
        stuck: (_payload, run) =>
          new Promise((_r, rej) => run.signal.addEventListener('abort', () => { aborted = true; endedAt = Date.now(); rej(new Error('aborted')) })),
      },
    })
    const stuck = await enqueue(t.db, { kind: 'stuck' })
    w2.start()
    while ((await t.db.selectFrom('jobs').select('state').where('id', '=', stuck.id).executeTakeFirstOrThrow()).state !== 'running') await new Promise((r) => setTimeout(r, 10))
    const stopAt = Date.now()
    await w2.stop(200)
    expect(aborted).toBe(true)
    expect(endedAt - stopAt).toBeGreaterThanOrEqual(150)
    expect(w2.running).toBe(0)
    const row = await t.db.selectFrom('jobs').selectAll().where('id', '=', stuck.id).executeTakeFirstOrThrow()
    expect(row.state).toBe('pending')
    expect(row.attempts).toBe(0)
    expect(row.locked_by).toBeNull()
  })

  it('never starves intake behind a backlog of webhook deliveries: each lane has its own share', async () => {
    const logs = captureLogs()
    const laneOf = (kind: string) => JOB_KINDS[kind as JobKind]?.lane ?? 'background'
    const ran: string[] = []
    const worker = createWorker({
      db: t.db,
      logger: logs.logger,
      pollMs: 20,
      concurrency: { intake: 1, documents: 2, background: 1 },
      laneOf,
      handlers: {
        'webhook.deliver': async () => { await new Promise((r) => setTimeout(r, 200)); ran.push('webhook') },
        'source.scan': async () => { ran.push('scan') },
        'document.analyse': async () => { ran.push('analyse') },
      },
    })
    // 500 deliveries waiting first, with a higher priority than anything else.
    for (let i = 0; i < 500; i++) await enqueue(t.db, { kind: 'webhook.deliver', payload: { deliveryId: String(i) }, priority: 9 })
    const scan = await enqueue(t.db, { kind: 'source.scan', payload: { sourceId: '1' } })
    const analyse = await enqueue(t.db, { kind: 'document.analyse', payload: { documentId: '1' } })
    const t0 = Date.now()
    worker.start()
    const until = Date.now() + 10_000
    while (Date.now() < until && !(ran.includes('scan') && ran.includes('analyse'))) await new Promise((r) => setTimeout(r, 20))
    const waited = Date.now() - t0
    await worker.stop(100)
    expect(ran).toContain('scan')
    expect(ran).toContain('analyse')
    // Both ran within the first claims, while nearly all deliveries still wait.
    expect(waited).toBeLessThan(2_000)
    expect(ran.filter((r) => r === 'webhook').length).toBeLessThan(20)
    const states = await t.db.selectFrom('jobs').select(['id', 'state']).where('id', 'in', [scan.id, analyse.id]).execute()
    expect(states.map((s) => s.state)).toEqual(['done', 'done'])
  })

  it('claims only the woken kind’s lane: a burst of enqueues does not cost a claim per lane each', async () => {
    const logs = captureLogs()
    const laneOf = (kind: string) => JOB_KINDS[kind as JobKind]?.lane ?? 'background'
    const claims: string[] = []
    // Every claim the worker sends, by the kinds it asks for.
    const counted = t.db.withPlugin({
      transformQuery: (args) => {
        const node = args.node as { kind: string; sqlFragments?: readonly string[] }
        if (node.kind === 'RawNode' && node.sqlFragments?.join('?').includes("set state = 'running'")) claims.push('claim')
        return args.node
      },
      transformResult: async (args) => args.result,
    })
    let done = 0
    const worker = createWorker({
      db: counted,
      logger: logs.logger,
      pollMs: 60_000,
      concurrency: { intake: 1, documents: 2, background: 1 },
      laneOf,
      handlers: {
        'document.analyse': async () => { done++ },
        'source.scan': async () => {},
        'webhook.deliver': async () => {},
      },
    })
    worker.start()
    // The first pass looks at every lane (3 claims); then it sleeps until woken.
    await new Promise((r) => setTimeout(r, 200))
    const afterStart = claims.length
    for (let i = 0; i < 20; i++) {
      await enqueue(t.db, { kind: 'document.analyse', payload: { documentId: String(i) } })
      worker.wake('document.analyse')
    }
    const until = Date.now() + 10_000
    while (done < 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    await worker.stop(100)
    expect(done).toBe(20)
    expect(afterStart).toBe(3)
    // Only the documents lane was claimed: at most one claim per wake and per finished job (each lane
    // claimed on every wake cost three times as many before).
    expect(claims.length - afterStart).toBeLessThanOrEqual(40)
    expect(claims.length - afterStart).toBeGreaterThanOrEqual(10)
  })
})