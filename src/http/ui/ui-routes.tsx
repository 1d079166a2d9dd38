import { randomBytes, timingSafeEqual } from 'node:crypto'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Lang } from '../../domain/localized'
import { findActiveApiKey } from '../../db/api-keys'
import { createUiTicket, findUiSession } from '../../db/ui-sessions'
import { SignInPage } from './pages/sign-in'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Database } from '../../db/database'
import { redeemUiTicket } from '../../db/ui-sessions'
import type { AppEnv } from '../app-env'
import { IMMUTABLE, REVALIDATE, serveAsset, UI_ASSETS } from './assets'
import { BRIDGE_BASE, callApi, createApiBridge, type ApiBridge } from './api-bridge'
import { t, typedDate } from './i18n'
import { MessagePage, pageCtx, TABS, type PageCtx } from './layout'
import { requireUiSession, SESSION_COOKIE, setSessionCookie, uiLang, type UiEnv } from './ui-session'
import { CompletePage, RemovedPage, ToSubmitPage } from './pages/to-submit'
import { ToProcessDetailPage, ToProcessPage, type InvoiceItem } from './pages/to-process'
import { TRACKING_FILTERS, TrackingPage, type TrackingFilters } from './pages/tracking'
import { RecipientsPage } from './pages/recipients'
import type { StructureServices } from '../../domain/service-choices'
import { SettingsPage, type SettingsData } from './pages/settings'
import type { NotificationsData } from './pages/notifications-section'

export interface UiRoutesOptions {
  readonly db: Database
  /** The API route groups the pages act through (see api-bridge.ts). */
  readonly apiGroups: ReadonlyArray<OpenAPIHono<AppEnv>>
  readonly bodyLimitBytes: number
  /** CSP frame-ancestors: who may embed the pages (UI_FRAME_ANCESTORS). */
  readonly frameAncestors: string
}

/** Nothing inline, nothing from elsewhere; only the hosts named in UI_FRAME_ANCESTORS may frame us. */
function securityHeaders(frameAncestors: string): MiddlewareHandler {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ')
  return async (c, next) => {
    await next()
    c.header('Content-Security-Policy', csp)
    c.header('Referrer-Policy', 'same-origin')
    if (!c.res.headers.get('cache-control')) c.header('Cache-Control', 'no-store')
  }
}

/** A full HTML document (with its doctype: standards mode). */
async function render(c: Context, page: unknown, status: ContentfulStatusCode = 200) {
  return c.html(`<!doctype html>${await (page as Promise<string> | string)}`, status)
}

function message(c: Context, status: 401 | 403 | 404 | 500 | 502, title: string, text: string, link?: { href: string; text: string }) {
  return render(c, <MessagePage lang={c.get('lang') ?? uiLang(c)} title={title} text={text} link={link} />, status)
}

const SIGN_IN_COOKIE = 'cpc_signin'
const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
/** Only a page of the tabs, never another site: `next` comes from a query string. */
const safeNext = (v: unknown) => (typeof v === 'string' && /^\/ui\/[a-z-]+(\/[0-9a-z-]+)?(\?[^\s]*)?$/.test(v) && !v.startsWith('/ui/api') ? v : '/ui/to-submit')
const secureCookie = (c: Context) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'

function ctxOf(c: Context<UiEnv>): PageCtx {
  const ui = c.get('ui')
  return pageCtx(c.get('lang'), ui.key.role, ui.csrfToken, c.req.url)
}

/** An API answer that is not 2xx, as a page. */
function apiFailure(c: Context<UiEnv>, answer: { status: number; body: any }) {
  const lang = c.get('lang')
  if (answer.status === 403) return message(c, 403, t(lang, 'forbidden'), answer.body?.error?.message ?? t(lang, 'forbiddenText'))
  if (answer.status === 404) return message(c, 404, t(lang, 'error'), answer.body?.error?.message ?? 'Not found')
  return message(c, 502, t(lang, 'error'), answer.body?.error?.message ?? String(answer.status))
}

export function uiRoutes(opts: UiRoutesOptions) {
  const { db } = opts
  const bridge: ApiBridge = createApiBridge(db, opts.apiGroups, opts.bodyLimitBytes)
  const app = new Hono<UiEnv>()
  app.use('/ui/*', securityHeaders(opts.frameAncestors))
  app.use('/ui', securityHeaders(opts.frameAncestors))

  // The pages' CSS and JS: under their hashed names for good; under the old names (pages cached before) revalidated.
  for (const a of [UI_ASSETS.css, UI_ASSETS.js]) {
    app.get(a.path, serveAsset(a, IMMUTABLE))
    app.get(a.legacyPath, serveAsset(a, REVALIDATE))
  }

  // The one-time ticket: exchanged for the cookie, then a redirect so the ticket leaves the address bar.
  app.get('/ui/enter', async (c) => {
    const ticket = c.req.query('ticket')
    const redeemed = ticket ? await redeemUiTicket(db, ticket) : undefined
    const lang = uiLang(c, redeemed)
    if (!redeemed) return message(c, 401, t(lang, 'ticketInvalid'), t(lang, 'ticketInvalidText'))
    setSessionCookie(c, redeemed.session, redeemed.expiresAt)
    const tab = (TABS as readonly string[]).includes(redeemed.tab ?? '') ? redeemed.tab : 'to-submit'
    return c.redirect(`/ui/${tab}`, 303)
  })
  // Without a host, the tabs open with an API key (issue 17, item 17): the same session a ticket gives.
  const signInPage = (c: Context, lang: Lang, error: string | null, status: 200 | 400 | 401 | 403, next: string) => {
    const token = randomBytes(24).toString('base64url')
    setCookie(c, SIGN_IN_COOKIE, token, { path: '/ui/sign-in', httpOnly: true, sameSite: 'Strict', secure: secureCookie(c), maxAge: 15 * 60 })
    return render(c, <SignInPage lang={lang} token={token} error={error} next={next} />, status)
  }
  app.get('/ui/sign-in', (c) => signInPage(c, uiLang(c), null, 200, safeNext(c.req.query('next'))))
  app.post('/ui/sign-in', async (c) => {
    const form = await c.req.parseBody()
    const lang: Lang = form.lang === 'en' ? 'en' : form.lang === 'fr' ? 'fr' : uiLang(c)
    const next = safeNext(form.next)
    const cookie = getCookie(c, SIGN_IN_COOKIE)
    const origin = c.req.header('origin')
    const host = c.req.header('x-forwarded-host') ?? c.req.header('host') ?? new URL(c.req.url).host
    let originHost: string | undefined
    try { originHost = origin ? new URL(origin).host : undefined } catch { originHost = 'invalid' }
    // A form post carries Origin "null" under Referrer-Policy no-referrer: then the token and its SameSite=Strict cookie are the check.
    if (origin && origin !== 'null' && originHost !== host) return signInPage(c, lang, t(lang, 'signInExpired'), 403, next)
    if (!cookie || typeof form.token !== 'string' || !sameText(cookie, form.token)) return signInPage(c, lang, t(lang, 'signInExpired'), 400, next)
    const key = typeof form.key === 'string' ? form.key.trim() : ''
    const found = key && key.length <= 200 ? await findActiveApiKey(db, key) : undefined
    if (!found) {
      // A wrong key costs a moment, so that guessing is slow.
      await new Promise((r) => setTimeout(r, 400))
      return signInPage(c, lang, t(lang, 'signInRefused'), 401, next)
    }
    const { ticket } = await createUiTicket(db, { apiKeyId: found.id, lang })
    const redeemed = await redeemUiTicket(db, ticket)
    if (!redeemed) return signInPage(c, lang, t(lang, 'signInExpired'), 400, next)
    deleteCookie(c, SIGN_IN_COOKIE, { path: '/ui/sign-in' })
    setSessionCookie(c, redeemed.session, redeemed.expiresAt)
    return c.redirect(next, 303)
  })
  // With a session, the first tab; without, the sign-in page.
  app.get('/ui', async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE)
    const session = cookie ? await findUiSession(db, cookie) : undefined
    return c.redirect(session ? '/ui/to-submit' : '/ui/sign-in', 303)
  })

  app.route(BRIDGE_BASE, bridge)

  const session = requireUiSession(db, (c) => {
    const lang = uiLang(c)
    const next = safeNext(new URL(c.req.url).pathname + new URL(c.req.url).search)
    return message(c, 401, t(lang, 'sessionExpired'), t(lang, 'sessionExpiredText'), { href: `/ui/sign-in?${new URLSearchParams({ lang, next })}`, text: t(lang, 'signInLink') })
  })
  const api = <T = any,>(c: Context<UiEnv>, path: string) => callApi<T>(bridge, c, path)
  /** The recipient's entry in the directory (daily cache), or null when it cannot be read. */
  const structureOf = async (c: Context<UiEnv>, inv: { recipientSiret: string | null; accountId: string | null }): Promise<StructureServices | null> => {
    if (!inv.recipientSiret) return null
    const q = inv.accountId ? `?accountId=${encodeURIComponent(inv.accountId)}` : ''
    const r = await api<StructureServices>(c, `/structures/${encodeURIComponent(inv.recipientSiret)}${q}`)
    return r.ok ? r.body : null
  }

  app.get('/ui/to-submit', session, async (c) => {
    const cursor = c.req.query('cursor') ?? null
    const q = new URLSearchParams({ tab: 'to-submit', limit: '50', ...(cursor ? { cursor } : {}) })
    const [list, removed] = await Promise.all([api(c, `/documents?${q}`), api(c, '/documents?state=removed&limit=1')])
    if (!list.ok) return apiFailure(c, list)
    return render(c, <ToSubmitPage ctx={ctxOf(c)} list={list.body} cursor={cursor} removed={removed.ok ? removed.body.total : 0} />)
  })

  app.get('/ui/to-submit/removed', session, async (c) => {
    const cursor = c.req.query('cursor') ?? null
    const q = new URLSearchParams({ state: 'removed', order: 'desc', limit: '50', ...(cursor ? { cursor } : {}) })
    const list = await api(c, `/documents?${q}`)
    if (!list.ok) return apiFailure(c, list)
    return render(c, <RemovedPage ctx={ctxOf(c)} list={list.body} cursor={cursor} />)
  })

  app.get('/ui/to-submit/:id{[0-9]+}', session, async (c) => {
    const doc = await api(c, `/documents/${c.req.param('id')}`)
    if (!doc.ok) return apiFailure(c, doc)
    // The recipient's services, for the service choice (a lookup that fails leaves a text field).
    const siret = doc.body.fields?.recipientSiret?.value ?? null
    const structure = doc.body.stage === 'to_submit' && siret && /^\d{14}$/.test(siret) ? await structureOf(c, { recipientSiret: siret, accountId: doc.body.accountId }) : null
    return render(c, <CompletePage ctx={ctxOf(c)} doc={doc.body} structure={structure} />)
  })

  app.get('/ui/to-process', session, async (c) => {
    const items: InvoiceItem[] = []
    let cursor: string | null = null
    let total = 0
    // Every invoice waiting for a person, grouped on the page; a few pages at most in practice.
    for (let i = 0; i < 10; i++) {
      const q: URLSearchParams = new URLSearchParams({ tab: 'to-process', limit: '200', sort: '-statusAt', ...(cursor ? { cursor } : {}) })
      const page = await api(c, `/invoices?${q}`)
      if (!page.ok) return apiFailure(c, page)
      items.push(...page.body.items)
      total = page.body.total
      cursor = page.body.nextCursor
      if (!cursor) break
    }
    // The recipients' services, for the Recycle forms (a lookup that fails leaves a text field).
    const structures: Record<string, StructureServices | null> = {}
    await Promise.all(items.filter((i) => i.status === 'A_RECYCLER').map(async (i) => { structures[i.id] = await structureOf(c, i) }))
    return render(c, <ToProcessPage ctx={ctxOf(c)} items={items} total={total} structures={structures} />)
  })

  app.get('/ui/to-process/:id{[0-9]+}', session, async (c) => {
    const inv = await api(c, `/invoices/${c.req.param('id')}`)
    if (!inv.ok) return apiFailure(c, inv)
    const structure = inv.body.status === 'A_RECYCLER' ? await structureOf(c, inv.body) : null
    return render(c, <ToProcessDetailPage ctx={ctxOf(c)} inv={inv.body} structure={structure} />)
  })

  app.get('/ui/tracking', session, async (c) => {
    const filters: TrackingFilters = {}
    for (const k of TRACKING_FILTERS) {
      const v = c.req.query(k)?.trim()
      // Dates typed as the language writes them (JJ/MM/AAAA in French) reach the API as YYYY-MM-DD.
      if (v) filters[k] = k === 'from' || k === 'to' ? typedDate(v) : v
    }
    const cursor = c.req.query('cursor') ?? null
    const q = new URLSearchParams({ tab: 'tracking', limit: '50', ...filters, ...(cursor ? { cursor } : {}) })
    const list = await api(c, `/invoices?${q}`)
    let error: string | null = null
    let body = list.body
    if (!list.ok) {
      if (list.status !== 400) return apiFailure(c, list)
      // A bad filter is shown above an empty list, with the filters kept for correction.
      error = list.body?.error?.message ?? 'invalid filter'
      body = { items: [], nextCursor: null, total: 0 }
    }
    const show = c.req.query('show')
    let panel = null
    if (show && /^\d+$/.test(show)) {
      const detail = await api(c, `/invoices/${show}`)
      if (detail.ok) panel = { invoice: detail.body }
    }
    return render(c, <TrackingPage ctx={ctxOf(c)} filters={filters} list={body} cursor={cursor} error={error} panel={panel} />)
  })

  app.get('/ui/recipients', session, async (c) => {
    const qText = c.req.query('q')?.trim() ?? ''
    const cursor = c.req.query('cursor') ?? null
    const q = new URLSearchParams({ limit: '50', ...(qText ? { q: qText } : {}), ...(cursor ? { cursor } : {}) })
    const list = await api(c, `/recipients?${q}`)
    if (!list.ok) return apiFailure(c, list)
    return render(c, <RecipientsPage ctx={ctxOf(c)} q={qText} list={list.body} cursor={cursor} />)
  })

  app.get('/ui/settings', session, async (c) => {
    const lang = c.get('lang')
    if (c.get('ui').key.role !== 'admin') return message(c, 403, t(lang, 'forbidden'), t(lang, 'forbiddenText'))
    const [accounts, sources, rules, webhooks, keys, mailSettings, mailRecipients, outbox, writeBacks] = await Promise.all(
      ['/accounts', '/sources', '/filing-rules', '/webhooks', '/api-keys', '/notifications/settings', '/notifications/recipients', '/notifications/outbox?limit=20', '/write-backs?state=failed&limit=20'].map((p) => api(c, p)),
    )
    for (const a of [accounts, sources, rules, webhooks, keys, mailSettings, mailRecipients, outbox, writeBacks]) if (!a!.ok) return apiFailure(c, a!)
    const items = (a: { body: any }) => (Array.isArray(a.body) ? a.body : a.body.items)
    const notifications: NotificationsData = { settings: mailSettings!.body, recipients: items(mailRecipients!), outbox: items(outbox!), accounts: items(accounts!).map((a: { id: string; name: string }) => ({ id: a.id, name: a.name })) }
    const data: SettingsData = { accounts: items(accounts!), sources: items(sources!), rules: items(rules!), webhooks: items(webhooks!), keys: items(keys!), notifications, failedWriteBacks: items(writeBacks!) }
    return render(c, <SettingsPage ctx={ctxOf(c)} data={data} />)
  })

  return app
}
