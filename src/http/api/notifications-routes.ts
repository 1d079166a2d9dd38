import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import { audit } from '../../db/audit'
import { readCaCertificates } from '../../mail/ca-certificates'
import type { Mailer } from '../../mail/smtp-mailer'
import { collectDigest, renderDigest } from '../../workflows/notifications/digest'
import { addRecipient, getMailSettings, listRecipients, removeRecipient, saveMailSettings, type MailRecipientRow, type MailSettingsRow } from '../../workflows/notifications/mail-settings'
import { queueDigests } from '../../workflows/notifications/run-digest'
import { retryMail } from '../../workflows/notifications/retry-mail'
import { listOutbox, sendTestMail, type OutboxRow } from '../../workflows/notifications/send-mail'
import type { Ports } from '../../workflows/ports'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'

const email = z.string().trim().email('expected an e-mail address').max(254)
/** "Name <address>" or a bare address. */
const sender = z.string().trim().min(3).max(300).refine((s) => /^[^<>]*<[^<>@\s]+@[^<>@\s]+>$|^[^<>@\s]+@[^<>@\s]+$/.test(s), { message: 'expected an address, or a name and <address>' })

const SettingsInput = z
  .object({
    host: z.string().trim().min(1).max(255).regex(/^[A-Za-z0-9.:[\]-]+$/, 'expected a host name or an IP address'),
    port: z.number().int().min(1).max(65535),
    security: z.enum(['starttls', 'tls', 'none']).openapi({ description: 'starttls: plain connection upgraded, required (587); tls: TLS from the start (465); none: no encryption (a relay on loopback only)' }),
    login: z.string().trim().min(1).max(255).nullable().optional(),
    password: z.string().min(1).max(1000).nullable().optional().openapi({ description: 'Write-only, stored sealed. Omitted: the stored one is kept; null: removed.' }),
    sender,
    caCertificate: z.string().max(65_536).nullable().optional().openapi({ description: 'PEM certificate(s) of an SMTP server of your own (self-signed, or signed by your company’s authority), trusted for this server instead of the public authorities. Omitted: the stored one is kept; null: removed.' }),
    digestHour: z.number().int().min(0).max(23).optional().openapi({ description: 'The hour of the daily digest, Europe/Paris (default 8)' }),
    digestEnabled: z.boolean().optional(),
    immediateEnabled: z.boolean().optional(),
  })
  .strict()

const SettingsSchema = z
  .object({
    configured: z.boolean(),
    host: z.string().nullable(),
    port: z.number().nullable(),
    security: z.string().nullable(),
    login: z.string().nullable(),
    hasPassword: z.boolean(),
    sender: z.string().nullable(),
    caCertificate: z.string().nullable().openapi({ description: 'The PEM trusted for this server, or null (public authorities)' }),
    caCertificates: z.array(z.object({ subject: z.string(), validTo: z.string() })).openapi({ description: 'Who each trusted certificate names, and until when it is valid' }),
    digestHour: z.number(),
    digestEnabled: z.boolean(),
    immediateEnabled: z.boolean(),
    lastDigestOn: z.string().nullable(),
    timezone: z.literal('Europe/Paris'),
  })
  .openapi('MailSettings')

function trusted(pem: string | null) {
  // An expired one still says who it names (the expiry check is for what is pasted now).
  const r = pem ? readCaCertificates(pem, null) : undefined
  return r?.ok ? r.certificates.map((c) => ({ subject: c.subject, validTo: c.validTo.toISOString() })) : []
}

function presentSettings(s: MailSettingsRow | undefined) {
  return {
    configured: s !== undefined,
    host: s?.host ?? null,
    port: s?.port ?? null,
    security: s?.security ?? null,
    login: s?.login ?? null,
    hasPassword: typeof s?.password_enc === 'string',
    sender: s?.sender ?? null,
    caCertificate: s?.ca_certificate ?? null,
    caCertificates: trusted(s?.ca_certificate ?? null),
    digestHour: s?.digest_hour ?? 8,
    digestEnabled: s?.digest_enabled ?? true,
    immediateEnabled: s?.immediate_enabled ?? true,
    lastDigestOn: s?.last_digest_on ?? null,
    timezone: 'Europe/Paris' as const,
  }
}

const RecipientInput = z
  .object({
    email,
    name: z.string().trim().min(1).max(200).nullable().optional(),
    lang: z.enum(['fr', 'en']).default('fr'),
    accountId: z.string().regex(/^\d{1,18}$/).nullable().optional().openapi({ description: 'A supplier account; absent or null: every account' }),
    role: z.enum(['operator', 'admin']).openapi({ description: 'operator: documents to complete, invoices to process, rejections; admin: also errors, sources that stop working, password expiry, failed account checks' }),
    digest: z.boolean().default(true),
    immediate: z.boolean().default(true),
  })
  .strict()
const RecipientSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string().nullable(), lang: z.enum(['fr', 'en']), accountId: z.string().nullable(), role: z.enum(['operator', 'admin']), digest: z.boolean(), immediate: z.boolean(), createdAt: z.string() })
  .openapi('MailRecipient')
const presentRecipient = (r: MailRecipientRow) => ({ id: r.id, email: r.email, name: r.name, lang: r.lang, accountId: r.account_id, role: r.role, digest: r.digest, immediate: r.immediate, createdAt: r.created_at.toISOString() })

const OutboxSchema = z
  .object({ id: z.string(), kind: z.string(), recipient: z.string(), lang: z.string(), subject: z.string(), state: z.enum(['pending', 'sent', 'failed']), attempts: z.number(), lastError: z.string().nullable(), messageId: z.string().nullable(), createdAt: z.string(), sentAt: z.string().nullable() })
  .openapi('MailOutboxMessage')
const presentOutbox = (o: OutboxRow) => ({ id: o.id, kind: o.kind, recipient: o.recipient, lang: o.lang, subject: o.subject, state: o.state, attempts: o.attempts, lastError: o.last_error, messageId: o.message_id, createdAt: o.created_at.toISOString(), sentAt: o.sent_at?.toISOString() ?? null })

const IdParam = z.object({ id: z.string().regex(/^\d{1,18}$/, 'expected a numeric id') })

/**
 * Admin: e-mail notifications (issue 16). SMTP settings (the password write-only, sealed), recipients
 * per supplier account and role, a test e-mail sent at once, the daily digest (queued now, or previewed
 * as HTML), and the outbox with each message's state and last error.
 */
export function notificationsRoutes(ports: Ports, mailer: Mailer, publicUrl: () => string) {
  const app = apiRouter()
  const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } })

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/notifications/settings', tags: ['admin'], summary: 'SMTP settings and digest hour (the password is never returned: hasPassword)', responses: { 200: { description: 'Settings', content: json(SettingsSchema) } } }),
    async (c) => c.json(presentSettings(await getMailSettings(ports)), 200),
  )

  app.openapi(
    apiRoute('admin', { method: 'put', path: '/notifications/settings', tags: ['admin'], summary: 'Save the SMTP settings (host, port, starttls|tls|none, login, password sealed, sender) and the digest hour', request: { body: { required: true, content: json(SettingsInput) } }, responses: { 200: { description: 'Saved', content: json(SettingsSchema) } } }),
    async (c) => {
      const body = c.req.valid('json')
      if (body.login && body.password === undefined && !(await getMailSettings(ports))?.password_enc) {
        throw new AppError(400, 'mail_password_missing', { fr: 'Un identifiant SMTP sans mot de passe : donnez le mot de passe.', en: 'An SMTP login without a password: give the password.' }, [{ field: 'password', message: 'required with a login' }])
      }
      let caCertificate = body.caCertificate
      if (typeof caCertificate === 'string') {
        const read = readCaCertificates(caCertificate)
        if (!read.ok) throw new AppError(400, 'mail_ca_certificate_invalid', read.problem, [{ field: 'caCertificate', message: read.problem.en }])
        caCertificate = read.pem
      }
      const saved = await saveMailSettings(ports, { ...body, caCertificate })
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'notifications.settings', targetType: 'mail_settings', targetId: '1', details: { changed: Object.keys(body).filter((k) => k !== 'password'), password: body.password === undefined ? 'kept' : body.password === null ? 'removed' : 'changed' } })
      return c.json(presentSettings(saved), 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/notifications/recipients', tags: ['admin'], summary: 'Who receives the digest and the immediate e-mails', responses: { 200: { description: 'Recipients', content: json(z.object({ items: z.array(RecipientSchema) })) } } }),
    async (c) => c.json({ items: (await listRecipients(ports)).map(presentRecipient) }, 200),
  )

  app.openapi(
    apiRoute('admin', { method: 'post', path: '/notifications/recipients', tags: ['admin'], summary: 'Add a recipient (per supplier account or all, per role, French or English)', request: { body: { required: true, content: json(RecipientInput) } }, responses: { 201: { description: 'Added', content: json(RecipientSchema) }, 400: { description: 'Unknown account' } } }),
    async (c) => {
      const body = c.req.valid('json')
      if (body.accountId && !(await ports.db.selectFrom('accounts').select('id').where('id', '=', body.accountId).executeTakeFirst())) {
        throw new AppError(400, 'unknown_account', { fr: `Compte fournisseur ${body.accountId} inconnu.`, en: `Unknown supplier account ${body.accountId}.` }, [{ field: 'accountId', message: 'unknown account' }])
      }
      const r = await addRecipient(ports, body)
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'notifications.recipient.add', targetType: 'mail_recipient', targetId: r.id, details: { role: r.role, accountId: r.account_id } })
      return c.json(presentRecipient(r), 201)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'delete', path: '/notifications/recipients/{id}', tags: ['admin'], summary: 'Remove a recipient', request: { params: IdParam }, responses: { 204: { description: 'Removed' }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      if (!(await removeRecipient(ports, id))) throw new AppError(404, 'recipient_not_found', { fr: `Destinataire ${id} introuvable.`, en: `Recipient ${id} not found.` })
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'notifications.recipient.remove', targetType: 'mail_recipient', targetId: id })
      return c.body(null, 204)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'post', path: '/notifications/test', tags: ['admin'], summary: 'Send a test e-mail now with the saved settings; answers whether it went (and the error when not)', request: { body: { required: true, content: json(z.object({ to: email, lang: z.enum(['fr', 'en']).default('fr') }).strict()) } }, responses: { 200: { description: 'The attempt', content: json(OutboxSchema) }, 409: { description: 'No SMTP settings' } } }),
    async (c) => {
      const { to, lang } = c.req.valid('json')
      return c.json(presentOutbox(await sendTestMail(ports, mailer, to, lang, publicUrl())), 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'post', path: '/notifications/digest', tags: ['admin'], summary: 'Queue today’s digest for every recipient now (outside the daily hour); nobody with nothing to be told gets one', responses: { 202: { description: 'Queued', content: json(z.object({ queued: z.number() })) } } }),
    async (c) => c.json({ queued: await queueDigests(ports, publicUrl()) }, 202),
  )

  app.openapi(
    apiRoute('admin', {
      method: 'get',
      path: '/notifications/digest/preview',
      tags: ['admin'],
      summary: 'The digest as it would be sent now, as HTML (or text), for a language, an account and a role',
      request: { query: z.object({ lang: z.enum(['fr', 'en']).default('fr'), accountId: z.string().regex(/^\d{1,18}$/).optional(), role: z.enum(['operator', 'admin']).default('admin'), format: z.enum(['html', 'text']).default('html') }) },
      responses: { 200: { description: 'The digest', content: { 'text/html': { schema: z.string() }, 'text/plain': { schema: z.string() } } }, 204: { description: 'Nothing to say' } },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const mail = renderDigest(await collectDigest(ports, { accountId: q.accountId ?? null, role: q.role }), q.lang, publicUrl())
      if (!mail) return c.body(null, 204)
      return q.format === 'text' ? c.text(mail.text, 200) : c.html(mail.html, 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/notifications/outbox', tags: ['admin'], summary: 'E-mails sent, waiting or failed, newest first, with attempts and last error', request: { query: z.object({ state: z.enum(['pending', 'sent', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }) }, responses: { 200: { description: 'Messages', content: json(z.object({ items: z.array(OutboxSchema) })) } } }),
    async (c) => {
      const q = c.req.valid('query')
      return c.json({ items: (await listOutbox(ports, { ...(q.state ? { state: q.state } : {}), limit: q.limit })).map(presentOutbox) }, 200)
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'post',
      path: '/notifications/outbox/{id}/retry',
      tags: ['admin'],
      summary: 'Send again an e-mail that failed after its last attempt (once the SMTP server or the settings are fixed), with a fresh set of attempts',
      request: { params: IdParam },
      responses: { 202: { description: 'Queued', content: json(OutboxSchema) }, 404: { description: 'Not found' }, 409: { description: 'Not failed (sent or still being attempted)' } },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      return c.json(presentOutbox(await retryMail(ports, id, actorOf(c.get('apiKey')))), 202)
    },
  )
  return app
}
