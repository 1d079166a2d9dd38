import type { RunningSandbox } from '../chorus/sandbox-harness'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'

/**
 * The environment of a connector that talks to a sandbox running outside it (so the sandbox outlives a
 * crash of the connector): it sees the sandbox as a real PISTE platform, `CHORUS_ENV=qualification`.
 */
export function externalSandboxEnv(sandbox: RunningSandbox, opts: { dataDir: string; adminKey: string; databaseUrl?: string | undefined }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: opts.dataDir,
    CONNECTOR_ADMIN_KEY: opts.adminKey,
    CHORUS_ENV: 'qualification',
    PISTE_CLIENT_ID: SANDBOX_CREDENTIALS.clientId,
    PISTE_CLIENT_SECRET: SANDBOX_CREDENTIALS.clientSecret,
    PISTE_OAUTH_URL: `${sandbox.base}/api/oauth/token`,
    CHORUS_API_URL: `${sandbox.base}/cpro`,
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...extra,
  }
}
