import { Csrf, FormMessage, Layout, type PageCtx } from '../layout'
import { BRIDGE_BASE } from '../api-bridge'
import type { WordKey } from '../i18n'
import { directoryStateText } from '../describe'

export interface Mapping {
  id: string
  accountId: string | null
  accountName: string | null
  label: string
  recipientSiret: string
  serviceCode: string | null
  engagementNumber: string | null
  origin: 'manual' | 'learned' | 'imported'
  directoryStatus: string
  directoryMessage: string
  directory: { recipientName: string | null; serviceLabel: string | null }
}

function DirectoryBadge(props: { ctx: PageCtx; m: Mapping }) {
  const { m } = props
  const kind = m.directoryStatus === 'ok' ? 'ok' : m.directoryStatus === 'not_checked' ? 'wait' : 'bad'
  const tip = `dir-${m.id}`
  return (
    <span class={`state ${kind}`} tabindex={0} aria-describedby={tip} data-directory={m.directoryStatus}>
      <span class="dot" aria-hidden="true"></span>
      {m.directory.recipientName ?? directoryStateText(props.ctx.lang, m.directoryStatus)}
      <span class="tip" role="tooltip" id={tip}>{m.directoryMessage}</span>
    </span>
  )
}

export function RecipientsPage(props: { ctx: PageCtx; q: string; list: { items: Mapping[]; nextCursor: string | null; total: number }; cursor: string | null }) {
  const { ctx, list, q } = props
  const { t } = ctx
  const admin = ctx.isAdmin
  const qs = q ? `?q=${encodeURIComponent(q)}` : ''
  return (
    <Layout ctx={ctx} tab="recipients" title={t('tab.recipients')}>
      <p class="intro">{t('recipientsIntro')}</p>
      <form method="get" action="/ui/recipients" class="filters" role="search">
        <div class="field">
          <label for="r-q">{t('search')}</label>
          <input type="search" id="r-q" name="q" value={q} placeholder={`${t('label')}, SIRET…`} />
        </div>
        <button type="submit">{t('search')}</button>
        <a class="button secondary" href={`${BRIDGE_BASE}/recipients/export.csv${qs}`} download>{t('exportCsv')}</a>
        <span class="muted">{t('total')}{ctx.colon}{list.total}</span>
      </form>
      {list.items.length === 0 ? (
        <p>{t('noRecipients')}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('label')}</th>
                <th scope="col">{t('recipientSiret')}</th>
                <th scope="col">{t('serviceCode')}</th>
                <th scope="col" class="hide-narrow">{t('engagementNumber')}</th>
                <th scope="col" class="hide-narrow">{t('account')}</th>
                <th scope="col">{t('originCol')}</th>
                <th scope="col">{t('directory')}</th>
                {admin && <th scope="col">{t('actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {list.items.flatMap((m) => [
                <tr id={`m${m.id}-view`} data-mapping-id={m.id}>
                  <td class="break">{m.label}</td>
                  <td class="nowrap">{m.recipientSiret}</td>
                  <td>{m.serviceCode ?? '—'}</td>
                  <td class="hide-narrow">{m.engagementNumber ?? '—'}</td>
                  <td class="hide-narrow">{m.accountName ?? t('allAccounts')}</td>
                  <td>{t(`mappingOrigin.${m.origin}` as WordKey)}</td>
                  <td><DirectoryBadge ctx={ctx} m={m} /></td>
                  {admin && (
                    <td class="nowrap">
                      <button type="button" class="small secondary" data-edit={`m${m.id}`} aria-label={`${t('edit')} ${m.label}`}>{t('edit')}</button>{' '}
                      <form data-api={`DELETE /recipients/${m.id}`} data-confirm={t('confirmDelete')} class="inline">
                        <Csrf ctx={ctx} />
                        <button type="submit" class="small danger" aria-label={`${t('delete')} ${m.label}`}>{t('delete')}</button>
                      </form>
                    </td>
                  )}
                </tr>,
                admin ? (
                  <tr id={`m${m.id}-edit`} hidden>
                    <td colspan={8}>
                      <form data-api={`PATCH /recipients/${m.id}`} class="inline-form" aria-label={`${t('edit')} ${m.label}`}>
                        <Csrf ctx={ctx} />
                        <div class="field"><label for={`m${m.id}-label`}>{t('label')}</label><input type="text" id={`m${m.id}-label`} name="label" value={m.label} required /></div>
                        <div class="field"><label for={`m${m.id}-siret`}>{t('recipientSiret')}</label><input type="text" id={`m${m.id}-siret`} name="recipientSiret" value={m.recipientSiret} required /></div>
                        <div class="field"><label for={`m${m.id}-service`}>{t('serviceCode')}</label><input type="text" id={`m${m.id}-service`} name="serviceCode" value={m.serviceCode ?? ''} data-empty="null" /></div>
                        <div class="field"><label for={`m${m.id}-ej`}>{t('engagementNumber')}</label><input type="text" id={`m${m.id}-ej`} name="engagementNumber" value={m.engagementNumber ?? ''} data-empty="null" /></div>
                        <button type="submit">{t('save')}</button>
                        <button type="button" class="secondary" data-edit={`m${m.id}`}>{t('cancel')}</button>
                        <FormMessage />
                      </form>
                    </td>
                  </tr>
                ) : null,
              ])}
            </tbody>
          </table>
        </div>
      )}
      <div class="pager">
        {props.cursor && <a href={`/ui/recipients${qs}`}>{t('firstPage')}</a>}
        {list.nextCursor && <a href={`/ui/recipients?${new URLSearchParams({ ...(q ? { q } : {}), cursor: list.nextCursor })}`}>{t('nextPage')}</a>}
      </div>
      {admin && (
        <>
          <h2 id="add-title">{t('addMapping')}</h2>
          <form data-api="POST /recipients" class="inline-form" aria-labelledby="add-title">
            <Csrf ctx={ctx} />
            <div class="field"><label for="n-label">{t('label')}</label><input type="text" id="n-label" name="label" required /></div>
            <div class="field"><label for="n-siret">{t('recipientSiret')}</label><input type="text" id="n-siret" name="recipientSiret" required /></div>
            <div class="field"><label for="n-service">{t('serviceCode')}</label><input type="text" id="n-service" name="serviceCode" /></div>
            <div class="field"><label for="n-ej">{t('engagementNumber')}</label><input type="text" id="n-ej" name="engagementNumber" /></div>
            <button type="submit">{t('add')}</button>
            <FormMessage />
          </form>
          <h2 id="import-title">{t('importCsv')}</h2>
          <p class="muted" id="import-hint">{t('importAllOrNothing')}</p>
          <form data-api="POST /recipients/import?atomic=true" data-encoding="multipart" data-then="import-report" class="inline-form" aria-labelledby="import-title" aria-describedby="import-hint">
            <Csrf ctx={ctx} />
            <div class="field"><label for="imp-file">{t('csvFile')}</label><input type="file" id="imp-file" name="file" accept=".csv,text/csv" required /></div>
            <button type="submit">{t('import')}</button>
            <FormMessage />
          </form>
          <div id="import-report"></div>
        </>
      )}
    </Layout>
  )
}
