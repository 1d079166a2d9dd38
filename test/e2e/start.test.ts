import { mkdtempSync, statSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnService } from '../support/spawn-service'
import { testEngines, type TestDatabase } from '../support/databases'

/**
 * `npm start` as a newcomer runs it: a fresh DATA_DIR, no database server. Then again with
 * DATABASE_URL on real PostgreSQL when the test run has one.
 */
describe('npm start', () => {
  it('starts on a fresh DATA_DIR with embedded PGlite, prints an admin key once, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chorus-start-'))
    const first = await spawnService({ DATA_DIR: dataDir })
    try {
      const health = await fetch(`${first.url}/health`)
      expect(health.status).toBe(200)
      const key = /\n {2}(cpk_\S+)\n/.exec(first.stdout())?.[1]
      expect(key).toBeTruthy()
      expect(readFileSync(join(dataDir, 'admin.key'), 'utf8').trim()).toBe(key)
      expect(statSync(join(dataDir, 'admin.key')).mode & 0o777).toBe(0o600)
      expect(statSync(join(dataDir, 'inbox')).isDirectory()).toBe(true)
      const keys = await fetch(`${first.url}/api/v1/api-keys`, { headers: { Authorization: `Bearer ${key}` } })
      expect(keys.status).toBe(200)
      expect(first.stdout() + first.stderr()).not.toMatch(new RegExp(`"[^"\\n]*${key}`)) // printed for the person, never inside a log line
    } finally {
      expect(await first.stop()).toBe(0)
    }
    const second = await spawnService({ DATA_DIR: dataDir })
    try {
      expect(second.stdout()).not.toMatch(/First start/)
      expect((await fetch(`${second.url}/ready`)).status).toBe(200)
    } finally {
      expect(await second.stop()).toBe(0)
    }
  }, 90_000)

  it('stops with one clear line for a bad variable', async () => {
    await expect(spawnService({ DATA_DIR: mkdtempSync(join(tmpdir(), 'chorus-bad-')), PORT: 'http' }, 15_000)).rejects.toThrow(/PORT: expected a TCP port number/)
  }, 30_000)

  const postgres = testEngines().find((e) => e.name === 'postgres')
  describe.skipIf(!postgres)('with DATABASE_URL', () => {
    let t: TestDatabase
    beforeAll(async () => { t = await postgres!.open() })
    afterAll(() => t.close())
    it('starts on real PostgreSQL and honours CONNECTOR_ADMIN_KEY', async () => {
      const adminKey = 'cpk_test_admin_key_for_postgres_start_0001'
      const s = await spawnService({ DATA_DIR: mkdtempSync(join(tmpdir(), 'chorus-pg-')), DATABASE_URL: t.url!, CONNECTOR_ADMIN_KEY: adminKey })
      try {
        expect(s.stdout()).toMatch(/database: postgres/)
        expect(s.stdout()).not.toMatch(/First start/)
        expect((await fetch(`${s.url}/ready`)).status).toBe(200)
        expect((await fetch(`${s.url}/api/v1/api-keys`, { headers: { Authorization: `Bearer ${adminKey}` } })).status).toBe(200)
        expect(s.stdout() + s.stderr()).not.toContain(adminKey)
      } finally {
        expect(await s.stop()).toBe(0)
      }
    }, 60_000)
  })
})
