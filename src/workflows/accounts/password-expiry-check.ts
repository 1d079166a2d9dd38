import type { Database } from '../../db/database'
import { todayIn } from '../../domain/calendar-date'
import { PASSWORD_WARNING_DAYS, passwordExpiry } from '../../domain/password-expiry'

/**
 * What /ready says about technical passwords: the active accounts whose password expires within 30 days
 * or has expired (as last read from Chorus Pro by Test connection or the daily check). Always `ok`: an
 * expiring password stops no instance from working, and a load balancer must not take them all out; the
 * detail is for whoever reads the probe. Null when nothing is due.
 */
export async function technicalPasswordsCheck(db: Database, now: Date): Promise<{ ok: true; detail: string } | null> {
  const today = todayIn('Europe/Paris', now)
  const last = new Date(Date.parse(today) + PASSWORD_WARNING_DAYS * 86_400_000).toISOString().slice(0, 10)
  const rows = await db
    .selectFrom('accounts')
    .select(['id', 'name', 'password_expires_on'])
    .where('disabled_at', 'is', null)
    .where('password_expires_on', 'is not', null)
    .where('password_expires_on', '<=', last)
    .orderBy('password_expires_on')
    .orderBy('id')
    .execute()
  const notes = rows.flatMap((r) => {
    const e = passwordExpiry(r.password_expires_on, today)
    if (!e?.warn) return []
    return [`account ${r.id} (${r.name}): technical password ${e.expired ? `expired on ${e.expiresOn}` : `expires in ${e.daysLeft} day(s), on ${e.expiresOn}`}`]
  })
  return notes.length ? { ok: true, detail: `${notes.join('; ')}. Only the structure's main manager can renew it in Chorus Pro.` } : null
}
