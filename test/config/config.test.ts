import { describe, expect, it } from 'vitest'
import { loadConfig, ConfigError } from '../../src/config'

describe('config', () => {
  it('starts with no variables at all: sandbox, embedded database, port 8080', () => {
    const c = loadConfig({})
    expect(c.port).toBe(8080)
    expect(c.databaseUrl).toBeUndefined()
    expect(c.chorus.env).toBe('sandbox')
    expect(c.inboxDir).toMatch(/data\/inbox$/)
    expect(c.bodyLimitBytes).toBe(25 * 1024 * 1024)
  })

  it('names the variable and what is expected, one line each', () => {
    try {
      loadConfig({ PORT: 'eighty', CHORUS_ENV: 'prod', BODY_LIMIT: 'big' })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      const lines = (e as Error).message.split('\n')
      expect(lines).toHaveLength(3)
      expect(lines.find((l) => l.startsWith('PORT:'))).toMatch(/port number.*eighty/)
      expect(lines.find((l) => l.startsWith('CHORUS_ENV:'))).toMatch(/sandbox, qualification, production/)
      expect(lines.find((l) => l.startsWith('BODY_LIMIT:'))).toMatch(/25mb/)
    }
  })

  it('requires PISTE credentials outside the sandbox and defaults to the real endpoints', () => {
    expect(() => loadConfig({ CHORUS_ENV: 'production' })).toThrow(/PISTE_CLIENT_ID: required when CHORUS_ENV=production/)
    const c = loadConfig({ CHORUS_ENV: 'qualification', PISTE_CLIENT_ID: 'id', PISTE_CLIENT_SECRET: 'secret' })
    expect(c.chorus.oauthUrl).toBe('https://sandbox-oauth.piste.gouv.fr/api/oauth/token')
    expect(c.chorus.apiUrl).toBe('https://sandbox-api.piste.gouv.fr/cpro')
    const p = loadConfig({ CHORUS_ENV: 'production', PISTE_CLIENT_ID: 'id', PISTE_CLIENT_SECRET: 'secret', CHORUS_API_URL: 'https://gw.example/cpro/' })
    expect(p.chorus.oauthUrl).toBe('https://oauth.piste.gouv.fr/api/oauth/token')
    expect(p.chorus.apiUrl).toBe('https://gw.example/cpro')
  })

  it('never echoes a secret value in its error', () => {
    try {
      loadConfig({ CONNECTOR_ADMIN_KEY: 'short-secret-value' })
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).toMatch(/CONNECTOR_ADMIN_KEY/)
      expect((e as Error).message).not.toContain('short-secret-value')
    }
  })

  it('treats empty strings as unset and parses sizes and booleans', () => {
    const c = loadConfig({ DATABASE_URL: '', BODY_LIMIT: '512kb', CRON_ENABLED: 'false' })
    expect(c.databaseUrl).toBeUndefined()
    expect(c.bodyLimitBytes).toBe(512 * 1024)
    expect(c.cronEnabled).toBe(false)
  })
})
