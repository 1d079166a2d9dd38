import { Csrf, FormMessage, RowAction, type PageCtx } from '../layout'
import { instant } from '../i18n'

/** What the section shows: the answers of GET /notifications/settings, /notifications/recipients, /notifications/outbox and /accounts. */
export interface NotificationsData {
  settings: { configured: boolean; host: string | null; port: number | null; security: string | null; login: string | null; hasPassword: boolean; sender: string | null; caCertificate?: string | null; caCertificates?: Array<{ subject: string; validTo: string }>; digestHour: number; digestEnabled: boolean; immediateEnabled: boolean; lastDigestOn: string | null }
  recipients: Array<{ id: string; email: string; name: string | null; lang: 'fr' | 'en'; accountId: string | null; role: 'operator' | 'admin'; digest: boolean; immediate: boolean }>
  outbox: Array<{ id: string; kind: string; recipient: string; subject: string; state: 'pending' | 'sent' | 'failed'; attempts: number; lastError: string | null; createdAt: string }>
  accounts: Array<{ id: string; name: string }>
}

/**
 * The e-mail part of the settings page (issue 16): SMTP settings (the password is never shown: an empty
 * field keeps it), the test e-mail button, recipients per account and role, and the last messages with
 * their errors (a failed one can be sent again). Every form goes to the /api/v1/notifications routes through the page's session; admins
 * only, like the routes. Its own words in both languages, so it needs nothing from the shared dictionary.
 */
export function NotificationsSection(props: { ctx: PageCtx; data: NotificationsData }) {
  const { ctx, data } = props
  const s = data.settings
  const w = (fr: string, en: string) => (ctx.lang === 'fr' ? fr : en)
  const accountName = (id: string | null) => (id ? (data.accounts.find((a) => a.id === id)?.name ?? id) : w('Tous les comptes', 'All accounts'))
  const trusted = s.caCertificates ?? []
  const stateLabel = { pending: w('en attente', 'pending'), sent: w('envoyé', 'sent'), failed: w('échec', 'failed') }
  if (!ctx.isAdmin) return null
  return (
    <section aria-labelledby="s-mail">
      <h2 id="s-mail">{w('E-mails', 'E-mail')}</h2>
      <form data-api="PUT /notifications/settings" class="inline-form">
        <Csrf ctx={ctx} />
        <div class="field"><label for="m-host">{w('Serveur SMTP', 'SMTP server')}</label><input id="m-host" name="host" required value={s.host ?? ''} placeholder="smtp.example.fr" /></div>
        <div class="field"><label for="m-port">{w('Port', 'Port')}</label><input id="m-port" name="port" type="number" min="1" max="65535" required data-type="number" value={String(s.port ?? 587)} /></div>
        <div class="field">
          <label for="m-security">{w('Sécurité', 'Security')}</label>
          <select id="m-security" name="security">
            {(['starttls', 'tls', 'none'] as const).map((v) => <option value={v} selected={(s.security ?? 'starttls') === v}>{v === 'starttls' ? 'STARTTLS (587)' : v === 'tls' ? 'TLS (465)' : w('Aucune (relais local)', 'None (local relay)')}</option>)}
          </select>
        </div>
        <div class="field"><label for="m-login">{w('Identifiant', 'Login')}</label><input id="m-login" name="login" value={s.login ?? ''} data-empty="null" autocomplete="off" /></div>
        <div class="field">
          <label for="m-password">{w('Mot de passe', 'Password')}</label>
          <input id="m-password" name="password" type="password" autocomplete="new-password" placeholder={s.hasPassword ? w('enregistré — vide pour le garder', 'saved — leave empty to keep it') : ''} />
        </div>
        <div class="field"><label for="m-sender">{w('Expéditeur', 'Sender')}</label><input id="m-sender" name="sender" required value={s.sender ?? ''} placeholder="Chorus Pro <chorus@example.fr>" /></div>
        <div class="field wide">
          <label for="m-ca">{w('Certificat du serveur (PEM, facultatif)', 'Server certificate (PEM, optional)')}</label>
          <textarea id="m-ca" name="caCertificate" rows={3} data-empty="null" aria-describedby="m-ca-hint" placeholder="-----BEGIN CERTIFICATE-----">{s.caCertificate ?? ''}</textarea>
          <small id="m-ca-hint" class="muted">
            {trusted.length > 0
              ? w(`Seul ce certificat est reconnu pour ce serveur : ${trusted.map((c) => `${c.subject}, valable jusqu’au ${instant(c.validTo, 'fr')}`).join(' ; ')}. Videz le champ pour revenir aux autorités publiques.`, `Only this certificate is trusted for this server: ${trusted.map((c) => `${c.subject}, valid until ${instant(c.validTo, 'en')}`).join('; ')}. Empty the field to go back to the public authorities.`)
              : w('Pour un serveur de votre entreprise dont le certificat n’est signé par aucune autorité publique (auto-signé) : collez ce certificat ou celui de votre autorité.', 'For a server of your company whose certificate no public authority signed (self-signed): paste that certificate or your authority’s.')}
          </small>
        </div>
        <div class="field"><label for="m-hour">{w('Heure du résumé quotidien (Europe/Paris)', 'Daily digest hour (Europe/Paris)')}</label><input id="m-hour" name="digestHour" type="number" min="0" max="23" data-type="number" value={String(s.digestHour)} /></div>
        <label><input type="checkbox" name="digestEnabled" data-type="boolean" checked={s.digestEnabled} /> {w('Résumé quotidien', 'Daily digest')}</label>
        <label><input type="checkbox" name="immediateEnabled" data-type="boolean" checked={s.immediateEnabled} /> {w('E-mails immédiats (rejet, source en panne)', 'Immediate e-mails (rejection, source down)')}</label>
        <button type="submit">{w('Enregistrer', 'Save')}</button>
        <FormMessage />
      </form>

      {s.configured ? (
        <form data-api="POST /notifications/test" class="inline-form">
          <Csrf ctx={ctx} />
          <div class="field"><label for="m-test">{w('Envoyer un e-mail de test à', 'Send a test e-mail to')}</label><input id="m-test" name="to" type="email" required /></div>
          <input type="hidden" name="lang" value={ctx.lang} />
          <button type="submit" class="secondary">{w('Envoyer un e-mail de test', 'Send a test e-mail')}</button>
          <FormMessage />
        </form>
      ) : null}

      <h3>{w('Destinataires', 'Recipients')}</h3>
      {data.recipients.length === 0 ? <p class="muted">{w('Aucun.', 'None.')}</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{w('Adresse', 'Address')}</th><th scope="col">{w('Compte', 'Account')}</th><th scope="col">{w('Rôle', 'Role')}</th><th scope="col">{w('Langue', 'Language')}</th><th scope="col">{w('Envois', 'Sends')}</th><th scope="col">{w('Actions', 'Actions')}</th></tr></thead>
            <tbody>
              {data.recipients.map((r) => (
                <tr data-recipient-id={r.id}>
                  <td class="break">{r.name ? `${r.name} <${r.email}>` : r.email}</td>
                  <td>{accountName(r.accountId)}</td>
                  <td>{r.role}</td>
                  <td>{r.lang}</td>
                  <td>{[r.digest ? w('résumé', 'digest') : null, r.immediate ? w('immédiats', 'immediate') : null].filter(Boolean).join(', ') || '—'}</td>
                  <td><form data-api={`DELETE /notifications/recipients/${r.id}`} data-confirm={w('Retirer ce destinataire ?', 'Remove this recipient?')} class="inline"><Csrf ctx={ctx} /><button type="submit" class="small danger">{w('Retirer', 'Remove')}</button></form></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <details class="action">
        <summary>{w('Ajouter un destinataire', 'Add a recipient')}</summary>
        <form data-api="POST /notifications/recipients" class="inline-form">
          <Csrf ctx={ctx} />
          <div class="field"><label for="r-email">{w('Adresse', 'Address')}</label><input id="r-email" name="email" type="email" required /></div>
          <div class="field"><label for="r-name">{w('Nom', 'Name')}</label><input id="r-name" name="name" /></div>
          <div class="field">
            <label for="r-account">{w('Compte fournisseur', 'Supplier account')}</label>
            <select id="r-account" name="accountId"><option value="">{w('Tous les comptes', 'All accounts')}</option>{data.accounts.map((a) => <option value={a.id}>{a.name}</option>)}</select>
          </div>
          <div class="field"><label for="r-role">{w('Rôle', 'Role')}</label><select id="r-role" name="role"><option value="operator">{w('opérateur', 'operator')}</option><option value="admin">admin</option></select></div>
          <div class="field"><label for="r-lang">{w('Langue', 'Language')}</label><select id="r-lang" name="lang"><option value="fr">français</option><option value="en">English</option></select></div>
          <button type="submit">{w('Ajouter', 'Add')}</button>
          <FormMessage />
        </form>
      </details>

      <h3>{w('Derniers e-mails', 'Latest e-mails')}</h3>
      {data.outbox.length === 0 ? <p class="muted">{w('Aucun.', 'None.')}</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{w('Objet', 'Subject')}</th><th scope="col">{w('À', 'To')}</th><th scope="col">{w('État', 'State')}</th><th scope="col">{w('Erreur', 'Error')}</th><th scope="col">{w('Actions', 'Actions')}</th></tr></thead>
            <tbody>
              {data.outbox.map((o) => (
                <tr data-outbox-id={o.id}>
                  <td class="break">{o.subject}</td>
                  <td class="break">{o.recipient}</td>
                  <td><span class={o.state === 'failed' ? 'badge bad' : 'badge'}>{stateLabel[o.state]}</span>{o.attempts > 1 ? ` (${o.attempts})` : ''}</td>
                  <td class="break">{o.lastError ?? ''}</td>
                  <td>
                    {o.state === 'failed' ? (
                      <RowAction ctx={ctx} api={`POST /notifications/outbox/${o.id}/retry`} text={w('Renvoyer', 'Send again')} label={w(`Renvoyer « ${o.subject} » à ${o.recipient}`, `Send again “${o.subject}” to ${o.recipient}`)} done={w('Nouvel envoi lancé.', 'Sending again.')} />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
