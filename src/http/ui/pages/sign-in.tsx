import type { Lang } from '../../../domain/localized'
import { translator } from '../i18n'
import { UI_ASSETS } from '../assets'

/**
 * The tabs on their own, outside a host (issue 17, item 17): paste an API key, get the same session a host's
 * ticket gives. The form carries a one-use token that matches a cookie (no session exists yet to hold a
 * CSRF token), and posts to this page only.
 */
export function SignInPage(props: { lang: Lang; token: string; error: string | null; next: string }) {
  const t = translator(props.lang)
  const other: Lang = props.lang === 'fr' ? 'en' : 'fr'
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${t('signIn')} · ${t('appName')}`}</title>
        <link rel="stylesheet" href={UI_ASSETS.css.path} />
      </head>
      <body>
        <header class="top">
          <span class="brand">{t('appName')}</span>
          <span class="langs" aria-label={t('language')} role="group">
            <span aria-current="true" lang={props.lang}>{props.lang === 'fr' ? 'Français' : 'English'}</span>
            <a href={`/ui/sign-in?lang=${other}`} lang={other} hreflang={other}>{other === 'fr' ? 'Français' : 'English'}</a>
          </span>
        </header>
        <main id="main" class="sign-in">
          <h1>{t('signIn')}</h1>
          <p class="intro">{t('signInIntro')}</p>
          {props.error && <p class="alert bad" role="alert">{props.error}</p>}
          <form method="post" action="/ui/sign-in">
            <input type="hidden" name="token" value={props.token} />
            <input type="hidden" name="lang" value={props.lang} />
            <input type="hidden" name="next" value={props.next} />
            <div class="field">
              <label for="key">{t('apiKey')}</label>
              <input type="password" id="key" name="key" required autocomplete="current-password" spellcheck={false} aria-describedby="key-hint" />
              <span class="hint" id="key-hint">{t('apiKeyHint')}</span>
            </div>
            <button type="submit">{t('signIn')}</button>
          </form>
        </main>
      </body>
    </html>
  )
}
