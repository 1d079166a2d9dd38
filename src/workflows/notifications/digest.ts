import { sql } from 'kysely'
import type { Localized } from '../../domain/localized'
import { describeStatus } from '../../domain/invoice-status'
import { todayIn } from '../../domain/calendar-date'
import type { Ports } from '../ports'
import { parisDay, parisMoment, renderMail, tr, type Lang, type MailSection, type RenderedMail } from './render-mail'

/** Who a digest is for: one supplier account or all (null), and a role (admins also get the errors and the accounts' health). */
export interface DigestScope {
  readonly accountId: string | null
  readonly role: 'operator' | 'admin'
}

const LIST_LIMIT = 20

interface Reasoned {
  code?: string
  message?: Localized
}

export interface DigestData {
  readonly at: Date
  readonly toSubmit: { readonly waiting: number; readonly red: ReadonlyArray<{ id: string; filename: string; account: string | null; reasons: Localized[] }>; readonly redTotal: number }
  readonly toProcess: { readonly items: ReadonlyArray<{ id: string; number: string; status: string; statusAt: Date; comment: string | null; account: string; recipient: string | null }>; readonly total: number }
  /** Admins only. */
  readonly errors: ReadonlyArray<{ what: Localized; detail: string | null; link: 'settings' | 'tracking' }>
  readonly passwords: ReadonlyArray<{ account: string; expiresOn: string; days: number }>
  readonly failedChecks: ReadonlyArray<{ account: string; checkedAt: string | null; step: string | null; message: Localized | null }>
}

export function digestIsEmpty(d: DigestData): boolean {
  return d.toSubmit.redTotal === 0 && d.toProcess.total === 0 && d.errors.length === 0 && d.passwords.length === 0 && d.failedChecks.length === 0
}

/**
 * What needs someone, for one scope: documents left red in To submit (with their reasons), invoices
 * to process (suspended, to recycle, rejected and not handled), and for admins the errors (sources
 * that stopped working, write-backs that failed, e-mails that could not be sent), technical passwords
 * expiring within 30 days, and accounts whose last check failed.
 */
export async function collectDigest(ports: Pick<Ports, 'db' | 'now' | 'chorusEnv'>, scope: DigestScope): Promise<DigestData> {
  const at = ports.now()
  const db = ports.db
  const accountFilter = <T extends { where: (...a: any[]) => T }>(q: T, col: string): T => (scope.accountId ? q.where(col, '=', scope.accountId) : q)

  const waiting = await accountFilter(db.selectFrom('documents').select(sql<string>`count(*)`.as('n')).where('stage', '=', 'to_submit'), 'account_id').executeTakeFirstOrThrow()
  const redQuery = accountFilter(
    db
      .selectFrom('documents')
      .leftJoin('accounts', 'accounts.id', 'documents.account_id')
      .where('documents.stage', '=', 'to_submit')
      .where((eb) => eb.or([eb('documents.ready', '=', false), eb('documents.submit_error', 'is not', null), eb('documents.analysis_status', '=', 'error')])),
    'documents.account_id',
  )
  const redTotal = await redQuery.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()
  const red = await redQuery
    .select(['documents.id', 'documents.filename', 'documents.problems', 'documents.submit_error', 'documents.analysis_error', 'accounts.name as account'])
    .orderBy('documents.id')
    .limit(LIST_LIMIT)
    .execute()

  const tpQuery = accountFilter(
    db.selectFrom('invoices').innerJoin('accounts', 'accounts.id', 'invoices.account_id').where('invoices.to_process', '=', true).where('invoices.handled', '=', false),
    'invoices.account_id',
  )
  const tpTotal = await tpQuery.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()
  const tp = await tpQuery
    .select(['invoices.id', 'invoices.invoice_number', 'invoices.status', 'invoices.status_at', 'invoices.status_comment', 'invoices.recipient_name', 'accounts.name as account'])
    .orderBy('invoices.status_at', 'desc')
    .limit(LIST_LIMIT)
    .execute()

  const errors: Array<DigestData['errors'][number]> = []
  const passwords: Array<DigestData['passwords'][number]> = []
  const failedChecks: Array<DigestData['failedChecks'][number]> = []
  if (scope.role === 'admin') {
    const failing = await db.selectFrom('source_health').innerJoin('sources', 'sources.id', 'source_health.source_id').select(['sources.name', 'source_health.error', 'source_health.failing_since']).where('sources.enabled', '=', true).orderBy('sources.id').execute()
    for (const f of failing) {
      errors.push({ what: { fr: `La source « ${f.name} » ne fonctionne plus depuis le ${parisMoment(f.failing_since, 'fr')}`, en: `The source "${f.name}" has not worked since ${parisMoment(f.failing_since, 'en')}` }, detail: f.error.slice(0, 300), link: 'settings' })
    }
    const since = new Date(at.getTime() - 24 * 3600_000)
    const wb = await db.selectFrom('write_backs').select(sql<string>`count(*)`.as('n')).where('state', '=', 'failed').where('done_at', '>=', since).executeTakeFirstOrThrow()
    if (Number(wb.n) > 0) errors.push({ what: { fr: `${wb.n} retour(s) d’information vers l’hôte (Odoo, dossier) ont échoué depuis 24 h`, en: `${wb.n} write-back(s) to the host (Odoo, folder) failed in the last 24 hours` }, detail: 'GET /api/v1/write-backs?state=failed', link: 'settings' })
    // A failed test e-mail was already answered to whoever tried it: not an error to report again.
    const mails = await db.selectFrom('mail_outbox').select(sql<string>`count(*)`.as('n')).where('state', '=', 'failed').where('kind', '<>', 'test').where('created_at', '>=', since).executeTakeFirstOrThrow()
    if (Number(mails.n) > 0) errors.push({ what: { fr: `${mails.n} e-mail(s) n’ont pas pu être envoyés depuis 24 h`, en: `${mails.n} e-mail(s) could not be sent in the last 24 hours` }, detail: 'GET /api/v1/notifications/outbox?state=failed', link: 'settings' })

    const today = todayIn('Europe/Paris', at)
    let acc = db.selectFrom('accounts').select(['id', 'name', 'password_expires_on', 'last_connection_check']).where('environment', '=', ports.chorusEnv).where('disabled_at', 'is', null).orderBy('id')
    if (scope.accountId) acc = acc.where('id', '=', scope.accountId)
    for (const a of await acc.execute()) {
      if (a.password_expires_on) {
        const days = Math.round((Date.parse(a.password_expires_on) - Date.parse(today)) / 86_400_000)
        if (days <= 30) passwords.push({ account: a.name, expiresOn: a.password_expires_on, days })
      }
      const check = a.last_connection_check as { ok?: boolean; checkedAt?: string; steps?: Array<{ step: string; ok: boolean; message: Localized }> } | null
      if (check && check.ok === false) {
        const bad = check.steps?.find((s) => !s.ok)
        failedChecks.push({ account: a.name, checkedAt: check.checkedAt ?? null, step: bad?.step ?? null, message: bad?.message ?? null })
      }
    }
  }

  const reasonsOf = (r: (typeof red)[number]): Localized[] => {
    const out: Localized[] = []
    const analysis = r.analysis_error as Reasoned | null
    const submit = r.submit_error as Reasoned | null
    if (analysis?.message) out.push(analysis.message)
    if (submit?.message) out.push(submit.message)
    for (const p of (r.problems as Reasoned[] | null) ?? []) if (p.message) out.push(p.message)
    return out
  }
  return {
    at,
    toSubmit: { waiting: Number(waiting.n), red: red.map((r) => ({ id: r.id, filename: r.filename, account: r.account, reasons: reasonsOf(r) })), redTotal: Number(redTotal.n) },
    toProcess: { items: tp.map((i) => ({ id: i.id, number: i.invoice_number, status: i.status, statusAt: i.status_at, comment: i.status_comment, account: i.account, recipient: i.recipient_name })), total: Number(tpTotal.n) },
    errors,
    passwords,
    failedChecks,
  }
}

/** The digest as an e-mail in one language, with links into the tab pages; null when there is nothing to say. */
export function renderDigest(d: DigestData, lang: Lang, publicUrl: string): RenderedMail | null {
  if (digestIsEmpty(d)) return null
  const base = publicUrl.replace(/\/$/, '')
  const t = (fr: string, en: string) => tr(lang, { fr, en })
  const sections: MailSection[] = []
  if (d.toSubmit.redTotal > 0) {
    sections.push({
      heading: t(`À déposer : ${d.toSubmit.redTotal} document(s) à compléter ou corriger (${d.toSubmit.waiting} en attente en tout)`, `To submit: ${d.toSubmit.redTotal} document(s) to complete or correct (${d.toSubmit.waiting} waiting in all)`),
      items: d.toSubmit.red.map((r) => ({
        text: `${r.filename}${r.account ? ` — ${r.account}` : ''}`,
        detail: r.reasons.map((m) => tr(lang, m)).join(' · ') || null,
        link: `${base}/ui/to-submit/${r.id}`,
      })),
      more: d.toSubmit.redTotal - d.toSubmit.red.length,
      link: { label: t('Ouvrir l’onglet À déposer', 'Open the To submit tab'), href: `${base}/ui/to-submit` },
    })
  }
  if (d.toProcess.total > 0) {
    sections.push({
      heading: t(`À traiter : ${d.toProcess.total} facture(s) suspendue(s), à recycler ou rejetée(s)`, `To process: ${d.toProcess.total} invoice(s) suspended, to recycle or rejected`),
      items: d.toProcess.items.map((i) => ({
        text: `${i.number} — ${tr(lang, describeStatus(i.status).label)} (${parisDay(i.statusAt, lang)})${i.recipient ? ` — ${i.recipient}` : ''}`,
        detail: i.comment ? `${t('Motif', 'Reason')}${lang === 'fr' ? ' : ' : ': '}${i.comment}` : null,
        link: `${base}/ui/tracking?show=${i.id}`,
      })),
      more: d.toProcess.total - d.toProcess.items.length,
      link: { label: t('Ouvrir l’onglet À traiter', 'Open the To process tab'), href: `${base}/ui/to-process` },
    })
  }
  if (d.errors.length > 0) {
    sections.push({
      heading: t('Erreurs', 'Errors'),
      items: d.errors.map((e) => ({ text: tr(lang, e.what), detail: e.detail, link: `${base}/ui/settings` })),
    })
  }
  if (d.passwords.length > 0) {
    sections.push({
      heading: t('Mots de passe des comptes techniques expirant sous 30 jours', 'Technical account passwords expiring within 30 days'),
      items: d.passwords.map((p) => {
        // A calendar date: read at noon UTC so that no time zone moves it to another day.
        const on = parisDay(new Date(`${p.expiresOn}T12:00:00Z`), lang)
        return {
          text: p.days < 0
            ? t(`${p.account} : expiré le ${on}`, `${p.account}: expired on ${on}`)
            : t(`${p.account} : expire le ${on} (dans ${p.days} jour(s))`, `${p.account}: expires on ${on} (in ${p.days} day(s))`),
        detail: t('Changez-le dans Chorus Pro, puis dans le compte fournisseur du connecteur.', 'Change it in Chorus Pro, then in the connector’s supplier account.'),
          link: `${base}/ui/settings`,
        }
      }),
    })
  }
  if (d.failedChecks.length > 0) {
    sections.push({
      heading: t('Contrôles de compte en échec', 'Failed account checks'),
      items: d.failedChecks.map((c) => ({ text: `${c.account}${c.step ? ` (${c.step})` : ''}`, detail: c.message ? tr(lang, c.message) : null, link: `${base}/ui/settings` })),
    })
  }
  const counts = [
    d.toSubmit.redTotal ? t(`${d.toSubmit.redTotal} à déposer`, `${d.toSubmit.redTotal} to submit`) : null,
    d.toProcess.total ? t(`${d.toProcess.total} à traiter`, `${d.toProcess.total} to process`) : null,
    d.errors.length + d.failedChecks.length ? t(`${d.errors.length + d.failedChecks.length} erreur(s)`, `${d.errors.length + d.failedChecks.length} error(s)`) : null,
    d.passwords.length ? t(`${d.passwords.length} mot(s) de passe à changer`, `${d.passwords.length} password(s) to change`) : null,
  ].filter(Boolean).join(', ')
  const day = parisDay(d.at, lang)
  return renderMail(
    lang,
    t(`Chorus Pro — résumé du ${day} : ${counts}`, `Chorus Pro — digest of ${day}: ${counts}`),
    t(`Résumé Chorus Pro du ${day}`, `Chorus Pro digest, ${day}`),
    t('Voici ce qui attend une action dans Chorus Pro Connector.', 'This is what waits for someone in Chorus Pro Connector.'),
    sections,
  )
}
