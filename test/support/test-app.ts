import { createApp, type App } from '../../src/http/app'
import { createMetrics } from '../../src/http/metrics'
import { createApiKey } from '../../src/db/api-keys'
import type { Role } from '../../src/db/schema'
import type { TestDatabase } from './databases'
import { captureLogs } from './log-capture'

export interface TestApp {
  readonly app: App
  readonly keys: Record<Role, string>
  readonly logs: ReturnType<typeof captureLogs>
  /** `app.request` with the key of a role. */
  call(role: Role | null, path: string, init?: RequestInit): Promise<Response>
}

export async function buildTestApp(t: TestDatabase, opts: { bodyLimitBytes?: number } = {}): Promise<TestApp> {
  const logs = captureLogs()
  const app = createApp({ db: t.db, logger: logs.logger, metrics: createMetrics(t.db), version: 'test', bodyLimitBytes: opts.bodyLimitBytes ?? 25 * 1024 * 1024 })
  const keys = {} as Record<Role, string>
  for (const role of ['viewer', 'operator', 'admin'] as const) keys[role] = (await createApiKey(t.db, { name: `test ${role}`, role })).key
  return {
    app,
    keys,
    logs,
    call(role, path, init = {}) {
      const headers = new Headers(init.headers)
      if (role) headers.set('Authorization', `Bearer ${keys[role]}`)
      return Promise.resolve(app.request(path, { ...init, headers }))
    },
  }
}
