import { listAccounts } from '../db/accounts'
import { testAccountConnection } from '../workflows/accounts/test-account-connection'
import type { Ports } from '../workflows/ports'
import type { JobHandlers } from './job-handler'

/**
 * Daily: every active account's connection is tested, so a password about to expire (15 days ahead)
 * or a technical account that stopped working shows on the account before submissions fail.
 */
export function accountHandlers(ports: Ports): JobHandlers {
  return {
    'accounts.check': async (_job, ctx) => {
      for (const account of await listAccounts(ports.db, ports.chorusEnv)) {
        if (account.disabled_at) continue
        const check = await testAccountConnection(ports, account)
        if (!check.ok || check.passwordWarning) {
          ctx.logger.warn({ accountId: account.id, account: account.name, failed: check.steps.filter((s) => !s.ok).map((s) => s.step), passwordWarning: check.passwordWarning?.en }, 'supplier account needs attention')
        }
      }
    },
  }
}
