import { todayIn } from '../../domain/calendar-date'
import type { Ports } from '../ports'
import { collectDigest, renderDigest } from './digest'
import { enqueueWaitingImmediates } from './immediate'
import { getMailSettings, listRecipients } from './mail-settings'
import { queueMail } from './send-mail'

/** The hour of the day in Paris (0–23). */
export function parisHour(d: Date): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(d))
}

/**
 * Puts today's digest of every recipient who wants one in the outbox (one message each, in their
 * language, for their account or all, for their role). A recipient with nothing to be told gets
 * nothing. Returns how many messages were queued.
 */
export async function queueDigests(ports: Ports, publicUrl: string): Promise<number> {
  let n = 0
  for (const r of await listRecipients(ports)) {
    if (!r.digest) continue
    const data = await collectDigest(ports, { accountId: r.account_id, role: r.role })
    const mail = renderDigest(data, r.lang, publicUrl)
    if (!mail) continue
    await ports.db.transaction().execute((trx) => queueMail(ports, trx, { kind: 'digest', subjectKey: `digest:${r.id}`, to: r.email, lang: r.lang, mail }))
    n++
  }
  return n
}

/**
 * The hourly `notifications.tick` (cron `0 * * * *`, Europe/Paris): at the configured hour, once a day
 * across instances (the day is claimed on the settings row before anything is queued), the daily
 * digests; every hour, immediate e-mails whose job was lost or held back are enqueued again.
 */
export async function runNotificationsTick(ports: Ports, publicUrl: string): Promise<{ digests: number; immediates: number }> {
  const immediates = await enqueueWaitingImmediates(ports)
  const settings = await getMailSettings(ports)
  const now = ports.now()
  if (!settings || !settings.digest_enabled || parisHour(now) !== settings.digest_hour) return { digests: 0, immediates }
  const today = todayIn('Europe/Paris', now)
  const claimed = await ports.db
    .updateTable('mail_settings')
    .set({ last_digest_on: today })
    .where('id', '=', 1)
    .where((eb) => eb.or([eb('last_digest_on', 'is', null), eb('last_digest_on', '<>', today)]))
    .executeTakeFirst()
  if (Number(claimed.numUpdatedRows) !== 1) return { digests: 0, immediates }
  return { digests: await queueDigests(ports, publicUrl), immediates }
}
