import { claimPasswordWarning, listAccounts } from '../../db/accounts'
import type { Ports } from '../ports'
import { testAccountConnection } from './test-account-connection'
import { emitWebhookEvent } from '../webhooks/emit-webhook-event'
import { todayIn } from '../../domain/calendar-date'
import { passwordExpiry } from '../../domain/password-expiry'

/**
 * Daily (`accounts.check`): every active account's connection is tested, so a password about to
 * expire or a technical account that stopped working shows on the account before submissions fail.
 * A password expiring within 30 days (or expired: domain/password-expiry.ts) is also an
 * `account.password_expiring` webhook event, at most once per account per Paris day, however often the
 * check runs (the day is claimed on the account in the event's own transaction).
 */
export async function checkAllAccounts(ports: Ports): Promise<{ checked: number; needAttention: number }> {
  let checked = 0
  let needAttention = 0
  for (const account of await listAccounts(ports.db, ports.chorusEnv)) {
    if (account.disabled_at) continue
    checked++
    const check = await testAccountConnection(ports, account)
    if (check.passwordWarning) {
      const today = todayIn('Europe/Paris', ports.now())
      const expiry = passwordExpiry(check.passwordExpiresOn, today)
      await ports.db.transaction().execute(async (trx) => {
        if (!(await claimPasswordWarning(trx, account.id, today))) return
        await emitWebhookEvent(ports, trx, 'account.password_expiring', {
          accountId: account.id,
          name: account.name,
          siret: account.siret,
          passwordExpiresOn: check.passwordExpiresOn,
          daysLeft: expiry?.daysLeft ?? null,
          expired: expiry?.expired ?? false,
          message: check.passwordWarning,
        })
      })
    }
    if (!check.ok || check.passwordWarning) {
      needAttention++
      ports.logger.warn({ accountId: account.id, account: account.name, failed: check.steps.filter((s) => !s.ok).map((s) => s.step), passwordWarning: check.passwordWarning?.en }, 'supplier account needs attention')
    }
  }
  return { checked, needAttention }
}
