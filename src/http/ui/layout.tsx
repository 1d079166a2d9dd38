import type { Child } from 'hono/jsx'
import type { Lang } from '../../domain/localized'
import type { Role } from '../../db/schema'
import { roleAtLeast } from '../../db/api-keys'
import { translator, type T } from './i18n'
import { UI_ASSETS } from './assets'
import { BRIDGE_BASE } from './api-bridge'

export const TABS = ['to-submit', 'to-process', 'tracking', 'recipients', 'settings'] as const
export type Tab = (typeof TABS)[number]

/** What every page knows about the person looking at it. */
export interface PageCtx {
  readonly lang: Lang
  readonly t: T
  readonly role: Role
  readonly canAct: boolean
  readonly isAdmin: boolean
  readonly csrf: string
  /** The current URL's path and query, for the language switch. */
  readonly here: URL
  /** ' : ' in French (a space before the colon), ': ' in English. */
  readonly colon: string
}

export function pageCtx(lang: Lang, role: Role, csrf: string, url: string): PageCtx {
  return { lang, t: translator(lang), role, canAct: roleAtLeast(role, 'operator'), isAdmin: role === 'admin', csrf, here: new URL(url), colon: lang === 'en' ? ': ' : ' : ' }
}

function withLang(here: URL, lang: Lang): string {
  const u = new URL(here)
  u.searchParams.set('lang', lang)
  return u.pathname + u.search
}

export function Layout(props: { ctx: PageCtx; tab: Tab | null; title: string; children: Child }) {
  const { ctx, tab, title } = props
  const { t } = ctx
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content={ctx.csrf} />
        <meta name="api-base" content={BRIDGE_BASE} />
        <title>{`${title} · ${t('appName')}`}</title>
        <link rel="stylesheet" href={UI_ASSETS.css.path} />
        <script src={UI_ASSETS.js.path} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">{t('skip')}</a>
        <header class="top">
          <span class="brand">{t('appName')}</span>
          <span class="role">
            {t('role')}{ctx.colon}{t(`role.${ctx.role}`)}
          </span>
          <span class="langs" aria-label={t('language')} role="group">
            {(['fr', 'en'] as const).map((l) =>
              l === ctx.lang ? (
                <span aria-current="true" lang={l}>{l === 'fr' ? 'Français' : 'English'}</span>
              ) : (
                <a href={withLang(ctx.here, l)} lang={l} hreflang={l}>
                  {l === 'fr' ? 'Français' : 'English'}
                </a>
              ),
            )}
          </span>
        </header>
        <nav class="tabs" aria-label={t('tabsLabel')}>
          <ul>
            {TABS.filter((x) => x !== 'settings' || ctx.isAdmin).map((x) => (
              <li>
                <a href={`/ui/${x}`} aria-current={x === tab ? 'page' : undefined}>
                  {t(`tab.${x}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          <div id="flash" class="alert" role="status" aria-live="polite"></div>
          {!ctx.canAct && <p class="alert ok">{t('readOnly')}</p>}
          {props.children}
        </main>
      </body>
    </html>
  )
}

/** A page for a person without a usable session or right: plain, in their language. */
export function MessagePage(props: { lang: Lang; title: string; text: string; link?: { href: string; text: string } }) {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="stylesheet" href={UI_ASSETS.css.path} />
      </head>
      <body>
        <main id="main">
          <h1>{props.title}</h1>
          <p class="alert bad" role="alert">{props.text}</p>
          {props.link && <p><a href={props.link.href}>{props.link.text}</a></p>}
        </main>
      </body>
    </html>
  )
}

/** Hidden CSRF field for forms (the JS also sends the token as a header). */
export function Csrf(props: { ctx: PageCtx }) {
  return <input type="hidden" name="_csrf" value={props.ctx.csrf} />
}

export function FormMessage() {
  return <div data-role="form-message" class="alert" role="alert" tabindex={-1}></div>
}

/**
 * One button in a table row that calls an API route without a body ("Réessayer", "Renvoyer"), with the
 * answer beside it: `done` is the message shown after the reload, `label` names the row for a screen reader.
 */
export function RowAction(props: { ctx: PageCtx; api: string; text: string; label: string; done: string }) {
  return (
    <form data-api={props.api} data-done={props.done} class="inline">
      <Csrf ctx={props.ctx} />
      <button type="submit" class="small" data-no-body="true" aria-label={props.label}>{props.text}</button>
      <FormMessage />
    </form>
  )
}
