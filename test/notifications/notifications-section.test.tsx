import { describe, expect, it } from 'vitest'
import { pageCtx } from '../../src/http/ui/layout'
import { NotificationsSection, type NotificationsData } from '../../src/http/ui/pages/notifications-section'

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
    expect(fr).toContain('Imprimerie Martin')
    const en = String(await (<NotificationsSection ctx={pageCtx('en', 'admin', 'csrf-token', 'http://x/ui/settings')} data={data} />))
    expect(en).toContain('Send a test e-mail')
    expect(String(await (<NotificationsSection ctx={pageCtx('fr', 'operator', 'csrf-token', 'http://x/ui/settings')} data={data} />))).toBe('')
  })
})
