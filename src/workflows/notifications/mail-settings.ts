import type { Selectable } from 'kysely'
import type { MailRecipientsTable, MailSettingsTable } from '../../db/schema'
import { now } from '../../db/sql-now'
import type { SmtpSecurity, SmtpSettings } from '../../mail/smtp-mailer'
import type { Ports } from '../ports'

export type MailSettingsRow = Selectable<MailSettingsTable>
export type MailRecipientRow = Selectable<MailRecipientsTable>

export interface MailSettingsInput {
  readonly host: string
  readonly port: number
  readonly security: SmtpSecurity
  readonly login?: string | null | undefined
  /** A new password; omitted keeps the stored one, null removes it. */
  readonly password?: string | null | undefined
  readonly sender: string
  /** PEM certificate(s) already read by mail/ca-certificates.ts; omitted keeps the stored one, null removes it. */
  readonly caCertificate?: string | null | undefined
  readonly digestHour?: number | undefined
  readonly digestEnabled?: boolean | undefined
  readonly immediateEnabled?: boolean | undefined
}

export function getMailSettings(ports: Pick<Ports, 'db'>): Promise<MailSettingsRow | undefined> {
  return ports.db.selectFrom('mail_settings').selectAll().where('id', '=', 1).executeTakeFirst()
}

/** Saves the SMTP settings; the password is sealed with the secret box like every stored secret. */
export async function saveMailSettings(ports: Pick<Ports, 'db' | 'secrets'>, input: MailSettingsInput): Promise<MailSettingsRow> {
  const previous = await getMailSettings(ports)
  const password_enc = input.password === undefined ? (previous?.password_enc ?? null) : input.password === null ? null : ports.secrets.seal(input.password)
  const values = {
    host: input.host,
    port: input.port,
    security: input.security,
    login: input.login ?? null,
    password_enc,
    sender: input.sender,
    ca_certificate: input.caCertificate === undefined ? (previous?.ca_certificate ?? null) : input.caCertificate,
    digest_hour: input.digestHour ?? previous?.digest_hour ?? 8,
    digest_enabled: input.digestEnabled ?? previous?.digest_enabled ?? true,
    immediate_enabled: input.immediateEnabled ?? previous?.immediate_enabled ?? true,
    updated_at: now(),
  }
  return ports.db
    .insertInto('mail_settings')
    .values({ id: 1, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** What the mailer needs, the password opened only now. */
export function smtpSettingsOf(ports: Pick<Ports, 'secrets'>, row: MailSettingsRow): SmtpSettings {
  return { host: row.host, port: row.port, security: row.security, login: row.login, password: row.password_enc ? ports.secrets.open(row.password_enc) : null, sender: row.sender, ca: row.ca_certificate }
}

export interface RecipientInput {
  readonly email: string
  readonly name?: string | null | undefined
  readonly lang?: 'fr' | 'en' | undefined
  readonly accountId?: string | null | undefined
  readonly role: 'operator' | 'admin'
  readonly digest?: boolean | undefined
  readonly immediate?: boolean | undefined
}

export function listRecipients(ports: Pick<Ports, 'db'>): Promise<MailRecipientRow[]> {
  return ports.db.selectFrom('mail_recipients').selectAll().orderBy('id').execute()
}

export function addRecipient(ports: Pick<Ports, 'db'>, r: RecipientInput): Promise<MailRecipientRow> {
  return ports.db
    .insertInto('mail_recipients')
    .values({ email: r.email, name: r.name ?? null, lang: r.lang ?? 'fr', account_id: r.accountId ?? null, role: r.role, digest: r.digest ?? true, immediate: r.immediate ?? true })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function removeRecipient(ports: Pick<Ports, 'db'>, id: string): Promise<boolean> {
  const r = await ports.db.deleteFrom('mail_recipients').where('id', '=', id).executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}
