import { randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { todayIn } from '../domain/calendar-date'
import type { SandboxStore, SandboxTechnicalAccount } from './sandbox-store'

/**
 * What PISTE's gateway does in front of Chorus: issues tokens, checks the bearer token and the
 * cpro-account header on every call, and (for tests) injects latency, 503s and hung calls.
 */

/** 401 as the real gateway sends it (reference §4, OCA PR #425), with its JSON gateway body (reference §4, 403 shape). */
export function unauthorized(c: Context, description: string, error = 'invalid_token') {
  c.header('WWW-Authenticate', `Bearer realm="PISTE",error="${error}",error_description="${description}"`)
  return c.json({ httpCode: '401', httpMessage: 'Unauthorized', moreInformation: description }, 401)
}

export function unavailable(c: Context) {
  return c.json({ httpCode: '503', httpMessage: 'Service Unavailable', moreInformation: 'Chorus Pro est momentanément indisponible.' }, 503)
}

export function issueToken(store: SandboxStore): { access_token: string; token_type: 'Bearer'; expires_in: number; scope: 'openid' } {
  const token = randomBytes(24).toString('base64url')
  const t = store.now()
  const tokens = store.state.tokens
  tokens.set(token, t)
  if (tokens.size > 10_000) {
    const ttl = store.state.faults.tokenTtlSeconds * 1000
    for (const [k, issued] of tokens) if (issued + ttl <= t) tokens.delete(k)
  }
  return { access_token: token, token_type: 'Bearer', expires_in: store.state.faults.tokenTtlSeconds, scope: 'openid' }
}

/** Null when the token is valid; otherwise why not. */
export function tokenProblem(store: SandboxStore, authorization: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')
  // The wording the best existing connector shows when its token ages out (issue 3).
  if (!m) return 'Authentication information not present'
  const issued = store.state.tokens.get(m[1]!)
  if (issued === undefined) return 'Invalid access token'
  if (issued + store.state.faults.tokenTtlSeconds * 1000 <= store.now()) return 'Access token expired'
  return null
}

export type AccountCheck = { account: SandboxTechnicalAccount } | { problem: string }

export function checkCproAccount(store: SandboxStore, header: string | undefined): AccountCheck {
  const refused = { problem: 'login or password incorrects' }
  if (!header) return refused
  let decoded: string
  try {
    decoded = Buffer.from(header, 'base64').toString('utf8')
  } catch {
    return refused
  }
  const i = decoded.indexOf(':')
  if (i < 0) return refused
  const login = decoded.slice(0, i)
  const password = decoded.slice(i + 1)
  const account = store.accounts.find((a) => a.login === login && a.password === password)
  if (!account) return refused
  // 2026-11-21 [uncertain]: how the real gateway words an expired technical password is not public; this is the sandbox's.
  if (account.passwordExpiresOn && account.passwordExpiresOn < todayIn('Europe/Paris', new Date(store.now()))) {
    return { problem: 'technical account password expired' }
  }
  return { account }
}

/** Applies the injected faults to one call. Returns a response to send instead of the real answer, or null. */
export async function injectFaults(store: SandboxStore, c: Context, operation: string, hangMs: number): Promise<Response | null> {
  const f = store.state.faults
  if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs))
  const short = operation.replace(/^[^/]+\/v1\//, '')
  for (const key of [operation, short]) {
    const n = f.failNext[key]
    if (n && n > 0) {
      f.failNext[key] = n - 1
      return unavailable(c)
    }
  }
  if (f.unavailableRate > 0 && store.random() < f.unavailableRate) return unavailable(c)
  if (f.timeoutRate > 0 && store.random() < f.timeoutRate) {
    // Hold the call without answering until the client gives up (its socket closes), a reset, or hangMs.
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        store.state.hangs.delete(done)
        resolve()
      }
      const timer = setTimeout(done, hangMs)
      timer.unref?.()
      store.state.hangs.add(done)
      c.req.raw.signal?.addEventListener('abort', done, { once: true })
    })
    return c.json({ httpCode: '504', httpMessage: 'Gateway Timeout', moreInformation: 'Délai dépassé.' }, 504)
  }
  return null
}
