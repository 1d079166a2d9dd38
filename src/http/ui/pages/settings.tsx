import { NotificationsSection, type NotificationsData } from './notifications-section'
import { WriteBacksSection, type FailedWriteBack } from './write-backs-section'
import { Csrf, FormMessage, Layout, type PageCtx } from '../layout'
import { instant, type WordKey } from '../i18n'

const WEBHOOK_EVENTS = ['document.analysed', 'document.error', 'invoice.submitted', 'invoice.status_changed', 'invoice.to_process'] as const

export interface SettingsData {
  accounts: Array<{ id: string; name: string; siret: string; technicalLogin: string; environment: string; autoSubmit: boolean; submissionRoute: string; isDemo: boolean; disabled: boolean; lastConnectionCheck: any; passwordWarning: { fr: string; en: string } | null }>
  sources: Array<{ id: string; kind: string; name: string; enabled: boolean; config: Record<string, unknown>; lastScanAt: string | null; lastError: string | null; counts: Record<string, number> }>
  rules: Array<{ id: string; sourceId: string; name: string; position: number; enabled: boolean; match: Record<string, unknown>; accountId: string | null }>
  webhooks: Array<{ id: string; url: string; events: string[]; enabled: boolean }>
  keys: Array<{ id: string; name: string; role: string; prefix: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }>
  /** SMTP, recipients and the last e-mails (issue 16). */
  notifications?: NotificationsData
  /** Write-backs to the hosts that failed after their last attempt. */
  failedWriteBacks?: FailedWriteBack[]
}

function Toggle(props: { ctx: PageCtx; path: string; field: string; on: boolean; label: string }) {
  const { t } = props.ctx
  return (
    <form data-api={`PATCH ${props.path}`} class="inline">
      <Csrf ctx={props.ctx} />
      <input type="hidden" name={props.field} value={props.on ? 'false' : 'true'} data-type="boolean" />
      <button type="submit" class="small secondary" aria-label={`${props.on ? t('disable') : t('enable')}${props.ctx.colon}${props.label}`}>{props.on ? t('disable') : t('enable')}</button>
    </form>
  )
}

export function SettingsPage(props: { ctx: PageCtx; data: SettingsData }) {
  const { ctx, data } = props
  const { t, lang } = ctx
  const yes = (b: boolean) => (b ? t('yes') : t('no'))
  const sourceName = (id: string) => data.sources.find((s) => s.id === id)?.name ?? id
  const accountName = (id: string | null) => (id ? data.accounts.find((a) => a.id === id)?.name ?? id : '—')
  const routeText = (r: string) => (['auto', 'pdf', 'facturx'].includes(r) ? t(`route.${r}` as WordKey) : r)
  const kindText = (k: string) => (['folder', 'odoo', 'push'].includes(k) ? t(`sourceKind.${k}` as WordKey) : k)
  // A rule's criteria as words: "chemin clients/** · nom de fichier FAC-*.pdf".
  const matchText = (m: Record<string, unknown>) =>
    Object.entries(m)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${['path', 'filename', 'folderId', 'tags', 'metadata'].includes(k) ? t(`match.${k}` as WordKey) : k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' · ') || '—'
  return (
    <Layout ctx={ctx} tab="settings" title={t('tab.settings')}>
      <p class="intro">{t('settingsIntro')}</p>

      <section aria-labelledby="s-accounts">
        <h2 id="s-accounts">{t('accounts')}</h2>
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('siret')}</th><th scope="col" class="hide-narrow">{t('technicalLogin')}</th><th scope="col">{t('autoSubmit')}</th><th scope="col" class="hide-narrow">{t('submissionRoute')}</th><th scope="col">{t('lastCheck')}</th><th scope="col">{t('actions')}</th></tr></thead>
            <tbody>
              {data.accounts.map((a) => (
                <tr data-account-id={a.id}>
                  <td class="break">{a.name}{a.passwordWarning && <div class="problem">{a.passwordWarning[lang]}</div>}</td>
                  <td class="nowrap">{a.siret}</td>
                  <td class="break hide-narrow">{a.technicalLogin}</td>
                  <td>{yes(a.autoSubmit)} <Toggle ctx={ctx} path={`/accounts/${a.id}`} field="autoSubmit" on={a.autoSubmit} label={`${t('autoSubmit')} ${a.name}`} /></td>
                  <td class="hide-narrow">{routeText(a.submissionRoute)}</td>
                  <td>
                    {a.lastConnectionCheck ? (
                      <span class={`badge ${a.lastConnectionCheck.ok ? 'ok' : 'bad'}`}>{a.lastConnectionCheck.ok ? t('check.ok') : t('error')} · {instant(a.lastConnectionCheck.at ?? a.lastConnectionCheck.checkedAt, ctx.lang)}</span>
                    ) : '—'}
                  </td>
                  <td>
                    <form data-api={`POST /accounts/${a.id}/test-connection`} data-then="show-result">
                      <Csrf ctx={ctx} />
                      <button type="submit" class="small" data-no-body="true">{t('testConnection')}</button>
                      <FormMessage />
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <details class="action">
          <summary>{t('addAccount')}</summary>
          <form data-api="POST /accounts" class="inline-form">
            <Csrf ctx={ctx} />
            <div class="field"><label for="a-name">{t('name')}</label><input type="text" id="a-name" name="name" required /></div>
            <div class="field"><label for="a-siret">{t('siret')}</label><input type="text" id="a-siret" name="siret" required /></div>
            <div class="field"><label for="a-login">{t('technicalLogin')}</label><input type="text" id="a-login" name="technicalLogin" required /></div>
            <div class="field"><label for="a-pass">{t('technicalPassword')}</label><input type="password" id="a-pass" name="technicalPassword" required autocomplete="new-password" /></div>
            <div class="field"><label for="a-route">{t('submissionRoute')}</label><select id="a-route" name="submissionRoute">{(['auto', 'pdf', 'facturx'] as const).map((r) => <option value={r}>{t(`route.${r}`)}</option>)}</select></div>
            <div class="field"><label><input type="checkbox" name="autoSubmit" data-type="boolean" /> {t('autoSubmit')}</label></div>
            <button type="submit">{t('add')}</button>
            <FormMessage />
          </form>
        </details>
      </section>

      <section aria-labelledby="s-sources">
        <h2 id="s-sources">{t('sources')}</h2>
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('kind')}</th><th scope="col">{t('enabled')}</th><th scope="col" class="hide-narrow">{t('lastScan')}</th><th scope="col">{t('actions')}</th></tr></thead>
            <tbody>
              {data.sources.map((s) => (
                <tr data-source-id={s.id}>
                  <td class="break">{s.name}{typeof s.config.path === 'string' && <div class="muted break">{s.config.path}</div>}{s.lastError && <div class="problem">{s.lastError}</div>}</td>
                  <td>{kindText(s.kind)}</td>
                  <td>{yes(s.enabled)}</td>
                  <td class="hide-narrow">{instant(s.lastScanAt, ctx.lang)}</td>
                  <td class="nowrap">
                    {s.kind !== 'push' && (
                      <form data-api={`POST /sources/${s.id}/scan`} data-then="follow-scan" data-source-id={s.id} class="inline">
                        <Csrf ctx={ctx} />
                        <button type="submit" class="small" data-no-body="true">{t('scanNow')}</button>
                        <FormMessage />
                      </form>
                    )}{' '}
                    <Toggle ctx={ctx} path={`/sources/${s.id}`} field="enabled" on={s.enabled} label={s.name} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {data.failedWriteBacks && <WriteBacksSection ctx={ctx} failed={data.failedWriteBacks} sources={data.sources} />}

      <section aria-labelledby="s-rules">
        <h2 id="s-rules">{t('filingRules')}</h2>
        {data.rules.length === 0 ? <p class="muted">{t('none')}</p> : (
          <div class="table-wrap">
            <table>
              <thead><tr><th scope="col">{t('source')}</th><th scope="col">{t('name')}</th><th scope="col">{t('match')}</th><th scope="col">{t('account')}</th><th scope="col">{t('enabled')}</th><th scope="col">{t('actions')}</th></tr></thead>
              <tbody>
                {data.rules.map((r) => (
                  <tr data-rule-id={r.id}>
                    <td>{sourceName(r.sourceId)}</td>
                    <td class="break">{r.name}</td>
                    <td class="break">{matchText(r.match)}</td>
                    <td>{accountName(r.accountId)}</td>
                    <td>{yes(r.enabled)}</td>
                    <td>
                      <form data-api={`DELETE /filing-rules/${r.id}`} data-confirm={t('confirmDelete')} class="inline">
                        <Csrf ctx={ctx} />
                        <button type="submit" class="small danger">{t('delete')}</button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <details class="action">
          <summary>{t('addRule')}</summary>
          <form data-api="POST /filing-rules" class="inline-form">
            <Csrf ctx={ctx} />
            <div class="field"><label for="fr-source">{t('source')}</label><select id="fr-source" name="sourceId">{data.sources.filter((s) => s.kind === 'folder').map((s) => <option value={s.id}>{s.name}</option>)}</select></div>
            <div class="field"><label for="fr-name">{t('name')}</label><input type="text" id="fr-name" name="name" required /></div>
            <div class="field"><label for="fr-path">{t('pathGlob')}</label><input type="text" id="fr-path" name="match.path" required /></div>
            <div class="field"><label for="fr-account">{t('account')}</label><select id="fr-account" name="accountId"><option value="">—</option>{data.accounts.map((a) => <option value={a.id}>{a.name}</option>)}</select></div>
            <button type="submit">{t('add')}</button>
            <FormMessage />
          </form>
        </details>
      </section>

      <section aria-labelledby="s-webhooks">
        <h2 id="s-webhooks">{t('webhooks')}</h2>
        {data.webhooks.length === 0 ? <p class="muted">{t('none')}</p> : (
          <div class="table-wrap">
            <table>
              <thead><tr><th scope="col">{t('url')}</th><th scope="col">{t('events')}</th><th scope="col">{t('enabled')}</th><th scope="col">{t('actions')}</th></tr></thead>
              <tbody>
                {data.webhooks.map((w) => (
                  <tr data-webhook-id={w.id}>
                    <td class="break">{w.url}</td>
                    <td class="break">{w.events.length ? w.events.join(', ') : t('allEvents')}</td>
                    <td>{yes(w.enabled)} <Toggle ctx={ctx} path={`/webhooks/${w.id}`} field="enabled" on={w.enabled} label={w.url} /></td>
                    <td class="nowrap">
                      <form data-api={`POST /webhooks/${w.id}/test`} class="inline"><Csrf ctx={ctx} /><button type="submit" class="small secondary" data-no-body="true">{t('sendTest')}</button></form>{' '}
                      <form data-api={`DELETE /webhooks/${w.id}`} data-confirm={t('confirmDelete')} class="inline"><Csrf ctx={ctx} /><button type="submit" class="small danger">{t('delete')}</button></form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <details class="action">
          <summary>{t('addWebhook')}</summary>
          <form data-api="POST /webhooks" class="inline-form">
            <Csrf ctx={ctx} />
            <div class="field"><label for="w-url">{t('url')}</label><input type="url" id="w-url" name="url" required placeholder="https://" /></div>
            <fieldset class="field">
              <legend>{t('events')}</legend>
              {WEBHOOK_EVENTS.map((e) => <label><input type="checkbox" name="events" value={e} /> {e}</label>)}
            </fieldset>
            <button type="submit">{t('add')}</button>
            <FormMessage />
          </form>
        </details>
      </section>

      <section aria-labelledby="s-keys">
        <h2 id="s-keys">{t('apiKeys')}</h2>
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('role')}</th><th scope="col">{t('prefix')}</th><th scope="col" class="hide-narrow">{t('lastUsed')}</th><th scope="col">{t('actions')}</th></tr></thead>
            <tbody>
              {data.keys.map((k) => (
                <tr data-key-id={k.id}>
                  <td class="break">{k.name}</td>
                  <td>{(['viewer', 'operator', 'admin'] as const).includes(k.role as 'admin') ? t(`role.${k.role}` as WordKey) : k.role}</td>
                  <td><code>{k.prefix}…</code></td>
                  <td class="hide-narrow">{instant(k.lastUsedAt, ctx.lang)}</td>
                  <td>
                    {k.revokedAt ? <span class="badge">{t('revoked')}</span> : (
                      <form data-api={`DELETE /api-keys/${k.id}`} data-confirm={t('confirmRevoke')} class="inline"><Csrf ctx={ctx} /><button type="submit" class="small danger" aria-label={`${t('revoke')} ${k.name}`}>{t('revoke')}</button></form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <details class="action">
          <summary>{t('addKey')}</summary>
          <form data-api="POST /api-keys" data-then="show-key" class="inline-form">
            <Csrf ctx={ctx} />
            <div class="field"><label for="k-name">{t('name')}</label><input type="text" id="k-name" name="name" required /></div>
            <div class="field"><label for="k-role">{t('role')}</label><select id="k-role" name="role"><option value="viewer">{t('role.viewer')}</option><option value="operator">{t('role.operator')}</option><option value="admin">{t('role.admin')}</option></select></div>
            <button type="submit">{t('add')}</button>
            <FormMessage />
          </form>
          <p id="new-key" hidden tabindex={-1} class="alert ok">{t('newKeyShown')} <code class="key"></code></p>
        </details>
      </section>
      {data.notifications && <NotificationsSection ctx={ctx} data={data.notifications} />}
    </Layout>
  )
}
