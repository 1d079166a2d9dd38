import { INVOICE_STATUSES, STATUS_GROUPS } from '../../../domain/invoice-status'
import { amount, dateInputValue, day, instant, statusLabel, when, type WordKey } from '../i18n'
import { actorText, describeEvent, statusGroupText } from '../describe'
import { Csrf, FormMessage, Layout, type PageCtx } from '../layout'
import { BRIDGE_BASE } from '../api-bridge'
import type { HistoryEvent, InvoiceItem } from './invoice-types'
import { RecipientCell } from './to-submit'

export const TRACKING_FILTERS = ['status', 'q', 'recipient', 'from', 'to', 'sort'] as const
export type TrackingFilters = Partial<Record<(typeof TRACKING_FILTERS)[number], string>>

const SORTS = ['-depositedAt', 'depositedAt', '-statusAt', '-amountGross', 'amountGross', 'invoiceNumber', 'recipientName'] as const

export type { HistoryEvent } from './invoice-types'

function query(filters: TrackingFilters, extra: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) q.set(k, v)
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** Oldest first, and for one instant in the order they were written: the history reads top to bottom. */
function inTimeOrder(events: readonly HistoryEvent[]): HistoryEvent[] {
  return [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || Number(a.id) - Number(b.id))
}

/** The history of an invoice, oldest first. */
export function HistoryList(props: { ctx: PageCtx; events: readonly HistoryEvent[] }) {
  return (
    <ol class="history">
      {inTimeOrder(props.events).map((e) => (
        <HistoryItem ctx={props.ctx} e={e} />
      ))}
    </ol>
  )
}

function HistoryItem(props: { ctx: PageCtx; e: HistoryEvent }) {
  const { ctx, e } = props
  const d = describeEvent(ctx.lang, e)
  const who = actorText(ctx.lang, e.actor)
  return (
    <li data-kind={e.kind} data-at={e.occurredAt}>
      <b>{d.title}</b>
      <br />
      <span class="muted">
        {instant(e.occurredAt, ctx.lang)}
        {who ? ` · ${ctx.t('by')} ${who}` : ''}
      </span>
      {d.detail && <div>{d.detail}</div>}
      {d.chorus && (
        <div class="chorus-words">
          <span class="muted">{ctx.t('chorusSaid')}</span> « {d.chorus} »
        </div>
      )}
    </li>
  )
}

export function TrackingPage(props: {
  ctx: PageCtx
  filters: TrackingFilters
  list: { items: InvoiceItem[]; nextCursor: string | null; total: number; totalExact?: boolean }
  cursor: string | null
  error: string | null
  panel: { invoice: InvoiceItem & { history: HistoryEvent[] } } | null
}) {
  const { ctx, filters, list, panel } = props
  const { t } = ctx
  // The spreadsheet a person opens, in their language (headers, statuses, dates, decimal mark).
  const exportFilters = { ...Object.fromEntries(Object.entries({ tab: 'tracking', ...filters }).filter(([k, v]) => v && k !== 'sort')), layout: 'person', format: ctx.lang === 'en' ? 'en' : 'fr' }
  return (
    <Layout ctx={ctx} tab="tracking" title={t('tab.tracking')}>
      <p class="intro">{t('trackingIntro')}</p>
      <form method="get" action="/ui/tracking" class="filters" aria-label={t('filters')}>
        <div class="field">
          <label for="f-status">{t('status')}</label>
          <select id="f-status" name="status">
            <option value="">{t('allStatuses')}</option>
            {Object.keys(STATUS_GROUPS).map((g) => (
              <option value={g} selected={filters.status === g}>{statusGroupText(ctx.lang, g)}</option>
            ))}
            {INVOICE_STATUSES.map((s) => (
              <option value={s} selected={filters.status === s}>{statusLabel(ctx.lang, s)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-q">{t('search')}</label>
          <input type="search" id="f-q" name="q" value={filters.q ?? ''} placeholder={t('searchHint')} />
        </div>
        <div class="field">
          <label for="f-from">{t('from')}</label>
          <input type="text" id="f-from" name="from" value={dateInputValue(filters.from, ctx.lang)} placeholder={t('datePlaceholder')} inputmode="numeric" autocomplete="off" />
        </div>
        <div class="field">
          <label for="f-to">{t('to')}</label>
          <input type="text" id="f-to" name="to" value={dateInputValue(filters.to, ctx.lang)} placeholder={t('datePlaceholder')} inputmode="numeric" autocomplete="off" />
        </div>
        <div class="field">
          <label for="f-sort">{t('sort')}</label>
          <select id="f-sort" name="sort">
            {SORTS.map((s) => (
              <option value={s} selected={(filters.sort ?? '-depositedAt') === s}>{t(`sort.${s}` as WordKey)}</option>
            ))}
          </select>
        </div>
        <button type="submit">{t('apply')}</button>
        <a href="/ui/tracking">{t('reset')}</a>
      </form>
      {props.error && <p class="alert bad" role="alert">{props.error}</p>}
      <div class="toolbar">
        <button type="button" class="secondary" id="export-button" data-export={JSON.stringify(exportFilters)}>{t('exportCsv')}</button>
        <progress id="export-progress" max={1} value={0} hidden aria-label={t('exporting')}></progress>
        <span id="export-status" role="status" aria-live="polite"></span>
        <a id="export-link" hidden download>{t('download')}</a>
        {ctx.canAct && (
          <form data-api="POST /invoices/sync" data-then="follow-sync" class="inline-toolbar">
            <Csrf ctx={ctx} />
            <button type="submit" class="secondary">{t('syncNow')}</button>
            <progress id="sync-progress" hidden aria-label={t('syncing')}></progress>
            <span id="sync-status" role="status" aria-live="polite"></span>
            <a id="sync-show" href={`/ui/tracking${query(filters)}`} hidden>{t('showChanges')}</a>
            <FormMessage />
          </form>
        )}
        <span class="muted">{t('total')}{ctx.colon}{list.totalExact === false ? '≈ ' : ''}{list.total}</span>
      </div>
      <div class={`track-layout${panel ? ' with-panel' : ''}`}>
        <div>
          {list.items.length === 0 ? (
            <p>{t('noInvoices')}</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('invoiceNumber')}</th>
                    <th scope="col">{t('status')}</th>
                    <th scope="col">{t('recipient')}</th>
                    <th scope="col" class="hide-narrow hide-with-panel">{t('serviceCode')}</th>
                    <th scope="col" class="num">{t('amountGross')}</th>
                    <th scope="col" class="hide-narrow hide-with-panel">{t('invoiceDate')}</th>
                    <th scope="col">{t('depositedAt')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((i) => (
                    <tr data-invoice-id={i.id} data-invoice-number={i.invoiceNumber}>
                      <td class="nowrap">
                        {/* The number opens the history beside the list. */}
                        <a href={`/ui/tracking${query(filters, { cursor: props.cursor ?? undefined, show: i.id })}`} aria-label={`${i.invoiceNumber} · ${t('history')}`} aria-current={panel?.invoice.id === i.id ? 'true' : undefined}>{i.invoiceNumber}</a>
                      </td>
                      <td>
                        <span class={`badge${i.toProcess ? ' bad' : i.status === 'MISE_EN_PAIEMENT' ? ' ok' : ''}`} data-status={i.status}>{statusLabel(ctx.lang, i.status)}</span>
                        {i.toProcess && i.statusComment && <span class="reason">{i.statusComment}</span>}
                      </td>
                      <td class="break" data-col="recipient"><RecipientCell name={i.recipientName} siret={i.recipientSiret} /></td>
                      <td class="hide-narrow hide-with-panel">{i.serviceCode ?? '—'}</td>
                      <td class="num">{amount(i.amountGross, i.currency)}</td>
                      <td class="nowrap hide-narrow hide-with-panel">{day(i.invoiceDate, ctx.lang)}</td>
                      <td class="nowrap" data-col="depositedAt">{when(i.depositedAt, ctx.lang)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="pager">
            {props.cursor && <a href={`/ui/tracking${query(filters)}`}>{t('firstPage')}</a>}
            {list.nextCursor && <a href={`/ui/tracking${query(filters, { cursor: list.nextCursor })}`}>{t('nextPage')}</a>}
          </div>
        </div>
        {panel && (
          <aside class="panel" aria-labelledby="history-title" id="history-panel">
            <h2 id="history-title">{t('historyOf')} <span class="nowrap">{panel.invoice.invoiceNumber}</span></h2>
            <p class="muted">
              {statusLabel(ctx.lang, panel.invoice.status)} · {amount(panel.invoice.amountGross, panel.invoice.currency)}
              {panel.invoice.documentId && (
                <>
                  {' · '}
                  <a href={`${BRIDGE_BASE}/documents/${panel.invoice.documentId}/file`} target="_blank" rel="noopener">PDF</a>
                </>
              )}
            </p>
            <HistoryList ctx={ctx} events={panel.invoice.history} />
            <a href={`/ui/tracking${query(filters, { cursor: props.cursor ?? undefined })}`}>{t('close')}</a>
          </aside>
        )}
      </div>
    </Layout>
  )
}
