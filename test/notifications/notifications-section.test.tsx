import { describe, expect, it } from 'vitest'
import { pageCtx } from '../../src/http/ui/layout'
import { NotificationsSection, type NotificationsData } from '../../src/http/ui/pages/notifications-section'
import { WriteBacksSection, type FailedWriteBack } from '../../src/http/ui/pages/write-backs-section'

const data: NotificationsData = {
  settings: { configured: true, host: 'smtp.example.fr', port: 587, security: 'starttls', login: 'mailer', hasPassword: true, sender: 'Chorus <chorus@example.fr>', digestHour: 7, digestEnabled: true, immediateEnabled: false, lastDigestOn: null },
  recipients: [{ id: '3', email: 'compta@example.fr', name: 'Compta', lang: 'fr', accountId: '1', role: 'operator', digest: true, immediate: true }],
  outbox: [{ id: '9', kind: 'digest', recipient: 'compta@example.fr', subject: 'Chorus Pro — résumé', state: 'failed', attempts: 8, lastError: '451 Mailbox busy', createdAt: '2026-11-29T07:00:00.000Z' }],
  accounts: [{ id: '1', name: 'Imprimerie Martin' }],
}

/** The settings page's e-mail section, rendered alone (settings.tsx and its route mount it, with the data of the four GET routes). */
describe('the e-mail section of the settings page', () => {
  it('posts to the notification routes, keeps the password out of the page, shows failures, in both languages', async () => {
    const fr = String(await (<NotificationsSection ctx={pageCtx('fr', 'admin', 'csrf-token', 'http://x/ui/settings')} data={data} />))
    for (const api of ['PUT /notifications/settings', 'POST /notifications/test', 'POST /notifications/recipients', 'DELETE /notifications/recipients/3']) expect(fr).toContain(`data-api="${api}"`)
    expect(fr).toContain('Envoyer un e-mail de test')
    expect(fr).toMatch(/name="password" type="password"[^>]*placeholder="enregistré — vide pour le garder"/)
    expect(fr).not.toMatch(/name="password"[^>]*value=/)
    expect(fr).toContain('451 Mailbox busy')
    // The failed one can be sent again.
    expect(fr).toContain('data-api="POST /notifications/outbox/9/retry"')
    expect(fr).toContain('aria-label="Renvoyer « Chorus Pro — résumé » à compta@example.fr"')
    expect(fr).toContain('Imprimerie Martin')
    // The server's own certificate: a field, and what is trusted now.
    expect(fr).toMatch(/<textarea id="m-ca" name="caCertificate"[^>]*data-empty="null"/)
    expect(fr).toContain('Pour un serveur de votre entreprise dont le certificat n’est signé par aucune autorité publique')
    const pinned = String(await (<NotificationsSection ctx={pageCtx('fr', 'admin', 'csrf-token', 'http://x/ui/settings')} data={{ ...data, settings: { ...data.settings, caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', caCertificates: [{ subject: 'CN=relais.interne', validTo: '2027-03-01T12:00:00.000Z' }] } }} />))
    expect(pinned).toContain('Seul ce certificat est reconnu pour ce serveur : CN=relais.interne, valable jusqu’au 01/03/2027 13:00.')
    expect(pinned).toContain('-----BEGIN CERTIFICATE-----')
    const en = String(await (<NotificationsSection ctx={pageCtx('en', 'admin', 'csrf-token', 'http://x/ui/settings')} data={data} />))
    expect(en).toContain('Send a test e-mail')
    expect(en).toContain('>Send again</button>')
    const sent = String(await (<NotificationsSection ctx={pageCtx('fr', 'admin', 'csrf-token', 'http://x/ui/settings')} data={{ ...data, outbox: [{ ...data.outbox[0]!, state: 'sent', lastError: null }] }} />))
    expect(sent).not.toContain('/retry')
    expect(String(await (<NotificationsSection ctx={pageCtx('fr', 'operator', 'csrf-token', 'http://x/ui/settings')} data={data} />))).toBe('')
  })
})

/** The settings page's failed write-backs, rendered alone (the route gives it GET /write-backs?state=failed). */
describe('the failed write-backs section of the settings page', () => {
  const failed: FailedWriteBack[] = [
    { id: '41', sourceId: '2', invoiceNumber: 'F-2026-0041', status: 'REJETEE', attempts: 12, lastError: 'Odoo refused message_post (403)', retryable: true, doneAt: '2026-11-29T09:15:00.000Z' },
    { id: '40', sourceId: '7', invoiceNumber: 'F-2026-0040', status: 'MISE_A_DISPOSITION', attempts: 12, lastError: 'connect ECONNREFUSED', retryable: false, doneAt: '2026-11-29T08:00:00.000Z' },
  ]
  const sources = [{ id: '2', name: 'Odoo Documents' }]
  it('says which invoice, status, host and answer, offers Retry on the latest only, in both languages, admins only', async () => {
    const fr = String(await (<WriteBacksSection ctx={pageCtx('fr', 'admin', 'csrf-token', 'http://x/ui/settings')} failed={failed} sources={sources} />))
    expect(fr).toContain('Retours vers l’hôte en échec')
    expect(fr).toContain('F-2026-0041')
    expect(fr).toContain('Rejetée')
    expect(fr).toContain('Odoo Documents')
    expect(fr).toContain('source supprimée')
    expect(fr).toContain('Odoo refused message_post (403)')
    expect(fr).toContain('29/11/2026')
    expect(fr).toContain('(12 essais)')
    expect(fr).toContain('data-api="POST /write-backs/41/retry"')
    expect(fr).not.toContain('/write-backs/40/retry')
    expect(fr).toContain('Remplacé par un retour plus récent')
    expect(fr).not.toMatch(/REJETEE|MISE_A_DISPOSITION/)
    const en = String(await (<WriteBacksSection ctx={pageCtx('en', 'admin', 'csrf-token', 'http://x/ui/settings')} failed={failed} sources={sources} />))
    expect(en).toContain('Failed write-backs to the host')
    expect(en).toContain('Retry the write-back of invoice F-2026-0041')
    expect(en).toContain('Replaced by a later write-back')
    expect(String(await (<WriteBacksSection ctx={pageCtx('fr', 'admin', 'csrf-token', 'http://x/ui/settings')} failed={[]} sources={sources} />))).toContain('Aucun.')
    expect(String(await (<WriteBacksSection ctx={pageCtx('fr', 'operator', 'csrf-token', 'http://x/ui/settings')} failed={failed} sources={sources} />))).toBe('')
  })
})
