import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

/** Decodes a 32-byte key given as 64 hex characters or base64; null when it is neither. */
export function decodeKey(text: string): Buffer | null {
  const t = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    if (b.length === 32) return b
  }
  return null
}

/**
 * The key for secrets at rest: CONNECTOR_SECRET_KEY when set, else `DATA_DIR/secret.key`, created
 * (mode 0600) on first start. Several instances must share one key: set the variable in production.
 */
export function loadSecretKey(configured: string | undefined, dataDir: string, opts: { secretsExist?: boolean } = {}): { key: Buffer; generatedAt?: string } {
  if (configured) {
    const key = decodeKey(configured)
    if (!key) throw new Error('CONNECTOR_SECRET_KEY: expected 32 bytes as 64 hex characters or base64 (generate one with: openssl rand -base64 32)')
    return { key }
  }
  const path = join(dataDir, 'secret.key')
  if (existsSync(path)) {
    const key = decodeKey(readFileSync(path, 'utf8'))
    if (!key) throw new Error(`${path}: not a 32-byte key; restore it from a backup or delete it only if no secret was ever stored`)
    return { key }
  }
  if (opts.secretsExist) {
    throw new Error(`${path} is missing, but the database holds secrets sealed with a key: restore secret.key from a backup (or set CONNECTOR_SECRET_KEY to that key); refusing to start rather than generate a new key that would make them unreadable`)
  }
  mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(32)
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' })
  chmodSync(path, 0o600)
  return { key, generatedAt: path }
}
