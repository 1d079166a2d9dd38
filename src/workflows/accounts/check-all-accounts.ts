import { listAccounts } from '../../db/accounts'
import type { Ports } from '../ports'
import { testAccountConnection } from './test-account-connection'

/**
 * Daily (`accounts.check`): every active account's connection is tested, so a password about to
 * expire or a technical account that stopped working shows on the account before submissions fail.
 */
export async function checkAllAccounts(ports: Ports): Promise<{ checked: number; needAttention: number }> {
  let checked = 0
  let needAttention = 0
  for (const account of await listAccounts(ports.db, ports.chorusEnv)) {
    if (account.disabled_at) continue
    checked++
    const check = await testAccountConnection(ports, account)
    if (!check.ok || check.passwordWarning) {
      needAttention++
      ports.logger.warn({ accountId: account.id, account: account.name, failed: check.steps.filter((s) => !s.ok).map((s) => s.step), passwordWarning: check.passwordWarning?.en }, 'supplier account needs attention')
    }
  }
  return { checked, needAttention }
}
