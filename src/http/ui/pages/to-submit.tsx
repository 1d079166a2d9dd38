import type { PresentedDocument, PresentedDocumentSummary } from '../../api/present-document'
import { FIELD_NAMES, ORIGIN_LABELS, type FieldOrigin } from '../../../domain/invoice-fields'
import { amount, dateInputValue, day, instant, type WordKey } from '../i18n'
import { Csrf, FormMessage, Layout, type PageCtx } from '../layout'
import { BRIDGE_BASE } from '../api-bridge'
import { actorText } from '../describe'
import { needsText, ServiceSelect } from './service-choice'
import type { StructureServices } from '../../../domain/service-choices'
import { billingFrameworkOf, DEFAULT_BILLING_FRAMEWORK, OFFERED_BILLING_FRAMEWORKS } from '../../../domain/billing-framework'

type Doc = PresentedDocument
/** A list row: GET /documents gives summaries (the fields a list shows). */
type Row = PresentedDocumentSummary

const value = (d: Row, f: string) => d.fields[f]?.value ?? null

/** Why a document is red, in a few words, shown under its name (the badge's tooltip and the Complete page have all of it). */
function shortReason(d: Row): { text: string; more: number } | null {
  if (d.state !== 'incomplete' && d.state !== 'error') return null
  const reasons = [...(d.error ? [d.error.message] : []), ...d.problems.map((p) => p.message)]
  if (!reasons.length) return null
  return { text: reasons[0]!, more: reasons.length - 1 }
}

/** The recipient as the directory names it, its SIRET beneath; the printed label when the directory has no name. */
export function RecipientCell(props: { name: string | null; label?: string | null; siret: string | null }) {
  const title = props.name ?? props.label ?? null
  if (!title && !props.siret) return <>—</>
  return (
    <>
      {title && <span class="recipient-name">{title}</span>}
      {props.siret && <span class="recipient-siret muted">{props.siret}</span>}
    </>
  )
}

/** Green, red or waiting, with the reason on hover and on keyboard focus (the badge is focusable). */
export function StateBadge(props: { ctx: PageCtx; doc: Row }) {
  const { t } = props.ctx
  const d = props.doc
  const kind = d.state === 'ready' || d.state === 'submitted' ? 'ok' : d.state === 'analysing' ? 'wait' : 'bad'
  const tipId = `tip-${d.id}`
  const reasons =
    d.state === 'ready' ? [t('readyReason')]
    : d.state === 'analysing' ? [t('analysingReason')]
    : [...(d.error ? [d.error.message] : []), ...d.problems.map((p) => p.message)]
  return (
    <span class={`state ${kind}`} tabindex={0} aria-describedby={tipId} data-state={d.state}>
      <span class="dot" aria-hidden="true"></span>
      {t(`state.${d.state}` as WordKey)}
      <span class="tip" role="tooltip" id={tipId}>
        {reasons.length > 1 ? <ul>{reasons.map((r) => <li>{r}</li>)}</ul> : reasons[0] ?? ''}
      </span>
    </span>
  )
}

export function ToSubmitPage(props: { ctx: PageCtx; list: { items: Row[]; nextCursor: string | null; total: number }; cursor: string | null; removed: number }) {
  const { ctx, list } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} tab="to-submit" title={t('tab.to-submit')}>
      <p class="intro">
        {t('toSubmitIntro')} {t('total')}{ctx.colon}{list.total}
        {props.removed > 0 && (
          <>
            {' · '}
            <a href="/ui/to-submit/removed">{t('removedDocuments')} ({props.removed})</a>
          </>
        )}
      </p>
      <form id="selection" data-needs-selection={ctx.lang === 'en' ? 'Select at least one document.' : 'Sélectionnez au moins un document.'}>
        <Csrf ctx={ctx} />
        {ctx.canAct && (
          <div class="toolbar" role="group" aria-label={t('actions')}>
            <button type="submit" data-api="POST /documents/submit" data-confirm={t('confirmSubmit')} data-then="follow-submissions">{t('submitSelection')}</button>
            <button type="submit" class="secondary" data-api="POST /documents/reprocess" data-confirm={t('confirmReprocess')}>{t('reprocessSelection')}</button>
            <button type="submit" class="danger" data-api="POST /documents/remove" data-confirm={t('confirmRemove')}>{t('removeSelection')}</button>
          </div>
        )}
        <FormMessage />
        <div id="bulk-status" class="alert ok" role="status" aria-live="polite" hidden>
          <progress id="bulk-progress" max={1} value={0} aria-label={t('submitting')}></progress> <span id="bulk-text"></span>{' '}
          <a id="bulk-link" href="/ui/tracking" hidden>{t('seeTracking')}</a>{' '}
          <a href="/ui/to-submit">{t('refreshList')}</a>
        </div>
        {list.items.length === 0 ? (
          <p>{t('noDocuments')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  {ctx.canAct && (
                    <th scope="col">
                      <input type="checkbox" data-select-all id="select-all" aria-label={t('selectAll')} />
                    </th>
                  )}
                  <th scope="col">{t('state')}</th>
                  <th scope="col">{t('file')}</th>
                  <th scope="col">{t('invoiceNumber')}</th>
                  <th scope="col">{t('recipient')}</th>
                  <th scope="col" class="num">{t('amountGross')}</th>
                  <th scope="col" class="hide-narrow">{t('receivedAt')}</th>
                  <th scope="col">{t('actions')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((d) => (
                  <tr data-document-id={d.id} data-filename={d.filename}>
                    {ctx.canAct && (
                      <td>
                        <input type="checkbox" name="ids" value={d.id} id={`sel-${d.id}`} aria-label={`${t('select')} ${d.filename}`} />
                      </td>
                    )}
                    <td><StateBadge ctx={ctx} doc={d} /></td>
                    <td class="break">
                      {d.filename}
                      {(() => {
                        const r = shortReason(d)
                        return r ? <span class="reason" data-role="reason">{r.text}{r.more > 0 ? ` ${t('andMore').replace('{n}', String(r.more))}` : ''}</span> : null
                      })()}
                    </td>
                    <td class="nowrap">{value(d, 'invoiceNumber') ?? '—'}</td>
                    <td class="break" data-col="recipient"><RecipientCell name={d.recipientName} label={value(d, 'recipientLabel')} siret={value(d, 'recipientSiret')} /></td>
                    <td class="num">{amount(value(d, 'amountGross'), value(d, 'currency') ?? 'EUR')}</td>
                    <td class="nowrap hide-narrow">{instant(d.receivedAt, ctx.lang)}</td>
                    <td>
                      <a class="button small" href={`/ui/to-submit/${d.id}`} aria-label={`${t('complete')} ${d.filename}`}>{t('complete')}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </form>
      <div class="pager">
        {props.cursor && <a href="/ui/to-submit">{t('firstPage')}</a>}
        {list.nextCursor && <a href={`/ui/to-submit?cursor=${encodeURIComponent(list.nextCursor)}`}>{t('nextPage')}</a>}
      </div>
    </Layout>
  )
}

const clockFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' })
const clock = (iso: string) => clockFormat.format(new Date(iso))

/**
 * The billing framework as a choice (issue 17): the frameworks the connector can submit (A1, A2), A1 when the
 * invoice names none (Chorus Pro's default, so leaving it is not an edit). A framework read from the XML that
 * the connector cannot submit, or an unknown one, stays shown and selected, said to be refused.
 */
function FrameworkSelect(props: { ctx: PageCtx; id: string; name: string; value: string | null; describedBy: string; invalid: 'true' | undefined }) {
  const { ctx } = props
  const current = props.value ? (billingFrameworkOf(props.value)?.code ?? props.value) : DEFAULT_BILLING_FRAMEWORK
  const offered = OFFERED_BILLING_FRAMEWORKS.some((f) => f.code === current)
  const known = billingFrameworkOf(current)
  return (
    <select id={props.id} name={props.name} data-empty="null" aria-invalid={props.invalid} aria-describedby={props.describedBy}>
      {!offered && (
        <option value={current} selected>
          {`${known ? `${known.short} – ${known.label[ctx.lang]}` : current}${ctx.colon}${ctx.t('billingFrameworkUnsupported')}`}
        </option>
      )}
      {OFFERED_BILLING_FRAMEWORKS.map((f) => (
        <option value={f.code} selected={f.code === current}>{`${f.short} – ${f.label[ctx.lang]}`}</option>
      ))}
    </select>
  )
}

export function CompletePage(props: { ctx: PageCtx; doc: Doc; structure: StructureServices | null }) {
  const { ctx, doc, structure } = props
  const { t, lang } = ctx
  const auto = doc.submission?.auto === true
  const held = doc.submission?.heldForPersonUntil ?? null
  const general = doc.problems.filter((p) => !p.field || !(FIELD_NAMES as readonly string[]).includes(p.field))
  const title = `${t('completeTitle')}${ctx.colon}${doc.filename}`
  return (
    <Layout ctx={ctx} tab="to-submit" title={title}>
      {/* data-live: refreshed in place from the server after a refused action (ui.js), typed values kept. */}
      <div id="doc-status" data-live="doc-status">
        <p><a href="/ui/to-submit">← {t('backToList')}</a> · <StateBadge ctx={ctx} doc={doc} /></p>
        {doc.error && <p class="alert bad">{doc.error.message}</p>}
        {general.length > 0 && (
          <div class="alert bad">
            <ul>{general.map((p) => <li>{p.message}</li>)}</ul>
          </div>
        )}
      </div>
      <div class="complete-grid">
        <section aria-labelledby="pdf-title">
          <h2 id="pdf-title">{t('pdf')}</h2>
          <iframe class="pdf-frame" src={`${BRIDGE_BASE}/documents/${doc.id}/file`} title={`${t('pdf')} ${doc.filename}`}></iframe>
          <p><a href={`${BRIDGE_BASE}/documents/${doc.id}/file`} target="_blank" rel="noopener">{t('openPdf')}</a></p>
        </section>
        <section aria-labelledby="form-title">
          <h2 id="form-title">{t('form')}</h2>
          <form id="complete-form" data-changed-only="true" data-done={t(auto ? 'savedAuto' : 'savedManual')}>
            <Csrf ctx={ctx} />
            <FormMessage />
            <div class="form-grid">
              {FIELD_NAMES.map((f) => {
                const field = doc.fields[f]
                const problems = doc.problems.filter((p) => p.field === f)
                const id = `f-${f}`
                const origin = field?.value != null ? (ORIGIN_LABELS[field.origin as FieldOrigin]?.[lang] ?? field.origin) : t('origin.none')
                const describedBy = `${id}-origin ${id}-problems`
                const editable = ctx.canAct && doc.stage === 'to_submit'
                const label = t(`field.${f}` as WordKey)
                const invalid = problems.length ? 'true' : undefined
                // Choices, not free text (issue 17, item 9): the service among the recipient's, the type among two.
                const chooser = f === 'serviceCode' ? { 'data-service-chooser': true, 'data-siret-input': 'f-recipientSiret', 'data-engagement-input': 'f-engagementNumber', 'data-account': doc.accountId ?? '' } : {}
                // Dates as the person's language writes them (JJ/MM/AAAA in French), read back by the API either way.
                const value = f === 'invoiceDate' ? dateInputValue(field?.value, lang) : (field?.value ?? '')
                return (
                  <div class={`field${problems.length ? ' has-problem' : ''}`} data-field={f} {...chooser}>
                    <label for={id}>{label}</label>
                    {f === 'serviceCode' && editable && structure ? (
                      <ServiceSelect ctx={ctx} id={id} name={`fields.${f}`} label={label} value={field?.value ?? null} structure={structure} describedBy={`${describedBy} ${id}-needs`} invalid={problems.length > 0} />
                    ) : f === 'invoiceType' && editable ? (
                      <select id={id} name={`fields.${f}`} data-empty="null" aria-invalid={invalid} aria-describedby={describedBy}>
                        {!['FACTURE', 'AVOIR'].includes(value) && <option value={value} selected>{value || '—'}</option>}
                        {(['FACTURE', 'AVOIR'] as const).map((k) => (
                          <option value={k} selected={value === k}>{t(`invoiceType.${k}`)}</option>
                        ))}
                      </select>
                    ) : f === 'billingFramework' && editable ? (
                      <FrameworkSelect ctx={ctx} id={id} name={`fields.${f}`} value={field?.value ?? null} describedBy={`${describedBy} ${id}-hint`} invalid={invalid} />
                    ) : (
                      <input
                        type="text"
                        id={id}
                        name={`fields.${f}`}
                        value={value}
                        data-empty="null"
                        inputmode={f.startsWith('amount') ? 'decimal' : undefined}
                        placeholder={f === 'invoiceDate' ? t('datePlaceholder') : undefined}
                        aria-invalid={invalid}
                        aria-describedby={describedBy}
                        readonly={!editable}
                      />
                    )}
                    {f === 'serviceCode' && (
                      <span class="hint" id={`${id}-needs`} data-role="needs">{needsText(ctx, structure, editable)}</span>
                    )}
                    {f === 'billingFramework' && (
                      <span class="hint" id={`${id}-hint`}>
                        {field?.value ? '' : `${t('billingFrameworkDefault')} `}
                        {editable ? t('billingFrameworkOthers') : ''}
                      </span>
                    )}
                    <span class="origin" id={`${id}-origin`} data-live={`o-${f}`}>
                      {t('origin')}{ctx.colon}<b>{origin}</b>
                      {f === 'invoiceDate' && field?.value ? ` · ${day(field.value, ctx.lang)}` : ''}
                      {f.startsWith('amount') && field?.value ? ` · ${amount(field.value)}` : ''}
                    </span>
                    <span class="problems" id={`${id}-problems`} data-live={`p-${f}`} data-field-problems={f}>
                      {problems.map((p) => (
                        <span class="problem">{p.message}</span>
                      ))}
                    </span>
                  </div>
                )
              })}
            </div>
            {ctx.canAct && doc.stage === 'to_submit' && (
              <div class="toolbar">
                <button type="submit" class="secondary" data-api={`PATCH /documents/${doc.id}`}>{t('save')}</button>
                <button type="submit" data-api={`POST /documents/${doc.id}/validate`} data-then="next">{t('validate')}</button>
                <span class="muted">{t('validateHint')}</span>
              </div>
            )}
            {ctx.canAct && doc.stage === 'to_submit' && (
              <p class="hint" id="submission-note" data-auto={auto ? 'true' : 'false'}>
                {t('saveNeverSubmits')} {t(auto ? 'goesAuto' : 'goesManual')}
                {held ? ` ${t('goesAutoNotBefore')} ${clock(held)}.` : ''}
              </p>
            )}
          </form>
        </section>
      </div>
    </Layout>
  )
}

/** Removed documents, as the confirmation of "Remove" promises: seen by everyone, restored by an admin. */
export function RemovedPage(props: { ctx: PageCtx; list: { items: Row[]; nextCursor: string | null; total: number }; cursor: string | null }) {
  const { ctx, list } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} tab="to-submit" title={t('removedDocuments')}>
      <p><a href="/ui/to-submit">← {t('backToList')}</a></p>
      <p class="intro">{t('removedIntro')} {t('total')}{ctx.colon}{list.total}</p>
      {!ctx.isAdmin && <p class="muted">{t('restoreAdminOnly')}</p>}
      <form id="removed" data-needs-selection={ctx.lang === 'en' ? 'Select at least one document.' : 'Sélectionnez au moins un document.'}>
        <Csrf ctx={ctx} />
        {ctx.isAdmin && (
          <div class="toolbar" role="group" aria-label={t('actions')}>
            <button type="submit" data-api="POST /documents/restore" data-confirm={t('confirmRestore')}>{t('restoreSelection')}</button>
          </div>
        )}
        <FormMessage />
        {list.items.length === 0 ? (
          <p>{t('noRemoved')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  {ctx.isAdmin && (
                    <th scope="col">
                      <input type="checkbox" data-select-all id="select-all" aria-label={t('selectAll')} />
                    </th>
                  )}
                  <th scope="col">{t('file')}</th>
                  <th scope="col">{t('invoiceNumber')}</th>
                  <th scope="col">{t('recipient')}</th>
                  <th scope="col" class="num">{t('amountGross')}</th>
                  <th scope="col">{t('removedAt')}</th>
                  <th scope="col" class="hide-narrow">{t('removedBy')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((d) => (
                  <tr data-document-id={d.id} data-filename={d.filename}>
                    {ctx.isAdmin && (
                      <td>
                        <input type="checkbox" name="ids" value={d.id} id={`sel-${d.id}`} aria-label={`${t('select')} ${d.filename}`} />
                      </td>
                    )}
                    <td class="break">{d.filename}</td>
                    <td class="nowrap">{value(d, 'invoiceNumber') ?? '—'}</td>
                    <td class="break"><RecipientCell name={d.recipientName} label={value(d, 'recipientLabel')} siret={value(d, 'recipientSiret')} /></td>
                    <td class="num">{amount(value(d, 'amountGross'), value(d, 'currency') ?? 'EUR')}</td>
                    <td class="nowrap">{instant(d.removedAt, ctx.lang)}</td>
                    <td class="break hide-narrow">{actorText(ctx.lang, d.removedBy) ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </form>
      <div class="pager">
        {props.cursor && <a href="/ui/to-submit/removed">{t('firstPage')}</a>}
        {list.nextCursor && <a href={`/ui/to-submit/removed?cursor=${encodeURIComponent(list.nextCursor)}`}>{t('nextPage')}</a>}
      </div>
    </Layout>
  )
}
