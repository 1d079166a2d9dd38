import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testEngines, type TestDatabase } from '../support/databases'
import { insertJob as enqueue } from '../../src/db/jobs'

const postgres = testEngines().find((e) => e.name === 'postgres')
const script = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url))

function startWorker(url: string, id: string, leaseMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, url, id, String(leaseMs)], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`worker ${id} exited early with ${code}`)))
  })
}

/**
 * Several worker processes on one real PostgreSQL: no job runs twice, none is lost, also when one
 * worker is SIGKILLed mid-job (its lease expires and another worker takes the job over).
 */
describe.skipIf(!postgres)('job queue across worker processes on postgres', () => {
  let t: TestDatabase
  const children: ChildProcess[] = []
  beforeAll(async () => {
    t = await postgres!.open()
    await sql`create table job_effects (job_id bigint not null, worker text not null, at timestamptz not null default now())`.execute(t.db)
  })
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
    await t.close()
  })

  it('runs every job exactly once with 3 workers, one of them killed mid-job', async () => {
    const ids: string[] = []
    for (let i = 0; i < 300; i++) ids.push((await enqueue(t.db, { kind: 'effect', payload: { ms: 5 + (i % 25) } })).id)
    for (let i = 0; i < 12; i++) ids.push((await enqueue(t.db, { kind: 'effect', payload: { ms: 1500 } })).id)
    const leaseMs = 1500
    const [w1, w2, w3] = await Promise.all(['w1', 'w2', 'w3'].map((id) => startWorker(t.url!, id, leaseMs)))
    children.push(w1!, w2!, w3!)

    // Kill w1 while it holds a slow job it has not finished.
    let heldByVictim: string[] = []
    for (let i = 0; i < 200 && heldByVictim.length === 0; i++) {
      const rows = await t.db.selectFrom('jobs').select('id').where('locked_by', '=', 'w1').where('state', '=', 'running').where(sql`(payload->>'ms')::int`, '=', 1500).execute()
      heldByVictim = rows.map((r) => r.id)
      if (!heldByVictim.length) await new Promise((r) => setTimeout(r, 25))
    }
    expect(heldByVictim.length).toBeGreaterThan(0)
    w1!.kill('SIGKILL')

    const deadline = Date.now() + 45_000
    let done = 0
    while (Date.now() < deadline) {
      done = Number((await t.db.selectFrom('jobs').select(t.db.fn.countAll<string>().as('n')).where('state', '=', 'done').executeTakeFirstOrThrow()).n)
      if (done === ids.length) break
      await new Promise((r) => setTimeout(r, 100))
    }
    await Promise.all([w2, w3].map((w) => new Promise((r) => { w!.once('exit', r); w!.kill('SIGTERM') })))

    expect(done).toBe(ids.length)
    const effects = await sql<{ job_id: string; n: string; workers: string }>`
      select job_id, count(*) as n, string_agg(worker, ',') as workers from job_effects group by job_id`.execute(t.db)
    expect(effects.rows.length).toBe(ids.length)
    const twice = effects.rows.filter((r) => Number(r.n) !== 1)
    expect(twice).toEqual([])
    // The victim's unfinished jobs were taken over by the survivors after the lease expired.
    for (const id of heldByVictim) {
      const row = effects.rows.find((r) => r.job_id === id)
      expect(row?.workers).toMatch(/^w[23]$/)
    }
    const retried = await t.db.selectFrom('jobs').select(['id', 'attempts', 'last_error']).where('id', 'in', heldByVictim).execute()
    for (const r of retried) {
      expect(r.attempts).toBe(2)
      expect(r.last_error).toMatch(/lease expired/)
    }
    // Work was shared.
    const byWorker = await sql<{ worker: string; n: string }>`select worker, count(*) as n from job_effects group by worker`.execute(t.db)
    expect(byWorker.rows.filter((r) => r.worker !== 'w1').length).toBe(2)
  }, 60_000)
})
