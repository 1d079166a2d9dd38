import { audit } from '../../db/audit'
import { AppError } from '../../domain/app-error'
import type { Ports } from '../ports'
import type { OutboxRow } from './send-mail'

/**
 * "Retry" on an e-mail that failed after its last attempt (the SMTP server refused it for about four
 * minutes of backoff, or the settings were wrong and have been fixed): back to `pending` with a fresh
 * `mail.send` job, in one transaction; audited. The message is sent as it was written.
 */
export async function retryMail(ports: Pick<Ports, 'db' | 'jobs'>, outboxId: string, actor: string | null): Promise<OutboxRow> {
  return ports.db.transaction().execute(async (trx) => {
    const m = await trx.selectFrom('mail_outbox').selectAll().where('id', '=', outboxId).forUpdate().executeTakeFirst()
    if (!m) throw new AppError(404, 'mail_not_found', { fr: `E-mail ${outboxId} introuvable.`, en: `E-mail ${outboxId} not found.` })
    if (m.state !== 'failed') {
      throw new AppError(409, 'mail_not_failed', {
        fr: `Seul un e-mail en échec peut être renvoyé ; celui-ci est ${m.state === 'sent' ? 'envoyé' : 'en attente'}.`,
        en: `Only a failed e-mail can be retried; this one is ${m.state}.`,
      })
    }
    const updated = await trx.updateTable('mail_outbox').set({ state: 'pending' }).where('id', '=', m.id).returningAll().executeTakeFirstOrThrow()
    await ports.jobs.enqueue('mail.send', { outboxId: m.id }, { within: trx })
    await audit(trx, { actor, action: 'mail.retry', targetType: 'mail', targetId: m.id, details: { kind: m.kind, attempts: m.attempts } })
    return updated
  })
}
