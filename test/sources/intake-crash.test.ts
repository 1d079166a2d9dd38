import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnService, type SpawnedService } from '../support/spawn-service'
import { tinyPdf } from '../intake/intake-harness'

const ADMIN = 'cpk_intake_crash_test_admin_key_000001'
const N = 500

async function allDocuments(s: SpawnedService): Promise<string[]> {
  const refs: string[] = []
  let cursor: string | null = null
  do {
    const res: Response = await fetch(`${s.url}/api/v1/documents?tab=all&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { headers: { Authorization: `Bearer ${ADMIN}` } })
    const page: any = await res.json()
    refs.push(...page.items.map((d: any) => d.sourceRef))
    cursor = page.nextCursor
  } while (cursor)
  return refs
}

/**
 * The real thing: the service (a child process) scans an inbox of 500 files and is SIGKILLed in the
 * middle. Nothing may be lost: every file is in the database or still in the inbox, and after a
 * restart every file is in the database exactly once.
 */
describe('folder intake killed mid-scan', () => {
  it('loses nothing and stores nothing twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chorus-crash-'))
    const inbox = join(dataDir, 'inbox')
    mkdirSync(inbox, { recursive: true })
    const names = Array.from({ length: N }, (_, i) => `facture-${String(i).padStart(3, '0')}.pdf`)
    for (const n of names) writeFileSync(join(inbox, n), tinyPdf(n))
    // One job at a time: the scan is not slowed down by the analyses it enqueues.
    const env = { DATA_DIR: dataDir, CONNECTOR_ADMIN_KEY: ADMIN, WORKER_CONCURRENCY: '1', LOG_LEVEL: 'warn' }

    const t0 = Date.now()
    const first = await spawnService(env, 60_000)
    const t1 = Date.now()
    const processed = () => { try { return readdirSync(join(inbox, 'processed')) } catch { return [] } }
    for (let i = 0; i < 1500 && processed().length < 40; i++) await new Promise((r) => setTimeout(r, 20))
    first.child.kill('SIGKILL')
    await new Promise((r) => first.child.once('exit', r))
    const movedAtKill = processed()
    const leftAtKill = readdirSync(inbox).filter((n) => n.endsWith('.pdf'))
    expect(movedAtKill.length).toBeGreaterThan(0)
    expect(movedAtKill.length).toBeLessThan(N) // really killed in the middle
    // Nothing vanished from disk: each file is either still in the inbox or in processed/.
    expect([...movedAtKill, ...leftAtKill].sort()).toEqual(names)

    const t2 = Date.now()
    const second = await spawnService(env, 60_000)
    const t3 = Date.now()
    try {
      for (let i = 0; i < 1500 && readdirSync(inbox).some((n) => n.endsWith('.pdf')); i++) await new Promise((r) => setTimeout(r, 50))
      expect(readdirSync(inbox).filter((n) => n.endsWith('.pdf'))).toEqual([])
      const refs = await allDocuments(second)
      // Every file moved before the kill had been committed first, and every file is stored once.
      expect(refs.length).toBe(N)
      expect(new Set(refs).size).toBe(N)
      expect([...refs].sort()).toEqual(names)
      expect(processed().sort()).toEqual(names)
    } finally {
      await second.stop('SIGKILL')
    }
    // 26 s alone; 87 s beside the browser tests (two test files at once on 2 cores).
  }, 240_000)
})
