import { X509Certificate } from 'node:crypto'
import type { Localized } from '../domain/localized'

/** What an admin pasted, read: the certificates as one PEM text, and who each one names. */
export type ReadCertificates =
  | { readonly ok: true; readonly pem: string; readonly certificates: ReadonlyArray<{ readonly subject: string; readonly validTo: Date }> }
  | { readonly ok: false; readonly problem: Localized }

const BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g
const MAX_CERTIFICATES = 10

/**
 * Reads the certificate(s) of an SMTP server the customer runs (a relay with a self-signed certificate,
 * or the company's own authority), pasted as PEM. Each block must parse as X.509 and still be valid; a
 * private key pasted by mistake is refused without being kept. Node's TLS then trusts these instead of
 * the public authorities for this server only. `now` null skips the expiry check (to say who a stored
 * certificate names, expired or not).
 */
export function readCaCertificates(text: string, now: Date | null = new Date()): ReadCertificates {
  if (/PRIVATE KEY-----/.test(text)) {
    return { ok: false, problem: { fr: 'Ceci est une clé privée : collez le certificat du serveur (-----BEGIN CERTIFICATE-----), jamais sa clé.', en: 'This is a private key: paste the server’s certificate (-----BEGIN CERTIFICATE-----), never its key.' } }
  }
  const blocks = text.match(BLOCK) ?? []
  if (blocks.length === 0) {
    return { ok: false, problem: { fr: 'Aucun certificat trouvé : collez le texte PEM, de -----BEGIN CERTIFICATE----- à -----END CERTIFICATE-----.', en: 'No certificate found: paste the PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.' } }
  }
  if (blocks.length > MAX_CERTIFICATES) {
    return { ok: false, problem: { fr: `Trop de certificats (${blocks.length}) : ${MAX_CERTIFICATES} au plus, celui du serveur ou de son autorité suffit.`, en: `Too many certificates (${blocks.length}): at most ${MAX_CERTIFICATES}; the server’s or its authority’s is enough.` } }
  }
  const certificates: Array<{ subject: string; validTo: Date }> = []
  for (const [i, block] of blocks.entries()) {
    let cert: X509Certificate
    try {
      cert = new X509Certificate(block)
    } catch {
      return { ok: false, problem: { fr: `Le certificat n° ${i + 1} est illisible : recopiez-le en entier, sans rien changer.`, en: `Certificate no. ${i + 1} cannot be read: copy it whole, unchanged.` } }
    }
    const validTo = new Date(cert.validTo)
    if (now && validTo.getTime() < now.getTime()) {
      const day = validTo.toISOString().slice(0, 10)
      return { ok: false, problem: { fr: `Le certificat n° ${i + 1} a expiré le ${day.split('-').reverse().join('/')} : demandez le certificat actuel du serveur.`, en: `Certificate no. ${i + 1} expired on ${day}: ask for the server’s current certificate.` } }
    }
    certificates.push({ subject: cert.subject.replace(/\n/g, ', '), validTo })
  }
  return { ok: true, pem: `${blocks.join('\n')}\n`, certificates }
}
