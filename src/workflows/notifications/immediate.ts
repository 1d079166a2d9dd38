import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../../db/schema'
import type { SourceRow } from '../../db/sources'
import { describeStatus } from '../../domain/invoice-status'
import { RetryLaterError } from '../jobs'
import type { Ports } from '../ports'
import { getMailSettings, type MailRecipientRow } from './mail-settings'
import { parisMoment, renderMail, tr, type Lang, type RenderedMail } from './render-mail'
import { queueMail } from './send-mail'

/** At most one immediate e-mail per subject (a supplier account's rejections, one source) in this time. */
export const IMMEDIATE_INTERVAL_MS = 3600_000

export interface RejectionData {
  readonly invoiceId: string
  readonly invoiceNumber: string
  readonly chorusInvoiceId: string
  readonly status: string
  readonly statusAt: string
  readonly comment: string | null
  readonly account: string
}

export interface SourceFailedData {
  readonly sourceId: string
  readonly source: string
  readonly kind: string
  readonly error: string
  readonly since: string
}

type Executor = Kysely<DB> | Transaction<DB>

async function raise(ports: Pick<Ports, 'jobs'>, db: Executor, kind: 'rejection' | 'source_failed', subject: string, accountId: string | null, data: object): Promise<void> {
  await db.insertInto('notification_events').values({ subject, kind, account_id: accountId, data: JSON.stringify(data) }).execute()
  await ports.jobs.enqueue('notifications.immediate', { subject }, { within: db })
}

/** An invoice was rejected: its account's admins and operators hear of it (grouped per account, at most hourly). */
export function notifyRejection(ports: Pick<Ports, 'jobs'>, db: Executor, accountId: string, data: RejectionData): Promise<void> {
  return raise(ports, db, 'rejection', `rejection:account:${accountId}`, accountId, data)
}

/**
 * After each scan: a source whose scan failed while it worked before raises an immediate e-mail to
 * the admins; its next good scan clears the failure (and a later failure raises one again).
 */
export async function noteSourceHealth(ports: Pick<Ports, 'db' | 'jobs' | 'now'>, source: SourceRow, error: string | null): Promise<void> {
  if (error === null) {
    await ports.db.deleteFrom('source_health').where('source_id', '=', source.id).execute()
    return
  }
  await ports.db.transaction().execute(async (trx) => {
    const inserted = await trx.insertInto('source_health').values({ source_id: source.id, error: error.slice(0, 2000) }).onConflict((oc) => oc.column('source_id').doNothing()).returning('failing_since').executeTakeFirst()
    if (!inserted) return
    const data: SourceFailedData = { sourceId: source.id, source: source.name, kind: source.kind, error: error.slice(0, 1000), since: inserted.failing_since.toISOString() }
    await raise(ports, trx, 'source_failed', `source:${source.id}`, null, data)
  })
}

function rejectionMail(lang: Lang, events: RejectionData[], publicUrl: string): RenderedMail {
  const t = (fr: string, en: string) => tr(lang, { fr, en })
  const base = publicUrl.replace(/\/$/, '')
  const account = events[0]!.account
  const n = events.length
  return renderMail(
    lang,
    n === 1
      ? t(`Chorus Pro : facture ${events[0]!.invoiceNumber} rejetée (${account})`, `Chorus Pro: invoice ${events[0]!.invoiceNumber} rejected (${account})`)
      : t(`Chorus Pro : ${n} factures rejetées (${account})`, `Chorus Pro: ${n} invoices rejected (${account})`),
    t('Facture rejetée par son destinataire', 'Invoice rejected by its recipient'),
    t(`Chorus Pro a rejeté ${n} facture(s) de ${account}. Une facture rejetée ne se corrige pas : émettez un avoir et/ou une facture de remplacement, puis marquez-la traitée.`, `Chorus Pro rejected ${n} invoice(s) of ${account}. A rejected invoice cannot be corrected: issue a credit note and/or a replacement invoice, then mark it handled.`),
    [{
      heading: t('Factures rejetées', 'Rejected invoices'),
      items: events.map((e) => ({
        text: `${e.invoiceNumber} — ${tr(lang, describeStatus(e.status).label)} (${parisMoment(new Date(e.statusAt), lang)}) — ${t('n° Chorus Pro', 'Chorus Pro no.')} ${e.chorusInvoiceId}`,
        detail: e.comment ? `${t('Motif', 'Reason')}${lang === 'fr' ? ' : ' : ': '}${e.comment}` : null,
        link: `${base}/ui/tracking?show=${e.invoiceId}`,
      })),
      link: { label: t('Ouvrir l’onglet À traiter', 'Open the To process tab'), href: `${base}/ui/to-process` },
    }],
  )
}

function sourceMail(lang: Lang, e: SourceFailedData, publicUrl: string): RenderedMail {
  const t = (fr: string, en: string) => tr(lang, { fr, en })
  return renderMail(
    lang,
    t(`Chorus Pro Connector : la source « ${e.source} » ne fonctionne plus`, `Chorus Pro Connector: the source "${e.source}" stopped working`),
    t('Une source ne fonctionne plus', 'A source stopped working'),
    t(`Depuis le ${parisMoment(new Date(e.since), 'fr')}, la source « ${e.source} » (${e.kind}) ne peut plus être lue : aucun nouveau document n’en arrive. Les documents déjà reçus ne sont pas touchés.`, `Since ${parisMoment(new Date(e.since), 'en')}, the source "${e.source}" (${e.kind}) cannot be read: no new document arrives from it. Documents already received are not affected.`),
    [{ heading: t('Erreur', 'Error'), items: [{ text: e.error, link: `${publicUrl.replace(/\/$/, '')}/ui/settings` }] }],
  )
}

function wants(r: MailRecipientRow, kind: 'rejection' | 'source_failed', accountId: string | null): boolean {
  if (!r.immediate) return false
  if (kind === 'source_failed') return r.role === 'admin'
  return r.account_id === null || r.account_id === accountId
}

/**
 * The `notifications.immediate` job for one subject: the events not mailed yet go out in one e-mail per
 * recipient, at most once an hour per subject (earlier, the job comes back when the hour is over,
 * without spending an attempt; events arriving meanwhile join it). Nothing configured, or nobody to
 * tell: the events are marked done, nothing is sent.
 */
export async function runImmediate(ports: Ports, subject: string, publicUrl: string): Promise<{ mails: number; events: number }> {
  const settings = await getMailSettings(ports)
  const now = ports.now()
  return ports.db.transaction().execute(async (trx) => {
    const events = await trx.selectFrom('notification_events').selectAll().where('subject', '=', subject).where('mailed_at', 'is', null).orderBy('id').forUpdate().execute()
    if (events.length === 0) return { mails: 0, events: 0 }
    const markDone = () => trx.updateTable('notification_events').set({ mailed_at: now }).where('id', 'in', events.map((e) => e.id)).execute()
    if (!settings || !settings.immediate_enabled) {
      await markDone()
      return { mails: 0, events: events.length }
    }
    const last = await trx.selectFrom('mail_outbox').select(sql<Date | null>`max(created_at)`.as('at')).where('subject_key', '=', subject).executeTakeFirst()
    const lastAt = last?.at ? new Date(last.at) : undefined
    if (lastAt && now.getTime() - lastAt.getTime() < IMMEDIATE_INTERVAL_MS) {
      throw new RetryLaterError(`an e-mail about ${subject} went out at ${lastAt.toISOString()}: the next one waits for the hour`, IMMEDIATE_INTERVAL_MS - (now.getTime() - lastAt.getTime()) + 1000)
    }
    const kind = events[0]!.kind
    const accountId = events[0]!.account_id
    const recipients = (await trx.selectFrom('mail_recipients').selectAll().orderBy('id').execute()).filter((r) => wants(r, kind, accountId))
    let mails = 0
    for (const r of recipients) {
      const mail = kind === 'rejection'
        ? rejectionMail(r.lang, events.map((e) => e.data as unknown as RejectionData), publicUrl)
        : sourceMail(r.lang, events.at(-1)!.data as unknown as SourceFailedData, publicUrl)
      await queueMail(ports, trx, { kind, subjectKey: subject, to: r.email, lang: r.lang, mail })
      mails++
    }
    await markDone()
    return { mails, events: events.length }
  })
}

/** Subjects with events still waiting (a job lost to a race, or kept back by the hourly limit): their job is enqueued again. */
export async function enqueueWaitingImmediates(ports: Pick<Ports, 'db' | 'jobs'>): Promise<number> {
  const rows = await ports.db.selectFrom('notification_events').select('subject').distinct().where('mailed_at', 'is', null).execute()
  for (const r of rows) await ports.jobs.enqueue('notifications.immediate', { subject: r.subject })
  return rows.length
}
