import { createHash } from 'node:crypto'
import { z } from 'zod'
import { CHORUS_ERRORS } from '../domain/chorus-error-catalogue'
import { registerSecret } from '../logger'
import { ChorusError } from './chorus-error'
import { fetchWithTimeout } from './fetch-with-timeout'

/** Renew this long before the announced expiry (issue 3: at least 60 s), so a token never ages out in flight. */
export const TOKEN_RENEWAL_MARGIN_MS = 60_000

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
})

interface Cached {
  readonly token: string
  readonly expiresAt: number
  /** Renew this long before expiresAt. */
  readonly marginMs: number
}

interface Entry {
  cached: Cached | undefined
  inFlight: Promise<Cached> | undefined
}

/**
 * One entry per PISTE application and token endpoint, shared by every client built in this process, so a
 * worker and the HTTP side do not each fetch their own token. The secret is part of the key (hashed) so a
 * client configured with a wrong secret never rides on a token obtained with the right one.
 */
const entries = new Map<string, Entry>()

export interface TokenSourceOptions {
  readonly oauthUrl: string
  readonly clientId: string
  readonly clientSecret: string
  readonly timeoutMs: number
  readonly now?: () => number
}

export interface TokenSource {
  /** A token valid for at least the renewal margin, or a freshly issued one (used once even if its lifetime is shorter). */
  get(): Promise<string>
  /** Drops `token` after the gateway refused it (only if it is still the cached one: another call may have renewed it already). */
  invalidate(token: string): void
}

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const now = options.now ?? Date.now
  const key = `${options.oauthUrl}|${options.clientId}|${createHash('sha256').update(options.clientSecret).digest('hex').slice(0, 16)}`
  let entry = entries.get(key)
  if (!entry) entries.set(key, (entry = { cached: undefined, inFlight: undefined }))
  const e = entry

  async function fetchToken(): Promise<Cached> {
    const operation = 'oauth/token'
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      scope: 'openid',
    })
    const res = await fetchWithTimeout(operation, options.oauthUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    }, options.timeoutMs)
    const text = await res.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    if (!res.ok) {
      // Reference §1 (PHPLIB tests): a bad client id or secret is HTTP 400 {error, error_description}.
      const o = (json ?? {}) as { error?: unknown; error_description?: unknown }
      const libelle = [o.error, o.error_description].filter((v) => typeof v === 'string').join(': ') || undefined
      const kind = res.status >= 500 ? 'unavailable' : res.status === 429 ? 'rate_limited' : 'auth'
      throw new ChorusError({ operation, httpStatus: res.status, libelle, kind, ...(kind === 'unavailable' ? { catalogue: CHORUS_ERRORS.chorus_unavailable } : {}) })
    }
    const parsed = tokenAnswer.safeParse(json)
    if (!parsed.success) throw new ChorusError({ operation, httpStatus: res.status, kind: 'unknown', detail: 'token answer without access_token' })
    registerSecret(parsed.data.access_token)
    const ttlMs = (parsed.data.expires_in ?? 3600) * 1000
    // A lifetime under twice the margin (a 60 s token) is renewed at half its life: with the full margin
    // every call fetched a new token, doubling the calls and the exposure to a failing token endpoint
    // (found by test/reliability/chorus-faults.test.ts, 2026-11-21). Under 10 s it is used once, as before.
    const marginMs = ttlMs >= 2 * TOKEN_RENEWAL_MARGIN_MS ? TOKEN_RENEWAL_MARGIN_MS : ttlMs >= 10_000 ? ttlMs / 2 : ttlMs
    return { token: parsed.data.access_token, expiresAt: now() + ttlMs, marginMs }
  }

  return {
    async get() {
      const c = e.cached
      if (c && c.expiresAt - c.marginMs > now()) return c.token
      // Concurrent callers share one token request.
      e.inFlight ??= fetchToken().finally(() => {
        e.inFlight = undefined
      })
      const fresh = await e.inFlight
      e.cached = fresh
      return fresh.token
    },
    invalidate(token) {
      if (e.cached?.token === token) e.cached = undefined
    },
  }
}

/** Forgets every cached token (tests). */
export function clearTokenCache(): void {
  entries.clear()
}
