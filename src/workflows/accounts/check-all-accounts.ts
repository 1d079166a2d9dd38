import { listAccounts } from '../../db/accounts'
import type { Ports } from '../ports'
import { testAccountConnection } from './test-account-connection'
import { emitWebhookEvent } from '../webhooks/emit-webhook-event'
import { todayIn } from '../../domain/calendar-date'

/**
 * Daily (`accounts.check`): every active account's connection is tested, so a password about to
 * expire or a technical account that stopped working shows on the account before submissions fail.
 * A password expiring within 15 days (or expired) is also an `account.password_expiring` webhook event,
 * once per daily check.
 */
export async function checkAllAccounts(ports: Ports): Promise<{ checked: number; needAttention: number }> {
  let checked = 0
  let needAttention = 0
  for (const account of await listAccounts(ports.db, ports.chorusEnv)) {
    if (account.disabled_at) continue
    checked++
    const check = await testAccountConnection(ports, account)
    if (check.passwordWarning) {
      const daysLeft = check.passwordExpiresOn ? Math.round((Date.parse(check.passwordExpiresOn) - Date.parse(todayIn('Europe/Paris', ports.now()))) / 86_400_000) : null
      await emitWebhookEvent(ports, ports.db, 'account.password_expiring', {
        accountId: account.id,
        name: account.name,
        siret: account.siret,
        passwordExpiresOn: check.passwordExpiresOn,
        daysLeft,
        expired: daysLeft !== null && daysLeft < 0,
        message: check.passwordWarning,
      })
    }
    if (!check.ok || check.passwordWarning) {
      needAttention++
      ports.logger.warn({ accountId: account.id, account: account.name, failed: check.steps.filter((s) => !s.ok).map((s) => s.step), passwordWarning: check.passwordWarning?.en }, 'supplier account needs attention')
    }
  }
  return { checked, needAttention }
}
