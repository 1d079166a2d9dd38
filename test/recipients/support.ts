import { addressPolicy } from '../../src/domain/address-policy'
import { createJobQueue } from '../../src/jobs/job-queue'
import { randomBytes } from 'node:crypto'
import { createApp } from '../../src/http/app'
import { createMetrics } from '../../src/http/metrics'
import { createApiKey } from '../../src/db/api-keys'
import { createAccount } from '../../src/db/accounts'
import { createSecretBox } from '../../src/secrets/secret-box'
import { recipientsRoutes } from '../../src/http/api/recipients-routes'
import type { ChorusClient } from '../../src/chorus'
import type { Database } from '../../src/db/database'
import type { Role } from '../../src/db/schema'
import type { Ports } from '../../src/workflows/ports'
import { withLuhnDigit } from '../../src/domain/siret'
import type { TestDatabase } from '../support/databases'
import { captureLogs } from '../support/log-capture'

/** Valid (Luhn) SIRETs for the tests; SANDBOX_* are in the seeded sandbox directory. */
export const SIRET_A = withLuhnDigit('2176000000001') // Commune de Sandbox-sur-Mer
export const SIRET_B = withLuhnDigit('2276000000001') // Département du Bac-à-Sable (service required)
export const SIRET_C = withLuhnDigit('1111111111111')

export function testPorts(db: Database, over: { chorus?: () => ChorusClient } = {}) {
  const logs = captureLogs()
  let wakes = 0
  const ports: Ports = {
    db,
    logger: logs.logger,
    secrets: createSecretBox(randomBytes(32)),
    get chorus() {
      if (!over.chorus) throw new Error('no Chorus client in this test')
      return over.chorus()
    },
    chorusEnv: 'sandbox',
    now: () => new Date(),
    jobs: createJobQueue(db, () => {
      wakes++
    }),
    webhookTargets: addressPolicy([]),
    dataDir: '/nonexistent',
    inboxDir: '/nonexistent',
  }
  return { ports, logs, wakes: () => wakes }
}

export async function makeAccount(ports: Ports, name: string, siret = withLuhnDigit('5555555555555')) {
  return createAccount(ports.db, ports.secrets, ports.chorusEnv, { name, siret, technicalLogin: `${name}@cpro.fr`, technicalPassword: 'secret-password' })
}

let docSeq = 0
/** A document waiting in "to submit" (or another stage) whose printed recipient label is `label`. */
export async function makeDocument(db: Database, opts: { accountId: string | null; label: string | null; stage?: 'to_submit' | 'submitted' | 'received' }) {
  let source = await db.selectFrom('sources').select('id').where('name', '=', 'test-push').executeTakeFirst()
  if (!source) source = await db.insertInto('sources').values({ kind: 'push', name: 'test-push', config: '{}' }).returning('id').executeTakeFirstOrThrow()
  const n = ++docSeq
  const fields = opts.label === null ? {} : { recipientLabel: { value: opts.label, origin: 'text', confidence: 0.9 } }
  const row = await db
    .insertInto('documents')
    .values({
      source_id: source.id,
      source_ref: `doc-${n}`,
      checksum: `sum-${n}-${Math.random()}`,
      filename: `f${n}.pdf`,
      size: 10,
      account_id: opts.accountId,
      host_metadata: '{}',
      extracted: '{}',
      fields: JSON.stringify(fields),
      problems: '[]',
      stage: opts.stage ?? 'to_submit',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function recheckJobs(db: Database): Promise<string[]> {
  const jobs = await db.selectFrom('jobs').select(['payload', 'key']).where('kind', '=', 'document.recheck').where('state', '=', 'pending').orderBy('id').execute()
  return jobs.map((j) => String((j.payload as { documentId: string }).documentId)).sort((a, b) => Number(a) - Number(b))
}

/** Puts a structure and its services in the directory cache (what lookupStructure writes). */
export async function cacheStructure(
  db: Database,
  siret: string,
  s: { active?: boolean; found?: boolean; serviceRequired?: boolean; engagementRequired?: boolean; name?: string; services?: { code: string; active?: boolean; engagementRequired?: boolean }[] },
) {
  await db
    .insertInto('structures')
    .values({ environment: 'sandbox', siret, name: s.name ?? 'Structure', active: s.active ?? true, found: s.found ?? true, service_required: s.serviceRequired ?? false, engagement_required: s.engagementRequired ?? false })
    .execute()
  for (const v of s.services ?? []) {
    await db.insertInto('structure_services').values({ environment: 'sandbox', siret, code: v.code, label: `Service ${v.code}`, active: v.active ?? true, engagement_required: v.engagementRequired ?? false }).execute()
  }
}

export async function buildRecipientsApp(t: TestDatabase, opts: { chorus?: () => ChorusClient } = {}) {
  const { ports, logs, wakes } = testPorts(t.db, opts)
  const app = createApp({ db: t.db, logger: logs.logger, metrics: createMetrics(t.db), version: 'test', bodyLimitBytes: 5 * 1024 * 1024, apiRoutes: [recipientsRoutes(ports)] })
  const keys = {} as Record<Role, string>
  for (const role of ['viewer', 'operator', 'admin'] as const) keys[role] = (await createApiKey(t.db, { name: `test ${role}`, role })).key
  const call = (role: Role | null, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (role) headers.set('Authorization', `Bearer ${keys[role]}`)
    return Promise.resolve(app.request(path, { ...init, headers }))
  }
  const json = (role: Role, method: string, path: string, body?: unknown) =>
    call(role, path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { app, ports, logs, wakes, keys, call, json }
}
