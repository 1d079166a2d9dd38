import { audit } from '../../db/audit'
import { AppError } from '../../domain/app-error'
import type { Ports } from '../ports'
import type { WriteBackRow } from './run-write-back'

/**
 * "Retry" on a write-back that failed after its last attempt (the host was down longer than the two
 * hours of backoff, or its credentials were wrong and have been fixed): back to `pending` with a fresh
 * `document.write-back` job, in one transaction; audited.
 *
 * Only the document's latest write-back can be retried. A later one tells the host a later status (and
 * the folder file carries the whole history), so sending an earlier one again would put the host's tag
 * back on an old status.
 */
export async function retryWriteBack(ports: Pick<Ports, 'db' | 'jobs'>, writeBackId: string, actor: string | null): Promise<WriteBackRow> {
  const row = await ports.db.transaction().execute(async (trx) => {
    const wb = await trx.selectFrom('write_backs').selectAll().where('id', '=', writeBackId).forUpdate().executeTakeFirst()
    if (!wb) throw new AppError(404, 'write_back_not_found', { fr: `Retour d’information ${writeBackId} introuvable.`, en: `Write-back ${writeBackId} not found.` })
    if (wb.state !== 'failed') {
      throw new AppError(409, 'write_back_not_failed', {
        fr: `Seul un retour d’information en échec peut être relancé ; celui-ci est ${{ pending: 'en cours', done: 'fait', skipped: 'sans objet', failed: 'en échec' }[wb.state]}.`,
        en: `Only a failed write-back can be retried; this one is ${wb.state}.`,
      })
    }
    const later = await trx.selectFrom('write_backs').select('id').where('document_id', '=', wb.document_id).where('id', '>', wb.id).limit(1).executeTakeFirst()
    if (later) {
      throw new AppError(409, 'write_back_superseded', {
        fr: `Un retour d’information plus récent (${later.id}) porte déjà un statut plus récent de ce document : relancez celui-là s’il a échoué.`,
        en: `A later write-back (${later.id}) already carries a later status of this document: retry that one if it failed.`,
      })
    }
    const updated = await trx.updateTable('write_backs').set({ state: 'pending', done_at: null }).where('id', '=', wb.id).returningAll().executeTakeFirstOrThrow()
    await ports.jobs.enqueue('document.write-back', { writeBackId: wb.id }, { within: trx })
    await audit(trx, { actor, action: 'write_back.retry', targetType: 'write_back', targetId: wb.id, details: { documentId: wb.document_id, status: wb.status, attempts: wb.attempts } })
    return updated
  })
  return row
}
