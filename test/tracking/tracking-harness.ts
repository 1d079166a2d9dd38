import { addressPolicy } from '../../src/domain/address-policy'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/http/app'
import { createMetrics } from '../../src/http/metrics'
import { createApiKey } from '../../src/db/api-keys'
import { createAccount } from '../../src/db/accounts'
import type { Role, Account } from '../../src/db/schema'
import { createSecretBox } from '../../src/secrets/secret-box'
import { SANDBOX_CREDENTIALS, SEED_STRUCTURES } from '../../src/sandbox'
import type { ChorusClient } from '../../src/chorus'
import { createJobQueue } from '../../src/jobs/job-queue'
import type { Ports } from '../../src/workflows/ports'
import { invoicesRoutes } from '../../src/http/api/invoices-routes'
import { exportsRoutes } from '../../src/http/api/exports-routes'
import { webhooksRoutes } from '../../src/http/api/webhooks-routes'
import type { TestDatabase } from '../support/databases'
import { captureLogs } from '../support/log-capture'
import { ACCOUNT, saisie, sandboxClient, startSandbox, type RunningSandbox } from '../chorus/sandbox-harness'

/** A structure of the seeded directory with no routing requirement. */
export const OPEN_RECIPIENT = SEED_STRUCTURES.find((s) => !s.serviceRequired && !s.engagementRequired && !s.serviceOrEngagementRequired && s.active)!

export interface TrackingWorld {
  readonly sandbox: RunningSandbox
  readonly ports: Ports & { clock: { offsetMs: number } }
  readonly account: Account
  readonly chorus: ChorusClient
  readonly logs: ReturnType<typeof captureLogs>
  call(role: Role | null, path: string, init?: RequestInit): Promise<Response>
  /** Submits an invoice to the sandbox and records it as the submission workflow does (DEPOSEE). */
  submit(numero: string, over?: { recipient?: string; withDocument?: boolean }): Promise<{ id: string; chorusId: number }>
  close(): Promise<void>
}

/**
 * Database + sandbox over loopback HTTP (clock paused: statuses change only through the control API and
 * actions) + the tracking routes on the real app, with a supplier account linked to the sandbox supplier.
 */
export async function trackingWorld(t: TestDatabase, opts: { client?: Parameters<typeof sandboxClient>[1] } = {}): Promise<TrackingWorld> {
  const sandbox = await startSandbox({ clock: { paused: true } })
  const chorus = sandboxClient(sandbox.base, opts.client)
  const logs = captureLogs('warn')
  const clock = { offsetMs: 0 }
  const ports = {
    db: t.db,
    logger: logs.logger,
    secrets: createSecretBox(randomBytes(32)),
    chorus,
    chorusEnv: 'sandbox' as const,
    now: () => new Date(Date.now() + clock.offsetMs),
    jobs: createJobQueue(t.db, () => {}), webhookTargets: addressPolicy(['127.0.0.1']),
    dataDir: mkdtempSync(join(tmpdir(), 'tracking-')),
    inboxDir: mkdtempSync(join(tmpdir(), 'tracking-inbox-')),
    clock,
  }
  const account = await createAccount(t.db, ports.secrets, 'sandbox', {
    name: 'Fournisseur Démo',
    siret: SANDBOX_CREDENTIALS.supplierSiret,
    technicalLogin: SANDBOX_CREDENTIALS.technicalLogin,
    technicalPassword: SANDBOX_CREDENTIALS.technicalPassword,
    chorusStructureId: SANDBOX_CREDENTIALS.supplierIdStructureCPP,
  })
  const app = createApp({
    db: t.db,
    logger: logs.logger,
    metrics: createMetrics(t.db),
    version: 'test',
    bodyLimitBytes: 30 * 1024 * 1024,
    apiRoutes: [invoicesRoutes(ports), exportsRoutes(ports), webhooksRoutes(ports)],
  })
  const keys = {} as Record<Role, string>
  for (const role of ['viewer', 'operator', 'admin'] as const) keys[role] = (await createApiKey(t.db, { name: `test ${role}`, role })).key

  let docSeq = 0
  return {
    sandbox,
    ports,
    account,
    chorus,
    logs,
    call(role, path, init = {}) {
      const headers = new Headers(init.headers)
      if (role) headers.set('Authorization', `Bearer ${keys[role]}`)
      return Promise.resolve(app.request(path, { ...init, headers }))
    },
    async submit(numero, over = {}) {
      const recipient = over.recipient ?? OPEN_RECIPIENT.siret
      const r = await chorus.soumettre(ACCOUNT, saisie(recipient, { numero }))
      let documentId: string | null = null
      if (over.withDocument) {
        const src = await t.db.insertInto('sources').values({ kind: 'push', name: `push-${numero}` }).returning('id').executeTakeFirstOrThrow()
        const d = await t.db
          .insertInto('documents')
          .values({ source_id: src.id, source_ref: `ref-${++docSeq}`, checksum: `c-${numero}`, filename: `${numero}.pdf`, size: 1, fields: JSON.stringify({ recipientLabel: { value: 'Mairie de Sandbox', origin: 'text' } }) })
          .returning('id')
          .executeTakeFirstOrThrow()
        documentId = d.id
      }
      const inv = await t.db
        .insertInto('invoices')
        .values({
          account_id: account.id,
          document_id: documentId,
          chorus_invoice_id: r.identifiantFactureCPP,
          invoice_number: numero,
          recipient_siret: recipient,
          recipient_name: OPEN_RECIPIENT.name,
          amount_net: '100.00',
          amount_vat: '20.00',
          amount_gross: '120.00',
          amount_due: '120.00',
          invoice_date: '2026-11-20',
          deposited_at: new Date(),
          status: 'DEPOSEE',
          status_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await t.db.insertInto('invoice_events').values({ invoice_id: inv.id, kind: 'status', status: 'DEPOSEE', actor: 'system' }).execute()
      return { id: inv.id, chorusId: r.identifiantFactureCPP }
    },
    async close() {
      await sandbox.close()
    },
  }
}

export const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
