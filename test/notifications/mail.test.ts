import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { invoicePdf } from '../support/invoice-pdf'
import { createSmtpMailer, MailError } from '../../src/mail/smtp-mailer'
import { readCaCertificates } from '../../src/mail/ca-certificates'

const SMTP_LOGIN = 'connector-mailer'
const SMTP_PASSWORD = 'smtp-Pa55word-never-shown-0123'
const SECRET_KEY = randomBytes(32).toString('hex')
const PUBLIC_URL = 'https://factures.example.org/connecteur'

interface Received {
  readonly raw: string
  readonly parsed: ParsedMail
  readonly envelopeTo: string[]
}

/** A self-signed certificate for 127.0.0.1, made by openssl as an admin would for an internal relay. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-cert-'))
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=relais.interne', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
}

/**
 * A real SMTP server on loopback (smtp-server, the Nodemailer project's server library): it checks
 * the login and password, stores every message it accepts raw, and can refuse the next messages with
 * a temporary error.
 */
async function startSmtp(tls?: { key: string; cert: string }) {
  const received: Received[] = []
  let refuseNext = 0
  const authAttempts: string[] = []
  const server = new SMTPServer({
    ...(tls ? { secure: true, key: tls.key, cert: tls.cert } : { secure: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true }),
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      authAttempts.push(auth.username ?? '')
      if (auth.username === SMTP_LOGIN && auth.password === SMTP_PASSWORD) return cb(null, { user: auth.username })
      return cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', async () => {
        if (refuseNext > 0) {
          refuseNext--
          return cb(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }))
        }
        const raw = Buffer.concat(chunks).toString('utf8')
        received.push({ raw, parsed: await simpleParser(raw), envelopeTo: session.envelope.rcptTo.map((r) => r.address) })
        cb()
      })
    },
  })
  // A client that refuses the server's certificate closes the socket mid-handshake: expected here, not a failure of the server.
  server.on('error', () => {})
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    authAttempts,
    refuse: (n: number) => { refuseNext = n },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

describe('the SMTP adapter', () => {
  it('never sends the login in clear when STARTTLS is required and the server does not offer it', async () => {
    const smtp = await startSmtp()
    try {
      const mailer = createSmtpMailer()
      const settings = { host: '127.0.0.1', port: smtp.port, login: SMTP_LOGIN, password: SMTP_PASSWORD, sender: 'chorus@example.org', timeoutMs: 5000 }
      const mail = { to: 'admin@example.org', subject: 'x', text: 'x', html: '<p>x</p>' }
      const err = await mailer.send({ ...settings, security: 'starttls' }, mail).then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(MailError)
      expect((err as MailError).message).not.toContain(SMTP_PASSWORD)
      expect(smtp.authAttempts).toEqual([])
      expect(smtp.received).toEqual([])
      // The same server with security 'none' (a relay on loopback): it goes.
      expect((await mailer.send({ ...settings, security: 'none' }, mail)).messageId).toMatch(/@/)
      expect(smtp.authAttempts).toEqual([SMTP_LOGIN])
    } finally {
      await smtp.close()
    }
  })
})

/**
 * Issue 16, items 4–6: SMTP settings, recipients, the digest (French, English per recipient) with links
 * into the tab pages, immediate e-mails for a rejection or a source that stopped working (at most one an
 * hour per subject), a failed send retried by the queue and visible, a test e-mail; read back from a
 * real SMTP server: headers, both languages, links, and no secret anywhere.
 */
describe.each(testEngines())('e-mail notifications on $name', (engine) => {
  let t: TestDatabase | undefined
  let s: TestService
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  beforeAll(async () => {
    smtp = await startSmtp()
    t = engine.name === 'postgres' ? await engine.open() : undefined
    s = await startTestService({ PUBLIC_URL, CONNECTOR_SECRET_KEY: SECRET_KEY, ...(t?.url ? { DATABASE_URL: t.url } : {}) })
    expect((await s.sandbox('/clock', { method: 'POST', json: { paused: true } })).status).toBe(200)
  }, 60_000)
  afterAll(async () => {
    await s?.stop()
    await t?.close()
    await smtp?.close()
  })

  const db = () => s.service.database.db
  const json = async (path: string, init?: RequestInit & { json?: unknown }) => {
    const res = await s.api(path, init)
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) }
  }
  const mailsTo = (to: string) => smtp.received.filter((m) => m.envelopeTo.includes(to))
  const noSecret = (text: string) => {
    for (const secret of [SMTP_PASSWORD, SECRET_KEY, Buffer.from(SECRET_KEY, 'hex').toString('base64'), s.adminKey]) expect(text).not.toContain(secret)
  }
  let demoAccountId: string

  it('keeps the SMTP settings with the password sealed and never shown, and sends a test e-mail', async () => {
    expect((await json('/notifications/test', { method: 'POST', json: { to: 'admin@example.org' } })).status).toBe(409)
    const put = await json('/notifications/settings', { method: 'PUT', json: { host: '127.0.0.1', port: smtp.port, security: 'none', login: SMTP_LOGIN, password: SMTP_PASSWORD, sender: 'Chorus Pro Connector <chorus@example.org>', digestHour: 7 } })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    expect(put.body).toMatchObject({ configured: true, host: '127.0.0.1', security: 'none', login: SMTP_LOGIN, hasPassword: true, digestHour: 7, timezone: 'Europe/Paris' })
    noSecret(JSON.stringify(put.body))
    const row = await db().selectFrom('mail_settings').selectAll().executeTakeFirstOrThrow()
    expect(row.password_enc).toMatch(/^v1\./)
    expect(row.password_enc).not.toContain(SMTP_PASSWORD)
    // A change without the password keeps it.
    expect((await json('/notifications/settings', { method: 'PUT', json: { host: '127.0.0.1', port: smtp.port, security: 'none', login: SMTP_LOGIN, sender: 'Chorus Pro Connector <chorus@example.org>' } })).body.hasPassword).toBe(true)

    const test = await json('/notifications/test', { method: 'POST', json: { to: 'admin@example.org', lang: 'fr' } })
    expect(test.body, JSON.stringify(test.body)).toMatchObject({ kind: 'test', state: 'sent', attempts: 1, lastError: null })
    const [m] = mailsTo('admin@example.org')
    expect(m!.parsed.subject).toBe('Chorus Pro Connector : e-mail de test')
    expect(m!.parsed.from?.value[0]).toMatchObject({ name: 'Chorus Pro Connector', address: 'chorus@example.org' })
    expect(m!.parsed.headers.get('content-language')).toBe('fr')
    expect(m!.parsed.headers.get('auto-submitted')).toBe('auto-generated')
    expect(m!.parsed.html).toContain(`href="${PUBLIC_URL}/ui/settings"`)
    expect(smtp.authAttempts).toContain(SMTP_LOGIN)
    noSecret(m!.raw)

    // A wrong password: the answer says so, without the password.
    const wrong = 'Wrong-Password-0987654321'
    await json('/notifications/settings', { method: 'PUT', json: { host: '127.0.0.1', port: smtp.port, security: 'none', login: SMTP_LOGIN, password: wrong, sender: 'chorus@example.org' } })
    const refused = await json('/notifications/test', { method: 'POST', json: { to: 'admin@example.org', lang: 'en' } })
    expect(refused.body).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/535|auth/i) })
    expect(JSON.stringify(refused.body)).not.toContain(wrong)
    await json('/notifications/settings', { method: 'PUT', json: { host: '127.0.0.1', port: smtp.port, security: 'none', login: SMTP_LOGIN, password: SMTP_PASSWORD, sender: 'Chorus Pro Connector <chorus@example.org>', digestHour: 7 } })
  })

  it('sends no digest when there is nothing to say', async () => {
    const accounts = (await json('/accounts')).body.items
    demoAccountId = accounts.find((a: any) => a.isDemo).id
    expect((await json('/notifications/recipients', { method: 'POST', json: { email: 'admin@example.org', role: 'admin' } })).status).toBe(201)
    expect((await json('/notifications/recipients', { method: 'POST', json: { email: 'ops@example.org', name: 'Operations', lang: 'en', role: 'operator', accountId: demoAccountId } })).status).toBe(201)
    expect((await json('/notifications/recipients', { method: 'POST', json: { email: 'x@example.org', role: 'operator', accountId: '999999' } })).status).toBe(400)
    const before = smtp.received.length
    expect((await json('/notifications/digest', { method: 'POST' })).body).toEqual({ queued: 0 })
    expect((await s.api('/notifications/digest/preview')).status).toBe(204)
    await new Promise((r) => setTimeout(r, 300))
    expect(smtp.received.length).toBe(before)
  })

  let rejectedInvoiceId: string
  let redDocumentId: string
  it('e-mails a rejection at once to the account’s people, each in their language, then at most once an hour', async () => {
    // A red document (service code missing) and a submitted invoice that Chorus Pro then rejects.
    const push = async (n: number, recipientIndex: number, filename: string) => {
      const { bytes } = await invoicePdf({ seed: n, recipientIndex, number: `F-2026-${n}`, serviceCode: null, engagement: null, serviceLabel: null })
      const form = new FormData()
      form.set('file', new File([bytes], filename, { type: 'application/pdf' }))
      const r = await s.api('/documents', { method: 'POST', body: form })
      return ((await r.json()) as any).document.id as string
    }
    redDocumentId = await push(1651, 1, 'facture-1651.pdf')
    const good = await push(1652, 0, 'facture-1652.pdf')
    await s.until(async () => (await db().selectFrom('documents').select('stage').where('id', '=', good).executeTakeFirst())?.stage === 'submitted', 40_000, 'submitted')
    await s.until(async () => (await db().selectFrom('documents').select('analysis_status').where('id', '=', redDocumentId).executeTakeFirst())?.analysis_status !== 'pending', 40_000, 'analysed')
    const invoice = await db().selectFrom('invoices').selectAll().where('document_id', '=', good).executeTakeFirstOrThrow()
    rejectedInvoiceId = invoice.id
    await s.sandbox(`/invoices/${invoice.chorus_invoice_id}/status`, { method: 'POST', json: { status: 'REJETEE', comment: 'Montant TTC erroné <voir bon de commande>' } })
    await s.api('/invoices/sync', { method: 'POST' })

    const fr = await s.until(async () => mailsTo('admin@example.org').find((m) => /rejetée/.test(m.parsed.subject ?? '')), 30_000, 'rejection e-mail (fr)')
    const en = await s.until(async () => mailsTo('ops@example.org').find((m) => /rejected/.test(m.parsed.subject ?? '')), 30_000, 'rejection e-mail (en)')
    const demoName = (await db().selectFrom('accounts').select('name').where('id', '=', demoAccountId).executeTakeFirstOrThrow()).name
    expect(fr.parsed.subject).toBe(`Chorus Pro : facture F-2026-1652 rejetée (${demoName})`)
    expect(fr.parsed.text).toContain('Motif : Montant TTC erroné <voir bon de commande>')
    expect(fr.parsed.html).toContain('Montant TTC erroné &lt;voir bon de commande&gt;')
    expect(fr.parsed.html).toContain(`href="${PUBLIC_URL}/ui/tracking?show=${invoice.id}"`)
    expect(fr.parsed.headers.get('content-language')).toBe('fr')
    expect(en.parsed.subject).toMatch(/^Chorus Pro: invoice F-2026-1652 rejected/)
    expect(en.parsed.text).toContain('Reason: Montant TTC erroné')
    expect(en.parsed.text).toContain(`${PUBLIC_URL}/ui/to-process`)
    expect(en.parsed.headers.get('content-language')).toBe('en')
    noSecret(fr.raw + en.raw)

    // A second rejection of the same account within the hour: no second e-mail now; it waits for the hour.
    const third = await push(1653, 0, 'facture-1653.pdf')
    await s.until(async () => (await db().selectFrom('documents').select('stage').where('id', '=', third).executeTakeFirst())?.stage === 'submitted', 40_000, 'submitted')
    const inv3 = await db().selectFrom('invoices').selectAll().where('document_id', '=', third).executeTakeFirstOrThrow()
    await s.sandbox(`/invoices/${inv3.chorus_invoice_id}/status`, { method: 'POST', json: { status: 'REJETEE', comment: 'Doublon' } })
    await s.api('/invoices/sync', { method: 'POST' })
    const held = await s.until(async () => {
      const j = await db().selectFrom('jobs').selectAll().where('kind', '=', 'notifications.immediate').where('state', '=', 'pending').executeTakeFirst()
      return j && j.run_at.getTime() > Date.now() + 50 * 60_000 ? j : undefined
    }, 30_000, 'the next rejection e-mail held back for the hour')
    expect(held.payload).toEqual({ subject: `rejection:account:${demoAccountId}` })
    expect(mailsTo('admin@example.org').filter((m) => /rejet/.test(m.parsed.subject ?? ''))).toHaveLength(1)
  }, 120_000)

  it('sends the daily digest: French and English, links into the tab pages, what the issue lists, no secret', async () => {
    const before = smtp.received.length
    const queued = await json('/notifications/digest', { method: 'POST' })
    expect(queued.body).toEqual({ queued: 2 })
    await s.until(async () => smtp.received.length >= before + 2, 30_000, 'two digests')
    const fr = mailsTo('admin@example.org').find((m) => /résumé/.test(m.parsed.subject ?? ''))!
    const en = mailsTo('ops@example.org').find((m) => /digest/.test(m.parsed.subject ?? ''))!
    expect(fr.parsed.subject).toMatch(/^Chorus Pro — résumé du \d{2}\/\d{2}\/\d{4} : 1 à déposer, 2 à traiter/)
    expect(en.parsed.subject).toMatch(/^Chorus Pro — digest of \d{2} \w{3} \d{4}: 1 to submit, 2 to process/)
    for (const m of [fr, en]) {
      expect(m.parsed.from?.value[0]).toMatchObject({ name: 'Chorus Pro Connector', address: 'chorus@example.org' })
      expect(m.parsed.to).toMatchObject({ value: [{ address: m.envelopeTo[0] }] })
      expect(m.parsed.text).toBeTruthy()
      expect(m.parsed.html).toBeTruthy()
      expect(m.parsed.html).toContain(`href="${PUBLIC_URL}/ui/to-submit/${redDocumentId}"`)
      expect(m.parsed.html).toContain(`href="${PUBLIC_URL}/ui/tracking?show=${rejectedInvoiceId}"`)
      expect(m.parsed.text).toContain(`${PUBLIC_URL}/ui/to-process`)
      expect(m.parsed.text).toContain('facture-1651.pdf')
      noSecret(m.raw)
    }
    expect(fr.parsed.text).toContain('À déposer : 1 document(s) à compléter ou corriger')
    expect(fr.parsed.text).toMatch(/code de service|service/i)
    expect(fr.parsed.text).toContain('Motif : Montant TTC erroné <voir bon de commande>')
    expect(en.parsed.text).toContain('To process: 2 invoice(s) suspended, to recycle or rejected')
    expect(en.parsed.text).toContain('Reason: Doublon')
    // The operator's digest has no admin sections.
    expect(en.parsed.text).not.toContain('== Errors ==')
  }, 60_000)

  it('e-mails the admins when a source stops working, once', async () => {
    const src = await json('/sources', { method: 'POST', json: { kind: 'odoo', name: 'odoo en panne', config: { url: 'http://127.0.0.1:9', apiKey: 'odoo-key-unreachable-123', timeoutMs: 1000 } } })
    expect(src.status).toBe(201)
    await s.api(`/sources/${src.body.id}/scan`, { method: 'POST' })
    const m = await s.until(async () => mailsTo('admin@example.org').find((x) => /ne fonctionne plus/.test(x.parsed.subject ?? '')), 30_000, 'source e-mail')
    expect(m.parsed.subject).toBe('Chorus Pro Connector : la source « odoo en panne » ne fonctionne plus')
    expect(m.parsed.text).toMatch(/did not answer|n'a pas répondu/)
    expect(m.parsed.text).not.toContain('odoo-key-unreachable-123')
    expect(mailsTo('ops@example.org').some((x) => /source/.test(x.parsed.subject ?? ''))).toBe(false)
    // Failing again is the same failure: no new e-mail.
    await s.api(`/sources/${src.body.id}/scan`, { method: 'POST' })
    await new Promise((r) => setTimeout(r, 1500))
    expect(mailsTo('admin@example.org').filter((x) => /ne fonctionne plus/.test(x.parsed.subject ?? ''))).toHaveLength(1)
    await json(`/sources/${src.body.id}`, { method: 'PATCH', json: { enabled: false } })
  }, 60_000)

  it('retries a send the SMTP server refuses, and shows its error until it goes', async () => {
    smtp.refuse(1)
    const before = smtp.received.length
    expect((await json('/notifications/digest', { method: 'POST' })).body.queued).toBe(2)
    const failing = await s.until(async () => (await json('/notifications/outbox?state=pending')).body.items.find((o: any) => o.attempts >= 1 && o.lastError), 30_000, 'a failed attempt')
    expect(failing.lastError).toMatch(/451|busy/i)
    noSecret(JSON.stringify(failing))
    await s.until(async () => smtp.received.length >= before + 2, 30_000, 'both digests, the refused one retried')
    const sent = (await json('/notifications/outbox')).body.items.find((o: any) => o.id === failing.id)
    expect(sent).toMatchObject({ state: 'sent', attempts: 2, lastError: null })
    // No secret in anything logged meanwhile.
    noSecret(s.logs.text())
    noSecret(JSON.stringify((await json('/notifications/outbox?limit=500')).body))
  }, 60_000)

  it('sends a failed e-mail again on an admin’s request, once the settings are fixed, and only a failed one', async () => {
    // The test e-mail refused for the wrong password (first test) failed for good; the password is right again.
    const failed = (await json('/notifications/outbox?state=failed')).body.items.find((o: any) => o.kind === 'test')
    expect(failed, 'the refused test e-mail').toBeDefined()
    const before = mailsTo('admin@example.org').length
    const retried = await json(`/notifications/outbox/${failed.id}/retry`, { method: 'POST' })
    expect(retried.status, JSON.stringify(retried.body)).toBe(202)
    expect(retried.body).toMatchObject({ id: failed.id, state: 'pending' })
    await s.until(async () => (await json('/notifications/outbox')).body.items.find((o: any) => o.id === failed.id)?.state === 'sent', 30_000, 'the retried e-mail sent')
    expect(mailsTo('admin@example.org').length).toBe(before + 1)
    expect(mailsTo('admin@example.org').at(-1)!.parsed.subject).toBe(failed.subject)
    // Sent now: nothing to retry, said in the person's language; an unknown id is a 404.
    const again = await json(`/notifications/outbox/${failed.id}/retry`, { method: 'POST', headers: { 'accept-language': 'fr' } })
    expect(again.status).toBe(409)
    expect(again.body.error).toMatchObject({ code: 'mail_not_failed', message: 'Seul un e-mail en échec peut être renvoyé ; celui-ci est envoyé.' })
    expect((await json('/notifications/outbox/999999999/retry', { method: 'POST' })).status).toBe(404)
    const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'mail.retry').execute()
    expect(audit.map((a) => a.target_id)).toEqual([failed.id])
  })

  it('trusts an SMTP server’s own certificate once an admin pastes it, and refuses what is not one', async () => {
    const { key, cert } = selfSignedCertificate()
    const relay = await startSmtp({ key, cert })
    const base = { host: '127.0.0.1', port: relay.port, security: 'tls', login: SMTP_LOGIN, password: SMTP_PASSWORD, sender: 'Chorus Pro Connector <chorus@example.org>' }
    try {
      expect((await json('/notifications/settings', { method: 'PUT', json: base })).status).toBe(200)
      // Signed by no public authority: refused, and the error says what to do.
      const refused = await json('/notifications/test', { method: 'POST', json: { to: 'relay@example.org', lang: 'en' } })
      expect(refused.body).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/self[- ]signed.*paste it \(PEM\) in the SMTP settings/) })
      expect(relay.received).toHaveLength(0)

      // What is not a certificate is refused, naming the field and the fix, and nothing is saved.
      for (const [text, message] of [
        [key, 'Ceci est une clé privée : collez le certificat du serveur (-----BEGIN CERTIFICATE-----), jamais sa clé.'],
        ['bonjour', 'Aucun certificat trouvé : collez le texte PEM, de -----BEGIN CERTIFICATE----- à -----END CERTIFICATE-----.'],
        ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'Le certificat n° 1 est illisible : recopiez-le en entier, sans rien changer.'],
      ] as const) {
        const bad = await json('/notifications/settings', { method: 'PUT', json: { ...base, caCertificate: text }, headers: { 'accept-language': 'fr' } })
        expect(bad.status).toBe(400)
        expect(bad.body.error).toMatchObject({ code: 'mail_ca_certificate_invalid', message, details: [{ field: 'caCertificate' }] })
        expect(JSON.stringify(bad.body)).not.toContain('PRIVATE KEY')
      }
      expect((await json('/notifications/settings')).body.caCertificate).toBeNull()
      expect(readCaCertificates(cert, new Date(Date.now() + 3 * 86_400_000))).toMatchObject({ ok: false, problem: { en: expect.stringMatching(/^Certificate no\. 1 expired on \d{4}-\d{2}-\d{2}: ask for the server’s current certificate\.$/) } })

      // Pasted: this server's certificate is trusted, and the test e-mail goes.
      const saved = await json('/notifications/settings', { method: 'PUT', json: { ...base, caCertificate: `\n${cert}\n` } })
      expect(saved.status, JSON.stringify(saved.body)).toBe(200)
      expect(saved.body.caCertificate).toBe(cert)
      expect(saved.body.caCertificates).toEqual([{ subject: 'CN=relais.interne', validTo: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) }])
      const sent = await json('/notifications/test', { method: 'POST', json: { to: 'relay@example.org', lang: 'en' } })
      expect(sent.body, JSON.stringify(sent.body)).toMatchObject({ state: 'sent', lastError: null })
      expect(relay.received.map((m) => m.envelopeTo)).toEqual([['relay@example.org']])

      // Omitted, it is kept; null removes it.
      expect((await json('/notifications/settings', { method: 'PUT', json: base })).body.caCertificate).toBe(cert)
      expect((await json('/notifications/settings', { method: 'PUT', json: { ...base, caCertificate: null } })).body).toMatchObject({ caCertificate: null, caCertificates: [] })
    } finally {
      await json('/notifications/settings', { method: 'PUT', json: { host: '127.0.0.1', port: smtp.port, security: 'none', login: SMTP_LOGIN, password: SMTP_PASSWORD, sender: 'Chorus Pro Connector <chorus@example.org>', caCertificate: null } })
      await relay.close()
    }
  })
})
