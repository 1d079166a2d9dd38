import { tmpdir } from 'node:os'
import { addressPolicy } from '../../src/domain/address-policy'
import { randomBytes } from 'node:crypto'
import { PDFDocument } from 'pdf-lib'
import { createApp } from '../../src/http/app'
import { createMetrics } from '../../src/http/metrics'
import { createApiKey } from '../../src/db/api-keys'
import { createSecretBox } from '../../src/secrets/secret-box'
import type { Role } from '../../src/db/schema'
import type { Ports } from '../../src/workflows/ports'
import { createJobQueue } from '../../src/jobs/job-queue'
import { documentsRoutes } from '../../src/http/api/documents-routes'
import { sourcesRoutes } from '../../src/http/api/sources-routes'
import { filingRulesRoutes } from '../../src/http/api/filing-rules-routes'
import { ensureDefaultSources } from '../../src/db/sources'
import type { TestDatabase } from '../support/databases'
import { captureLogs } from '../support/log-capture'

export interface IntakePorts extends Ports {
  wakes: number
}

export function intakePorts(t: TestDatabase, opts: { inboxDir?: string; dataDir?: string } = {}): IntakePorts {
  const logs = captureLogs('warn')
  const ports: IntakePorts = {
    db: t.db,
    logger: logs.logger,
    secrets: createSecretBox(randomBytes(32)),
    get chorus(): never {
      throw new Error('intake never calls Chorus Pro')
    },
    chorusEnv: 'sandbox',
    now: () => new Date(),
    jobs: createJobQueue(t.db, () => { ports.wakes++ }), webhookTargets: addressPolicy([]),
    dataDir: opts.dataDir ?? '/nonexistent',
    inboxDir: opts.inboxDir ?? '/nonexistent/inbox',
    // Test folders live under the system's temporary directory.
    folderSourceRoots: [tmpdir()],
    wakes: 0,
  }
  return ports
}

export interface IntakeApp {
  readonly ports: IntakePorts
  readonly logs: ReturnType<typeof captureLogs>
  call(role: Role | null, path: string, init?: RequestInit): Promise<Response>
  json(role: Role | null, path: string, body?: unknown, method?: string): Promise<{ status: number; body: any }>
}

export async function intakeApp(t: TestDatabase, ports: IntakePorts, opts: { bodyLimitBytes?: number } = {}): Promise<IntakeApp> {
  const logs = captureLogs()
  await ensureDefaultSources(t.db, ports.inboxDir)
  const app = createApp({
    db: t.db,
    logger: logs.logger,
    metrics: createMetrics(t.db),
    version: 'test',
    bodyLimitBytes: opts.bodyLimitBytes ?? 25 * 1024 * 1024,
    apiRoutes: [documentsRoutes(ports), sourcesRoutes(ports), filingRulesRoutes(ports)],
  })
  const keys = {} as Record<Role, string>
  for (const role of ['viewer', 'operator', 'admin'] as const) keys[role] = (await createApiKey(t.db, { name: `test ${role}`, role })).key
  const call = (role: Role | null, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (role) headers.set('Authorization', `Bearer ${keys[role]}`)
    return Promise.resolve(app.request(path, { ...init, headers }))
  }
  return {
    ports,
    logs,
    call,
    async json(role, path, body, method) {
      const res = await call(role, path, body === undefined ? { method: method ?? 'GET' } : { method: method ?? 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    },
  }
}

/** A small valid PDF made by pdf-lib, distinct per `label`. */
export async function pdfBytes(label: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.setTitle(label)
  doc.addPage([200, 200]).drawText(label.slice(0, 40), { x: 10, y: 100, size: 8 })
  return doc.save()
}

/** A minimal hand-written PDF (header and %%EOF), cheap to make by the hundred. */
export function tinyPdf(label: string): Uint8Array {
  return new TextEncoder().encode(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`)
}

export function multipart(fields: Record<string, string | { bytes: Uint8Array; name: string; type?: string }>): FormData {
  const fd = new FormData()
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') fd.append(k, v)
    else fd.append(k, new File([v.bytes as any], v.name, { type: v.type ?? 'application/pdf' }))
  }
  return fd
}
