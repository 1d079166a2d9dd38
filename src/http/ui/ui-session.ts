import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import type { Database } from '../../db/database'
import { findUiSession, setUiSessionLang, type UiSession } from '../../db/ui-sessions'
import { AppError } from '../../domain/app-error'
import { pickLang, type Lang } from '../../domain/localized'
import type { AppEnv } from '../app-env'

export const SESSION_COOKIE = 'cpc_ui'
export const CSRF_HEADER = 'x-csrf-token'

export interface UiEnv {
  Variables: AppEnv['Variables'] & { ui: UiSession & { cookie: string } }
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
}

/**
 * HttpOnly (no script reads it), SameSite=Lax (another site's forms and frames never carry it),
 * limited to /ui, Secure behind https.
 */
export function setSessionCookie(c: Context, value: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, value, { path: '/ui', httpOnly: true, sameSite: 'Lax', secure: isHttps(c), expires: expiresAt })
}

/** The language of a page: `?lang=` (remembered in the session), else the session's, else Accept-Language. */
export function uiLang(c: Context, session?: { lang: Lang | null }): Lang {
  const q = c.req.query('lang')
  if (q === 'fr' || q === 'en') return q
  return session?.lang ?? pickLang(c.req.header('accept-language'))
}

/**
 * Loads the cookie session. `onMissing` renders what a person sees when it is gone (pages), or
 * nothing for the JSON bridge, which answers 401 in the API's error shape.
 */
export function requireUiSession(db: Database, onMissing?: (c: Context) => Response | Promise<Response>): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const cookie = getCookie(c, SESSION_COOKIE)
    const session = cookie ? await findUiSession(db, cookie) : undefined
    if (!session || !cookie) {
      if (onMissing) return onMissing(c)
      throw new AppError(401, 'ui_session_expired', {
        fr: 'Session des onglets expirée ou absente. Rouvrez l’onglet depuis votre portail.',
        en: 'The tab session is missing or has expired. Open the tab again from your portal.',
      })
    }
    const q = c.req.query('lang')
    let lang = session.lang
    if ((q === 'fr' || q === 'en') && q !== session.lang) {
      await setUiSessionLang(db, cookie, q)
      lang = q
    }
    const effective = uiLang(c, { lang })
    c.set('ui', { ...session, lang, cookie })
    c.set('lang', effective)
    c.set('apiKey', session.key)
    await next()
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Every state-changing request of a session carries its CSRF token (header, or `_csrf` form field
 * for plain forms), and when the browser names an origin it must be ours.
 */
export function requireCsrf(): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next()
    const session = c.get('ui')
    const origin = c.req.header('origin')
    const own = new URL(c.req.url)
    const host = c.req.header('x-forwarded-host') ?? c.req.header('host') ?? own.host
    const originOk = !origin ? true : origin !== 'null' && hostOf(origin) === host
    let sent = c.req.header(CSRF_HEADER)
    if (!sent && (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      const form = await c.req.parseBody()
      sent = typeof form._csrf === 'string' ? form._csrf : undefined
    }
    if (!originOk || !sent || !sameToken(sent, session.csrfToken)) {
      throw new AppError(403, 'csrf_refused', {
        fr: 'Requête refusée : jeton anti-falsification (CSRF) absent ou invalide. Rechargez la page et recommencez.',
        en: 'Request refused: missing or invalid anti-forgery (CSRF) token. Reload the page and try again.',
      })
    }
    await next()
  }
}

/** The host of an Origin header; undefined for a malformed one (refused like any other foreign origin, never a 500). */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}
