import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config'
import { startService, type RunningService } from '../../src/service'
import { captureLogs } from './log-capture'

export interface TestService {
  readonly service: RunningService
  readonly url: string
  readonly adminKey: string
  readonly dataDir: string
  readonly logs: ReturnType<typeof captureLogs>
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>
  sandbox(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>
  /** Polls until `check` returns a truthy value (or fails after `timeoutMs`). */
  until<T>(check: () => Promise<T | undefined | null | false>, timeoutMs?: number, what?: string): Promise<T>
  stop(): Promise<void>
}

/**
 * The whole service in this process, as `npm start` wires it (HTTP on a free port, worker, cron,
 * the sandbox mounted under /sandbox and reached over loopback HTTP), on PGlite in a temporary
 * DATA_DIR, or on the given PostgreSQL URL.
 */
export async function startTestService(env: Record<string, string> = {}, opts: { dataDir?: string } = {}): Promise<TestService> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'chorus-svc-'))
  const adminKey = `cpk_test_admin_${Math.random().toString(36).slice(2)}_0000000000`
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', CONNECTOR_ADMIN_KEY: adminKey, LOG_LEVEL: 'info', ...env })
  const logs = captureLogs('info')
  const service = await startService(config, logs.logger)
  const call = (base: string, auth: boolean) => (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers)
    if (auth) headers.set('Authorization', `Bearer ${adminKey}`)
    let body = init.body
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(init.json)
    }
    return fetch(`${base}${path}`, { ...init, headers, body })
  }
  const base = `http://127.0.0.1:${service.port}`
  return {
    service,
    url: base,
    adminKey,
    dataDir,
    logs,
    api: call(`${base}/api/v1`, true),
    // The mounted sandbox's control API answers only an admin key of the connector.
    sandbox: call(`${base}/sandbox/_sandbox`, true),
    async until(check, timeoutMs = 20_000, what = 'condition') {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const v = await check()
        if (v) return v
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    stop: () => service.stop(),
  }
}
