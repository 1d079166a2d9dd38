import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSecretBox } from '../../src/secrets/secret-box'
import { decodeKey, loadSecretKey } from '../../src/secrets/secret-key'
import { captureLogs } from '../support/log-capture'
import { registerSecret } from '../../src/logger'

describe('secrets at rest', () => {
  it('seals with AES-256-GCM: round trip, fresh IV each time, tampering detected', () => {
    const box = createSecretBox(randomBytes(32))
    const a = box.seal('TechPassword!2026')
    const b = box.seal('TechPassword!2026')
    expect(a).not.toBe(b)
    expect(a).not.toContain('TechPassword')
    expect(box.open(a)).toBe('TechPassword!2026')
    const parts = a.split('.')
    const ct = Buffer.from(parts[3]!, 'base64')
    ct[0] = ct[0]! ^ 1
    parts[3] = ct.toString('base64')
    expect(() => box.open(parts.join('.'))).toThrow(/could not be decrypted/)
    expect(() => createSecretBox(randomBytes(32)).open(a)).toThrow(/not the key/)
  })

  it('generates the key once into DATA_DIR with mode 0600, then reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-key-'))
    const first = loadSecretKey(undefined, dir)
    expect(first.generatedAt).toBe(join(dir, 'secret.key'))
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600)
    const second = loadSecretKey(undefined, dir)
    expect(second.generatedAt).toBeUndefined()
    expect(second.key.equals(first.key)).toBe(true)
    expect(decodeKey(readFileSync(join(dir, 'secret.key'), 'utf8'))!.equals(first.key)).toBe(true)
  })

  it('accepts hex or base64 keys and rejects others with a fix', () => {
    const k = randomBytes(32)
    expect(decodeKey(k.toString('hex'))!.equals(k)).toBe(true)
    expect(decodeKey(k.toString('base64'))!.equals(k)).toBe(true)
    expect(() => loadSecretKey('too-short', '/nonexistent')).toThrow(/openssl rand -base64 32/)
  })

  it('scrubs registered secrets, their cpro-account form and bearer tokens from every log line', () => {
    const { logger, text } = captureLogs()
    registerSecret('PisteClientSecret-XYZ-123')
    registerSecret('TECH_1_42@cpro.fr:Passw0rd!Tech')
    logger.info({ url: 'https://x/?secret=PisteClientSecret-XYZ-123' }, 'calling with PisteClientSecret-XYZ-123')
    logger.info({ header: Buffer.from('TECH_1_42@cpro.fr:Passw0rd!Tech').toString('base64') }, 'header')
    logger.info({ req: { headers: { authorization: 'Bearer abcdefghijklmnop' } } }, 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig')
    logger.info({ technicalPassword: 'whatever-it-is', nested: { clientSecret: 'another-one-1' } }, 'paths')
    const out = text()
    for (const s of ['PisteClientSecret-XYZ-123', 'Passw0rd!Tech', Buffer.from('TECH_1_42@cpro.fr:Passw0rd!Tech').toString('base64'), 'abcdefghijklmnop', 'eyJhbGciOiJIUzI1NiJ9', 'whatever-it-is', 'another-one-1']) {
      expect(out).not.toContain(s)
    }
    expect(out).toContain('[REDACTED]')
  })
})
