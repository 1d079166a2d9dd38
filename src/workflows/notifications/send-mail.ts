import type { Kysely, Selectable, Transaction } from 'kysely'
import type { DB, MailOutboxTable } from '../../db/schema'
import { MailError, type Mailer } from '../../mail/smtp-mailer'
import { AppError } from '../../domain/app-error'
import type { JobRun } from '../jobs'
import type { Ports } from '../ports'
import { getMailSettings, smtpSettingsOf } from './mail-settings'
import { renderMail, type Lang, type RenderedMail } from './render-mail'

export type OutboxRow = Selectable<MailOutboxTable>

/** Puts one message in the outbox and enqueues its sending, in the caller's transaction. */
export async function queueMail(ports: Pick<Ports, 'jobs'>, db: Kysely<DB> | Transaction<DB>, m: { kind: OutboxRow['kind']; subjectKey: string | null; to: string; lang: Lang; mail: RenderedMail }): Promise<string> {
  const row = await db
    .insertInto('mail_outbox')
    .values({ kind: m.kind, subject_key: m.subjectKey, recipient: m.to, lang: m.lang, subject: m.mail.subject, text_body: m.mail.text, html_body: m.mail.html })
    .returning('id')
    .executeTakeFirstOrThrow()
  await ports.jobs.enqueue('mail.send', { outboxId: row.id }, { within: db })
  return row.id
}

const headersOf = (lang: string) => ({ 'Content-Language': lang, 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' })

async function deliver(ports: Ports, mailer: Mailer, row: OutboxRow): Promise<string> {
  const settings = await getMailSettings(ports)
  if (!settings) throw new MailError('no SMTP settings: PUT /api/v1/notifications/settings first', 'ENOCONFIG')
  const r = await mailer.send(smtpSettingsOf(ports, settings), { to: row.recipient, subject: row.subject, text: row.text_body, html: row.html_body, headers: headersOf(row.lang) })
  return r.messageId
}

/**
 * The `mail.send` job: one outbox message over SMTP. A failure is kept on the row (attempts, last
 * error, never the password) and retried by the queue with backoff; after the last attempt the row is
 * `failed`, listed by GET /api/v1/notifications/outbox and counted in the next admin digest.
 */
export async function runSendMail(ports: Ports, mailer: Mailer, outboxId: string, run: Pick<JobRun, 'lastAttempt'>): Promise<{ state: OutboxRow['state'] }> {
  const row = await ports.db.selectFrom('mail_outbox').selectAll().where('id', '=', outboxId).executeTakeFirst()
  if (!row || row.state === 'sent') return { state: row?.state ?? 'sent' }
  try {
    const messageId = await deliver(ports, mailer, row)
    await ports.db.updateTable('mail_outbox').set({ state: 'sent', message_id: messageId, attempts: row.attempts + 1, last_error: null, sent_at: ports.now() }).where('id', '=', row.id).execute()
    return { state: 'sent' }
  } catch (e) {
    const message = e instanceof MailError ? e.message : 'unexpected error while sending (see the service log)'
    await ports.db.updateTable('mail_outbox').set({ state: run.lastAttempt ? 'failed' : 'pending', attempts: row.attempts + 1, last_error: message }).where('id', '=', row.id).execute()
    ports.logger.warn({ outboxId: row.id, kind: row.kind, err: message, code: e instanceof MailError ? e.code : undefined, lastAttempt: run.lastAttempt }, 'e-mail not sent')
    throw e instanceof MailError ? e : new MailError(message, undefined)
  }
}

/**
 * "Send a test e-mail": sent at once (not queued) so the answer says whether the settings work, and
 * kept in the outbox like any message.
 */
export async function sendTestMail(ports: Ports, mailer: Mailer, to: string, lang: Lang, publicUrl: string): Promise<OutboxRow> {
  if (!(await getMailSettings(ports))) throw new AppError(409, 'mail_not_configured', { fr: 'Aucun réglage SMTP : enregistrez-les d’abord.', en: 'No SMTP settings: save them first.' })
  const t = (fr: string, en: string) => (lang === 'fr' ? fr : en)
  const mail = renderMail(
    lang,
    t('Chorus Pro Connector : e-mail de test', 'Chorus Pro Connector: test e-mail'),
    t('E-mail de test', 'Test e-mail'),
    t('Les réglages SMTP fonctionnent : cet e-mail est bien arrivé.', 'The SMTP settings work: this e-mail arrived.'),
    [{ heading: t('Liens', 'Links'), items: [{ text: t('Paramètres', 'Settings'), link: `${publicUrl.replace(/\/$/, '')}/ui/settings` }] }],
  )
  const row = await ports.db
    .insertInto('mail_outbox')
    .values({ kind: 'test', subject_key: null, recipient: to, lang, subject: mail.subject, text_body: mail.text, html_body: mail.html })
    .returningAll()
    .executeTakeFirstOrThrow()
  try {
    const messageId = await deliver(ports, mailer, row)
    return await ports.db.updateTable('mail_outbox').set({ state: 'sent', message_id: messageId, attempts: 1, sent_at: ports.now() }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow()
  } catch (e) {
    const message = e instanceof MailError ? e.message : 'unexpected error while sending (see the service log)'
    if (!(e instanceof MailError)) ports.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'test e-mail failed')
    return ports.db.updateTable('mail_outbox').set({ state: 'failed', attempts: 1, last_error: message }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow()
  }
}

export function listOutbox(ports: Pick<Ports, 'db'>, opts: { state?: OutboxRow['state']; limit?: number } = {}): Promise<OutboxRow[]> {
  let q = ports.db.selectFrom('mail_outbox').selectAll().orderBy('id', 'desc').limit(opts.limit ?? 100)
  if (opts.state) q = q.where('state', '=', opts.state)
  return q.execute()
}
