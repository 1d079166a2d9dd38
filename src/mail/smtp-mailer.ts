// nodemailer is pinned to an exact version (package.json: 10.6.0) on purpose: it speaks SMTP for us,
// and what we rely on (STARTTLS required vs implicit TLS, AUTH, timeouts, the message ids it
// returns, the shape of its errors) must not move under us with a minor release; it has no
// dependencies of its own, and is upgraded deliberately with the SMTP tests (test/notifications/).
import nodemailer from 'nodemailer'
import { registerSecret, scrubSecrets } from '../logger'

/** How the connection is secured: STARTTLS required on a plain port (587), TLS from the start (465), or none (a relay on loopback). */
export type SmtpSecurity = 'starttls' | 'tls' | 'none'

export interface SmtpSettings {
  readonly host: string
  readonly port: number
  readonly security: SmtpSecurity
  readonly login: string | null
  /** Opened from its sealed form just for this call; never logged, never in an error. */
  readonly password: string | null
  /** The From address, e.g. "Chorus Pro Connector <chorus@example.com>". */
  readonly sender: string
  /** PEM certificate(s) to trust for this server instead of the public authorities (ca-certificates.ts). */
  readonly ca?: string | null
  readonly timeoutMs?: number
}

export interface OutgoingMail {
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html: string
  /** Content-Language and the like. */
  readonly headers?: Record<string, string>
}

export interface Mailer {
  send(settings: SmtpSettings, mail: OutgoingMail): Promise<{ messageId: string }>
}

/** A failed send, with a message safe to store, show and log (the password scrubbed out). */
export class MailError extends Error {
  override readonly name = 'MailError'
  constructor(
    message: string,
    /** Nodemailer's error code (EAUTH, ECONNECTION, ETIMEDOUT, EENVELOPE…) when it gave one. */
    readonly code: string | undefined,
  ) {
    super(message)
  }
}

/**
 * SMTP through nodemailer, one connection per message (a digest is a few messages a day; pooling would
 * only keep idle connections open). Nodemailer's own logger stays off: its debug output can quote the
 * AUTH exchange.
 */
export function createSmtpMailer(): Mailer {
  return {
    async send(s, mail) {
      if (s.password) registerSecret(s.password)
      const timeout = s.timeoutMs ?? 20_000
      const transport = nodemailer.createTransport({
        host: s.host,
        port: s.port,
        secure: s.security === 'tls',
        requireTLS: s.security === 'starttls',
        ignoreTLS: s.security === 'none',
        ...(s.login ? { auth: { user: s.login, pass: s.password ?? '' } } : {}),
        ...(s.ca ? { tls: { ca: s.ca } } : {}),
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        logger: false,
        debug: false,
      })
      try {
        const info = await transport.sendMail({ from: s.sender, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers })
        return { messageId: String(info.messageId ?? '') }
      } catch (e) {
        const err = e as { message?: string; code?: string; response?: string }
        let message = err.response ? `${err.message ?? 'SMTP error'} (${err.response})` : (err.message ?? String(e))
        if (s.password) message = message.split(s.password).join('[REDACTED]')
        // A server whose certificate no public authority signed: say what to do about it.
        if (!s.ca && /self[- ]signed|unable to (get|verify)|local issuer/i.test(message)) message += ' — if this server uses a certificate of your own, paste it (PEM) in the SMTP settings'
        throw new MailError(scrubSecrets(message).slice(0, 1000), err.code)
      } finally {
        transport.close()
      }
    },
  }
}
