import { RowAction, type PageCtx } from '../layout'
import { instant } from '../i18n'
import { statusText } from '../describe'

/** One write-back as GET /write-backs answers it (only what the section shows). */
export interface FailedWriteBack {
  id: string
  sourceId: string
  invoiceNumber: string
  status: string
  attempts: number
  lastError: string | null
  retryable: boolean
  doneAt: string | null
}

/**
 * The write-backs that failed after their last attempt (the host was told nothing of a submission or a
 * status change): where the digest's "write-backs failed" line leads. Each says which invoice, which
 * status, which host, what the host answered, and offers "Retry" once the host or its credentials are
 * fixed. Admins only, like the routes. Its own words in both languages.
 */
export function WriteBacksSection(props: { ctx: PageCtx; failed: FailedWriteBack[]; sources: ReadonlyArray<{ id: string; name: string }> }) {
  const { ctx, failed } = props
  const w = (fr: string, en: string) => (ctx.lang === 'fr' ? fr : en)
  if (!ctx.isAdmin) return null
  const sourceName = (id: string) => props.sources.find((s) => s.id === id)?.name ?? w('source supprimée', 'deleted source')
  return (
    <section aria-labelledby="s-write-backs">
      <h2 id="s-write-backs">{w('Retours vers l’hôte en échec', 'Failed write-backs to the host')}</h2>
      <p class="muted">{w(
        'Le connecteur inscrit chaque dépôt et chaque changement de statut dans le document de l’hôte (étiquette et note Odoo, fichier JSON à côté du PDF). Ceux-ci n’ont pas abouti malgré les nouveaux essais ; une fois l’hôte ou ses identifiants corrigés, relancez-les.',
        'The connector writes each submission and each status change into the host’s document (Odoo tag and note, JSON file beside the PDF). These did not go through despite the retries; once the host or its credentials are fixed, retry them.',
      )}</p>
      {failed.length === 0 ? <p class="muted">{w('Aucun.', 'None.')}</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{w('Facture', 'Invoice')}</th><th scope="col">{w('Statut à transmettre', 'Status to tell')}</th><th scope="col">{w('Source', 'Source')}</th><th scope="col" class="hide-narrow">{w('Dernier essai', 'Last attempt')}</th><th scope="col">{w('Réponse de l’hôte', 'The host’s answer')}</th><th scope="col">{w('Actions', 'Actions')}</th></tr></thead>
            <tbody>
              {failed.map((b) => (
                <tr data-write-back-id={b.id}>
                  <td class="break">{b.invoiceNumber}</td>
                  <td>{statusText(ctx.lang, b.status)}</td>
                  <td class="break">{sourceName(b.sourceId)}</td>
                  <td class="hide-narrow">{instant(b.doneAt, ctx.lang)}{w(` (${b.attempts} essais)`, ` (${b.attempts} attempts)`)}</td>
                  <td class="break">{b.lastError ?? ''}</td>
                  <td>
                    {b.retryable ? (
                      <RowAction ctx={ctx} api={`POST /write-backs/${b.id}/retry`} text={w('Réessayer', 'Retry')} label={w(`Réessayer le retour de la facture ${b.invoiceNumber}`, `Retry the write-back of invoice ${b.invoiceNumber}`)} done={w('Nouvel essai lancé.', 'Retry started.')} />
                    ) : <span class="muted">{w('Remplacé par un retour plus récent', 'Replaced by a later write-back')}</span>}
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
