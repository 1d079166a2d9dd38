import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, statSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnService } from '../support/spawn-service'
import { testEngines, type TestDatabase } from '../support/databases'

const root = join(import.meta.dirname, '../..')

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
      // The banner says where to drop PDFs and how to open the tabs.
      expect(first.stdout()).toContain(`Drop invoice PDFs in: ${join(dataDir, 'inbox')}`)
      expect(first.stdout()).toContain(`${first.url}/ui/sign-in`)
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

describe('npm start, as a process manager runs it', () => {
  beforeAll(() => {
    // The compiled service: what `npm install` builds through "prepare".
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'ignore' })
  }, 60_000)

  it('runs compiled JavaScript (no tsx, no esbuild), and one SIGTERM to npm stops it gracefully', async () => {
    const port = 18000 + Math.floor(Math.random() * 1000)
    const npm = spawn('npm', ['start'], { cwd: root, env: { ...process.env, DATA_DIR: mkdtempSync(join(tmpdir(), 'chorus-npm-')), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()))
    const deadline = Date.now() + 45_000
    while (!(await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`did not start: ${out.slice(-2000)}`)
      await new Promise((r) => setTimeout(r, 200))
    }
    // The process that answers is node running dist/ directly: no tsx loader, no build step at run time.
    const pid = Number(execFileSync('sh', ['-c', `ss -ltnpH 'sport = :${port}' | sed -n 's/.*pid=\\([0-9]*\\).*/\\1/p' | head -1`]).toString().trim())
    expect(pid).toBeGreaterThan(0)
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    expect(cmdline.slice(0, 2).join(' ')).toMatch(/node dist\/main\.js$/)
    expect(cmdline.join(' ')).not.toMatch(/tsx/)
    const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)))
    npm.kill('SIGTERM')
    await exited
    // The service went with it: nothing answers, no orphan left.
    for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 200))
    expect(existsSync(`/proc/${pid}`)).toBe(false)
    expect(out).toMatch(/stopped/)
  }, 90_000)
})

