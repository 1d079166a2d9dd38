import { amount, day, statusLabel, when, type WordKey } from '../i18n'
import { Csrf, FormMessage, Layout, type PageCtx } from '../layout'
import { BRIDGE_BASE } from '../api-bridge'
import { HistoryList } from './tracking'
import { ServiceChoice } from './service-choice'
import type { StructureServices } from '../../../domain/service-choices'
import type { HistoryEvent, InvoiceItem } from './invoice-types'

export type { InvoiceItem } from './invoice-types'

const GROUPS = ['SUSPENDUE', 'A_RECYCLER', 'REJETEE'] as const

function Field(props: { id: string; label: string; name: string; value?: string | null; required?: boolean; multiline?: boolean; hint?: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.multiline ? (
        <textarea id={props.id} name={props.name} data-empty="null">{props.value ?? ''}</textarea>
      ) : (
        <input type="text" id={props.id} name={props.name} value={props.value ?? ''} data-empty="null" required={props.required} />
      )}
    </div>
  )
}

function InvoiceCard(props: { ctx: PageCtx; inv: InvoiceItem; detail?: boolean; structure?: StructureServices | null }) {
  const { ctx, inv } = props
  const { t } = ctx
  const p = `i${inv.id}`
  return (
    <article class="card" data-invoice-id={inv.id} data-invoice-number={inv.invoiceNumber} aria-labelledby={`${p}-h`}>
      <h3 id={`${p}-h`}>
        {inv.invoiceNumber} · {inv.recipientName ?? inv.recipientSiret ?? '—'} · {amount(inv.amountGross, inv.currency)}
      </h3>
      {!props.detail && (
        <p>
          <a href={`/ui/to-process/${inv.id}`} aria-label={`${t('seeInvoice')}${ctx.colon}${inv.invoiceNumber}`}>{t('seeInvoice')}</a>
          {inv.documentId ? ' (PDF)' : ''}
        </p>
      )}
      <p class="muted">
        {statusLabel(ctx.lang, inv.status)} · {when(inv.statusAt, ctx.lang)} · {t('invoiceDate')} {day(inv.invoiceDate, ctx.lang)}
        {inv.serviceCode ? ` · ${t('serviceCode')} ${inv.serviceCode}` : ''}
      </p>
      {inv.statusComment && (
        <p>
          <b>{t('statusComment')}{ctx.colon.trimEnd()}</b> {inv.statusComment}
        </p>
      )}
      {ctx.canAct && inv.status === 'SUSPENDUE' && (
        <details class="action" open>
          <summary>{t('complete')}</summary>
          <form data-api={`POST /invoices/${inv.id}/complete`} data-encoding="multipart" data-confirm={t('confirmComplete')}>
            <Csrf ctx={ctx} />
            <FormMessage />
            <Field id={`${p}-comment`} label={t('comment')} name="comment" multiline />
            <div class="field">
              <label for={`${p}-att`}>{t('attachments')}</label>
              <input type="file" id={`${p}-att`} name="attachments" multiple />
            </div>
            <button type="submit">{t('complete')}</button>
          </form>
        </details>
      )}
      {ctx.canAct && inv.status === 'A_RECYCLER' && (
        <details class="action" open>
          <summary>{t('recycle')}</summary>
          <form data-api={`POST /invoices/${inv.id}/recycle`} data-confirm={t('confirmRecycle')}>
            <Csrf ctx={ctx} />
            <FormMessage />
            <div class="inline-form">
              <Field id={`${p}-siret`} label={t('field.recipientSiret')} name="recipientSiret" value={inv.recipientSiret} required />
              <ServiceChoice ctx={ctx} id={`${p}-service`} name="serviceCode" label={t('field.serviceCode')} value={inv.serviceCode} structure={props.structure ?? null} siretInputId={`${p}-siret`} engagementInputId={`${p}-ej`} accountId={inv.accountId} />
              <Field id={`${p}-ej`} label={t('field.engagementNumber')} name="engagementNumber" value={inv.engagementNumber} />
            </div>
            <Field id={`${p}-rcomment`} label={t('comment')} name="comment" multiline />
            <button type="submit">{t('recycle')}</button>
          </form>
        </details>
      )}
      {ctx.canAct && inv.status === 'REJETEE' && (
        <details class="action" open>
          <summary>{t('handle')}</summary>
          <form data-api={`POST /invoices/${inv.id}/handle`} data-confirm={t('confirmHandle')}>
            <Csrf ctx={ctx} />
            <FormMessage />
            <div class="inline-form">
              <Field id={`${p}-avoir`} label={t('creditNoteNumber')} name="creditNoteNumber" />
              <Field id={`${p}-repl`} label={t('replacementInvoiceNumber')} name="replacementInvoiceNumber" />
            </div>
            <Field id={`${p}-note`} label={t('note')} name="note" multiline />
            <button type="submit">{t('handle')}</button>
          </form>
        </details>
      )}
    </article>
  )
}

export function ToProcessPage(props: { ctx: PageCtx; items: InvoiceItem[]; total: number; structures: Readonly<Record<string, StructureServices | null>> }) {
  const { ctx, items } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} tab="to-process" title={t('tab.to-process')}>
      <p class="intro">{t('toProcessIntro')} {t('total')}{ctx.colon}{props.total}</p>
      <div class="groups">
        {GROUPS.map((g) => {
          const group = items.filter((i) => i.status === g)
          return (
            <section aria-labelledby={`g-${g}`} data-group={g}>
              <h2 id={`g-${g}`}>
                {t(`group.${g}` as WordKey)} <span class="badge">{group.length}</span>
              </h2>
              {group.length === 0 ? <p class="muted">{t('none')}</p> : group.map((inv) => <InvoiceCard ctx={ctx} inv={inv} structure={props.structures[inv.id] ?? null} />)}
            </section>
          )
        })}
      </div>
    </Layout>
  )
}

/** One invoice to process, its PDF beside the actions (as Complete does in To submit), its history beneath. */
export function ToProcessDetailPage(props: { ctx: PageCtx; inv: InvoiceItem & { history: HistoryEvent[] }; structure: StructureServices | null }) {
  const { ctx, inv } = props
  const { t } = ctx
  const file = inv.documentId ? `${BRIDGE_BASE}/documents/${inv.documentId}/file` : null
  return (
    <Layout ctx={ctx} tab="to-process" title={`${t('tab.to-process')}${ctx.colon}${inv.invoiceNumber}`}>
      <p><a href="/ui/to-process">← {t('backToList')}</a></p>
      <div class="complete-grid">
        <section aria-labelledby="pdf-title">
          <h2 id="pdf-title">{t('pdf')}</h2>
          {file ? (
            <>
              <iframe class="pdf-frame" src={file} title={`${t('pdf')} ${inv.invoiceNumber}`}></iframe>
              <p><a href={file} target="_blank" rel="noopener">{t('openPdf')}</a></p>
            </>
          ) : (
            <p class="muted">{t('noPdf')}</p>
          )}
        </section>
        <section aria-labelledby="action-title">
          <h2 id="action-title">{t('actions')}</h2>
          <InvoiceCard ctx={ctx} inv={inv} detail structure={props.structure} />
          <h2 id="history-title">{t('history')}</h2>
          <HistoryList ctx={ctx} events={inv.history} />
        </section>
      </div>
    </Layout>
  )
}
