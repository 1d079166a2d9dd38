import { addressPolicy } from '../../src/domain/address-policy'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import cron from 'node-cron'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config'
import { createAccount } from '../../src/db/accounts'
import { putBlob } from '../../src/db/blobs'
import { createSource } from '../../src/db/sources'
import type { Account, JobState } from '../../src/db/schema'
import { todayIn } from '../../src/domain/calendar-date'
import { withLuhnDigit } from '../../src/domain/siret'
import { createJobQueue } from '../../src/jobs/job-queue'
import type { JobHandler } from '../../src/jobs/job-handler'
import { SANDBOX_CREDENTIALS } from '../../src/sandbox'
import { createSecretBox } from '../../src/secrets/secret-box'
import { wire, type Wiring } from '../../src/wiring'
import { addRecipient, saveMailSettings } from '../../src/workflows/notifications/mail-settings'
import { parisHour } from '../../src/workflows/notifications/run-digest'
import { JOB_KINDS, type JobKind, type JobRun } from '../../src/workflows/jobs'
import type { Ports } from '../../src/workflows/ports'
import { ACCOUNT, saisie, sandboxClient, startSandbox, type RunningSandbox } from '../chorus/sandbox-harness'
import { testEngines, type TestDatabase } from '../support/databases'
import { captureLogs } from '../support/log-capture'
import { OPEN_RECIPIENT } from '../tracking/tracking-harness'

/**
 * Issue 12, item 8: every cron schedule of src/wiring.ts, and what its job does. The schedule list is
 * pinned (name → kind → cron); then each schedule's job is run through the handler `wire()` maps its
 * kind to, on a database (and a sandbox) set up with the state that job acts on, and its effect is
 * read back from the database and the sandbox.
 */

/** The schedules as they must be: a change to src/wiring.ts's list has to change this test too. */
const EXPECTED_SCHEDULES = [
  { name: 'sources.poll', kind: 'sources.poll', cron: '* * * * *' },
  { name: 'documents.auto-submit', kind: 'documents.auto-submit', cron: '*/10 * * * *' },
  { name: 'documents.reconcile', kind: 'documents.reconcile', cron: '*/5 * * * *' },
  { name: 'documents.recheck-all', kind: 'documents.recheck-all', cron: '30 6 * * *' },
  { name: 'invoices.sync', kind: 'invoices.sync', cron: '*/30 * * * *' },
  { name: 'exports.expire', kind: 'exports.expire', cron: '7 * * * *' },
  { name: 'accounts.check', kind: 'accounts.check', cron: '0 7 * * *' },
  { name: 'maintenance.purge', kind: 'maintenance.purge', cron: '15 3 * * *' },
  { name: 'notifications.tick', kind: 'notifications.tick', cron: '0 * * * *' },
] as const

/** Schedules whose job's effect is tested below (one `it` each): a new schedule without one fails the first test. */
const EFFECT_TESTED = new Set<string>()
const effect = (name: string, title: string, fn: () => Promise<void>) => {
  EFFECT_TESTED.add(name)
  it(`${name}: ${title}`, fn)
}

/** A second supplier of the sandbox, whose technical account's password expires in 10 days. */
const EXPIRING = {
  supplier: { idStructureCPP: 26_000_777, siret: withLuhnDigit('4444444444444'), name: 'Imprimerie Expirante' },
  login: 'TECH_EXPIRING@cpro.fr',
  password: 'Expiring-Password-1',
  expiresOn: new Date(Date.parse(todayIn('Europe/Paris')) + 10 * 24 * 3600_000).toISOString().slice(0, 10),
}

const MINUTE = 60_000
const DAY = 24 * 3600_000

describe.each(testEngines())('the scheduled jobs of wire() on $name', (engine) => {
  let sandbox: RunningSandbox
  let t: TestDatabase | undefined
  let dataDir: string | undefined

  beforeAll(async () => {
    // Paused clock: invoice statuses move only through the control API.
    sandbox = await startSandbox({
      clock: { paused: true },
      suppliers: [EXPIRING.supplier],
      technicalAccounts: [{ login: EXPIRING.login, password: EXPIRING.password, structures: [EXPIRING.supplier.idStructureCPP], passwordExpiresOn: EXPIRING.expiresOn }],
    })
  })
  afterAll(async () => {
    await sandbox?.close()
  })
  afterEach(async () => {
    await t?.close()
    t = undefined
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    dataDir = undefined
  })

  /** A fresh database, ports against it and the sandbox, and the wiring built from them as service.ts does. */
  async function world() {
    sandbox.reset()
    t = await engine.open()
    const db = t.db
    const logs = captureLogs('warn')
    const dir = (dataDir = mkdtempSync(join(tmpdir(), 'schedules-')))
    const chorus = sandboxClient(sandbox.base)
    const ports: Ports = {
      db,
      logger: logs.logger,
      secrets: createSecretBox(randomBytes(32)),
      chorus,
      chorusEnv: 'sandbox',
      now: () => new Date(),
      jobs: createJobQueue(db, () => {}), webhookTargets: addressPolicy([]),
      dataDir: dir,
      inboxDir: join(dir, 'inbox'),
    }
    const config = loadConfig({ DATA_DIR: dir })
    const wiring = wire(ports, config)

    /** Runs the job the named schedule enqueues, through the handler wire() maps its kind to. */
    const runSchedule = async (name: string): Promise<unknown> => {
      const s = wiring.schedules.find((x) => x.name === name)
      if (!s) throw new Error(`no schedule ${name}`)
      const run: JobRun = { id: 'test', attempt: 1, lastAttempt: false, logger: logs.logger, signal: new AbortController().signal, completeWithin: async () => {} }
      return (wiring.handlers[s.kind] as JobHandler<JobKind>)({} as never, run)
    }

    /** Jobs of a kind, with the id their payload names (documentId, sourceId), oldest first. */
    const jobsOf = async (kind: JobKind, state?: JobState) => {
      let q = db.selectFrom('jobs').select(['id', 'payload', 'key', 'state']).where('kind', '=', kind).orderBy('id')
      if (state) q = q.where('state', '=', state)
      return (await q.execute()).map((j) => ({ ...j, target: String((j.payload as Record<string, unknown>).documentId ?? (j.payload as Record<string, unknown>).sourceId ?? '') }))
    }

    let push: { id: string } | undefined
    let seq = 0
    /** A document as intake and analysis leave it (blob, fields, invoice number), then put in the given stage. */
    const document = async (o: {
      accountId: string | null
      stage: 'received' | 'analysing' | 'to_submit' | 'submitting' | 'submitted' | 'removed'
      ready?: boolean
      submitError?: boolean
      attempt?: Record<string, unknown>
      updatedAt?: Date
    }): Promise<string> => {
      push ??= await createSource(db, { kind: 'push', name: 'push', config: {} })
      const n = ++seq
      const bytes = new TextEncoder().encode(`%PDF-1.4\n% invoice ${n} ${randomUUID()}\n%%EOF\n`)
      const sha = await putBlob(db, bytes)
      const analysed = o.stage !== 'received' && o.stage !== 'analysing'
      const number = `F-2026-${String(n).padStart(4, '0')}`
      const fields = analysed
        ? {
            invoiceNumber: { value: number, origin: 'text', confidence: 0.9 },
            invoiceDate: { value: '2026-11-20', origin: 'text', confidence: 0.9 },
            invoiceType: { value: 'FACTURE', origin: 'text', confidence: 0.8 },
            currency: { value: 'EUR', origin: 'text', confidence: 0.8 },
            recipientSiret: { value: OPEN_RECIPIENT.siret, origin: 'text', confidence: 0.9 },
            amountNet: { value: '100.00', origin: 'text', confidence: 0.9 },
            amountVat: { value: '20.00', origin: 'text', confidence: 0.9 },
            amountGross: { value: '120.00', origin: 'text', confidence: 0.9 },
            amountDue: { value: '120.00', origin: 'text', confidence: 0.9 },
          }
        : {}
      const ready = o.ready ?? (o.stage === 'to_submit' || o.stage === 'submitting' || o.stage === 'submitted')
      const row = await db
        .insertInto('documents')
        .values({
          source_id: push.id,
          source_ref: `ref-${n}`,
          checksum: sha,
          blob_sha256: sha,
          filename: `${number}.pdf`,
          size: bytes.length,
          account_id: o.accountId,
          host_metadata: JSON.stringify({}),
          stage: o.stage,
          analysis_status: analysed ? 'done' : 'pending',
          fields: JSON.stringify(fields),
          invoice_number: analysed ? number : null,
          problems: JSON.stringify(
            ready || !analysed ? [] : [{ code: 'invoice_number_missing', field: 'invoiceNumber', message: { fr: 'Le numéro de facture est absent : saisissez-le.', en: 'The invoice number is missing: enter it.' } }],
          ),
          ready,
          submit_error: o.submitError
            ? JSON.stringify({ code: 'chorus_flow_rejected', message: { fr: 'Chorus Pro a rejeté le flux.', en: 'Chorus Pro rejected the flow.' } })
            : null,
          submission_attempt: o.attempt ? JSON.stringify(o.attempt) : null,
          ...(o.stage === 'removed' ? { stage_before_removal: 'to_submit', removed_at: new Date(), removed_by: 'key:test' } : {}),
          ...(o.updatedAt ? { updated_at: o.updatedAt, received_at: o.updatedAt } : {}),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return row.id
    }

    const account = (name: string, over: { autoSubmit?: boolean; disabled?: boolean; login?: string; password?: string; siret?: string } = {}): Promise<Account> =>
      createAccount(db, ports.secrets, 'sandbox', {
        name,
        siret: over.siret ?? SANDBOX_CREDENTIALS.supplierSiret,
        technicalLogin: over.login ?? SANDBOX_CREDENTIALS.technicalLogin,
        technicalPassword: over.password ?? SANDBOX_CREDENTIALS.technicalPassword,
        autoSubmit: over.autoSubmit ?? false,
      }).then(async (a) => (over.disabled ? db.updateTable('accounts').set({ disabled_at: new Date() }).where('id', '=', a.id).returningAll().executeTakeFirstOrThrow() : a))

    return { db, ports, logs, wiring, chorus, runSchedule, jobsOf, document, account }
  }

  it('has exactly the expected schedules, each a valid cron expression whose kind has a handler', async () => {
    const { wiring } = await world()
    expect(wiring.schedules.map((s) => ({ name: s.name, kind: s.kind, cron: s.cron }))).toEqual(EXPECTED_SCHEDULES)
    expect(new Set(wiring.schedules.map((s) => s.name)).size).toBe(wiring.schedules.length)
    // The check below can fail: node-cron's validate refuses what it cannot schedule.
    expect(cron.validate('61 * * * *')).toBe(false)
    for (const s of wiring.schedules) {
      expect(cron.validate(s.cron), `${s.name}: ${s.cron}`).toBe(true)
      expect(Object.keys(JOB_KINDS), s.name).toContain(s.kind)
      expect(typeof (wiring.handlers as Record<string, unknown>)[s.kind], s.name).toBe('function')
    }
    // Each schedule's job has its effect tested in this file.
    expect([...EFFECT_TESTED].sort()).toEqual(wiring.schedules.map((s) => s.name).sort())
  })

  it('takes the auto-submit sweep from AUTO_SUBMIT_CRON', async () => {
    const { ports } = await world()
    const w: Wiring = wire(ports, loadConfig({ DATA_DIR: ports.dataDir, AUTO_SUBMIT_CRON: '*/3 8-18 * * 1-5' }))
    expect(w.schedules.find((s) => s.name === 'documents.auto-submit')).toEqual({ name: 'documents.auto-submit', kind: 'documents.auto-submit', cron: '*/3 8-18 * * 1-5' })
  })

  effect('sources.poll', 'an enabled folder source whose poll interval elapsed gets a scan; a recent, a disabled and a push source none', async () => {
    const w = await world()
    const folder = (name: string) => ({ path: join(w.ports.dataDir, name), recursive: false, afterIntake: 'move', pollSeconds: 60 })
    const due = await createSource(w.db, { kind: 'folder', name: 'due', config: folder('due') })
    const never = await createSource(w.db, { kind: 'folder', name: 'never-scanned', config: folder('never') })
    const recent = await createSource(w.db, { kind: 'folder', name: 'recent', config: folder('recent') })
    const disabled = await createSource(w.db, { kind: 'folder', name: 'disabled', config: folder('disabled'), enabled: false })
    const push = await createSource(w.db, { kind: 'push', name: 'push-only', config: {} })
    const scanned = (id: string, at: Date) => w.db.updateTable('sources').set({ last_scan_at: at }).where('id', '=', id).execute()
    await scanned(due.id, new Date(Date.now() - 5 * MINUTE))
    await scanned(recent.id, new Date(Date.now() - 10_000))
    await scanned(disabled.id, new Date(Date.now() - 5 * MINUTE))
    await scanned(push.id, new Date(Date.now() - 5 * MINUTE))

    await w.runSchedule('sources.poll')
    const jobs = await w.jobsOf('source.scan')
    expect(jobs.map((j) => j.target).sort()).toEqual([due.id, never.id].sort())
    expect(jobs.every((j) => j.state === 'pending' && j.key === `source.scan:${j.target}`)).toBe(true)
    // The next minute's poll does not double a scan still waiting.
    await w.runSchedule('sources.poll')
    expect(await w.jobsOf('source.scan')).toHaveLength(2)
  })

  effect('documents.auto-submit', 'a ready document of an auto-submit account gets a submission; manual accounts, errors, incomplete and other stages none', async () => {
    const w = await world()
    const auto = await w.account('Auto', { autoSubmit: true })
    const manual = await w.account('Manuel', { autoSubmit: false })
    const disabled = await w.account('Désactivé', { autoSubmit: true, disabled: true })
    const ready = await w.document({ accountId: auto.id, stage: 'to_submit' })
    const ready2 = await w.document({ accountId: auto.id, stage: 'to_submit' })
    await w.document({ accountId: manual.id, stage: 'to_submit' })
    await w.document({ accountId: auto.id, stage: 'to_submit', submitError: true })
    await w.document({ accountId: auto.id, stage: 'to_submit', ready: false })
    await w.document({ accountId: disabled.id, stage: 'to_submit' })
    await w.document({ accountId: auto.id, stage: 'submitted' })
    await w.document({ accountId: auto.id, stage: 'analysing' })
    await w.document({ accountId: null, stage: 'to_submit', ready: false })

    await w.runSchedule('documents.auto-submit')
    const jobs = await w.jobsOf('document.submit')
    expect(jobs.map((j) => j.target)).toEqual([ready, ready2])
    expect(jobs.map((j) => j.payload)).toEqual([{ documentId: ready }, { documentId: ready2 }])
    expect(jobs.every((j) => j.state === 'pending')).toBe(true)
    // Queued only: nothing reached Chorus Pro, the documents are still waiting.
    expect((await sandbox.calls())['factures/v1/soumettre'] ?? 0).toBe(0)
    const stages = await w.db.selectFrom('documents').select('stage').where('id', 'in', [ready, ready2]).execute()
    expect(stages.map((s) => s.stage)).toEqual(['to_submit', 'to_submit'])
  })

  effect('documents.reconcile', 'a submission left in submitting for over 2 minutes with no live job is queued again (followed when a flow was deposited); recent or covered ones are not', async () => {
    const w = await world()
    const a = await w.account('Fournisseur')
    const old = new Date(Date.now() - 10 * MINUTE)
    const pdfAttempt = () => ({ id: randomUUID(), route: 'pdf', startedAt: old.toISOString(), by: 'auto' })
    const interrupted = await w.document({ accountId: a.id, stage: 'submitting', attempt: pdfAttempt(), updatedAt: old })
    const flow = await w.document({ accountId: a.id, stage: 'submitting', attempt: { ...pdfAttempt(), route: 'facturx', flowNumber: 'FLUX-20261120-0001' }, updatedAt: old })
    const recent = await w.document({ accountId: a.id, stage: 'submitting', attempt: pdfAttempt(), updatedAt: new Date(Date.now() - 30_000) })
    const pending = await w.document({ accountId: a.id, stage: 'submitting', attempt: pdfAttempt(), updatedAt: old })
    const running = await w.document({ accountId: a.id, stage: 'submitting', attempt: { ...pdfAttempt(), route: 'facturx', flowNumber: 'FLUX-20261120-0002' }, updatedAt: old })
    const finished = await w.document({ accountId: a.id, stage: 'submitting', attempt: pdfAttempt(), updatedAt: old })
    await w.document({ accountId: a.id, stage: 'to_submit', updatedAt: old })
    await w.document({ accountId: a.id, stage: 'submitted', updatedAt: old })
    const job = (kind: JobKind, documentId: string, state: JobState) =>
      w.db
        .insertInto('jobs')
        .values({
          kind,
          key: `${kind}:${documentId}`,
          payload: JSON.stringify({ documentId }),
          state,
          attempts: state === 'pending' ? 0 : 1,
          run_at: old,
          created_at: old,
          updated_at: old,
          ...(state === 'running' ? { locked_by: 'other-instance', locked_until: new Date(Date.now() + MINUTE) } : {}),
          ...(state === 'done' ? { finished_at: old } : {}),
        })
        .execute()
    await job('document.submit', pending, 'pending')
    await job('document.follow-flow', running, 'running')
    // A finished job does not cover the document: its worker died after it ended.
    await job('document.submit', finished, 'done')

    await w.runSchedule('documents.reconcile')
    const submits = await w.jobsOf('document.submit', 'pending')
    expect(submits.map((j) => j.target).sort()).toEqual([interrupted, pending, finished].sort())
    const follows = await w.jobsOf('document.follow-flow')
    expect(follows.map((j) => [j.target, j.state])).toEqual([[running, 'running'], [flow, 'pending']])
    // No job at all for the recent one; one each (not two) for those already covered.
    expect((await w.db.selectFrom('jobs').select('id').where('key', 'like', `%:${recent}`).execute()).length).toBe(0)
    expect((await w.db.selectFrom('jobs').select('id').where('key', 'like', `%:${pending}`).execute()).length).toBe(1)
    expect((await w.db.selectFrom('jobs').select('id').where('key', 'like', `%:${running}`).execute()).length).toBe(1)
    expect((await w.db.selectFrom('jobs').select('id').where('key', '=', `document.follow-flow:${interrupted}`).execute()).length).toBe(0)
  })

  effect('documents.recheck-all', 'every document waiting in to_submit gets a recheck; documents in other stages none', async () => {
    const w = await world()
    const a = await w.account('Fournisseur')
    const waiting = [
      await w.document({ accountId: a.id, stage: 'to_submit' }),
      await w.document({ accountId: a.id, stage: 'to_submit', ready: false }),
      await w.document({ accountId: a.id, stage: 'to_submit', submitError: true }),
      await w.document({ accountId: null, stage: 'to_submit', ready: false }),
    ]
    for (const stage of ['received', 'analysing', 'submitting', 'submitted', 'removed'] as const) await w.document({ accountId: a.id, stage })

    await w.runSchedule('documents.recheck-all')
    const jobs = await w.jobsOf('document.recheck')
    expect(jobs.map((j) => j.target).sort()).toEqual([...waiting].sort())
    expect(jobs.every((j) => j.state === 'pending' && j.key === `document.recheck:${j.target}`)).toBe(true)
  })

  effect('invoices.sync', 'a tracked invoice whose status changed in Chorus Pro gets the new status and its history', async () => {
    const w = await world()
    const a = await w.account('Fournisseur Démo')
    const tracked = async (numero: string) => {
      const r = await w.chorus.soumettre(ACCOUNT, saisie(OPEN_RECIPIENT.siret, { numero }))
      const inv = await w.db
        .insertInto('invoices')
        .values({
          account_id: a.id,
          chorus_invoice_id: r.identifiantFactureCPP,
          invoice_number: numero,
          recipient_siret: OPEN_RECIPIENT.siret,
          recipient_name: OPEN_RECIPIENT.name,
          amount_net: '100.00',
          amount_vat: '20.00',
          amount_gross: '120.00',
          amount_due: '120.00',
          invoice_date: '2026-11-20',
          deposited_at: new Date(),
          deposit_mode: 'SAISIE_API',
          status: 'DEPOSEE',
          status_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await w.db.insertInto('invoice_events').values({ invoice_id: inv.id, kind: 'status', status: 'DEPOSEE', actor: 'system' }).execute()
      return { id: inv.id, chorusId: r.identifiantFactureCPP }
    }
    const moved = await tracked('SCHED-SYNC-1')
    const still = await tracked('SCHED-SYNC-2')
    await sandbox.setStatus(moved.chorusId, 'MISE_A_DISPOSITION')
    await sandbox.setStatus(moved.chorusId, 'SUSPENDUE', 'Bon de commande manquant')
    const before = await sandbox.calls()

    await w.runSchedule('invoices.sync')
    const inv = (id: string) => w.db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    const statuses = async (id: string) => (await w.db.selectFrom('invoice_events').select(['status', 'kind']).where('invoice_id', '=', id).orderBy('id').execute()).filter((e) => e.kind === 'status').map((e) => e.status)
    const m = await inv(moved.id)
    expect(m.status).toBe('SUSPENDUE')
    expect(m.status_comment).toBe('Bon de commande manquant')
    expect(m.to_process).toBe(true)
    expect(await statuses(moved.id)).toEqual(expect.arrayContaining(['DEPOSEE', 'MISE_A_DISPOSITION', 'SUSPENDUE']))
    const s = await inv(still.id)
    expect(s.status).toBe('DEPOSEE')
    expect(s.unchanged_polls).toBe(1)
    // Chorus Pro was asked: one sweep, one history per tracked invoice.
    const after = await sandbox.calls()
    const delta = (op: string) => (after[op] ?? 0) - (before[op] ?? 0)
    expect(delta('factures/v1/rechercher/fournisseur')).toBe(1)
    expect(delta('factures/v1/consulter/historique')).toBe(2)
  })

  effect('exports.expire', 'a finished export past its retention loses its file and becomes expired; a fresh one stays', async () => {
    const w = await world()
    const dir = join(w.ports.dataDir, 'exports')
    mkdirSync(dir, { recursive: true })
    const finished = async (expiresAt: Date) => {
      const e = await w.db
        .insertInto('exports')
        .values({ state: 'done', filters: JSON.stringify({ status: 'DEPOSEE' }), options: JSON.stringify({ separator: ';' }), rows_done: 1, rows_total: 1, created_by: 'key:test', finished_at: new Date(expiresAt.getTime() - DAY) })
        .returning('id')
        .executeTakeFirstOrThrow()
      const path = join(dir, `export-${e.id}.csv`)
      writeFileSync(path, 'id;number\n1;F-1\n')
      await w.db.updateTable('exports').set({ file_path: path, file_size: 16, expires_at: expiresAt }).where('id', '=', e.id).execute()
      return { id: e.id, path }
    }
    const old = await finished(new Date(Date.now() - 3600_000))
    const fresh = await finished(new Date(Date.now() + 3600_000))
    const running = await w.db.insertInto('exports').values({ state: 'running', filters: JSON.stringify({}), options: JSON.stringify({}), created_by: 'key:test' }).returning('id').executeTakeFirstOrThrow()

    await w.runSchedule('exports.expire')
    const state = async (id: string) => (await w.db.selectFrom('exports').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state
    // The row is kept as `expired` (GET /exports/{id}/file then answers 410), its file is gone.
    expect(await state(old.id)).toBe('expired')
    expect(existsSync(old.path)).toBe(false)
    expect(await state(fresh.id)).toBe('done')
    expect(existsSync(fresh.path)).toBe(true)
    expect(await state(running.id)).toBe('running')
  })

  effect('accounts.check', "every active account's connection is tested against Chorus Pro and the result recorded on it; disabled accounts are left alone", async () => {
    const w = await world()
    // A host subscribed to account.password_expiring only.
    await w.db.insertInto('webhooks').values({ url: 'http://127.0.0.1:9/hook', secret_enc: w.ports.secrets.seal('s'.repeat(20)), events: JSON.stringify(['account.password_expiring']) }).execute()
    const good = await w.account('Fournisseur Démo')
    const expiring = await w.account('Imprimerie Expirante', { siret: EXPIRING.supplier.siret, login: EXPIRING.login, password: EXPIRING.password })
    const refused = await w.account('Mot de passe faux', { password: 'Wrong-Password-123' })
    const disabled = await w.account('Désactivé', { disabled: true })
    expect(good.chorus_structure_id).toBeNull()
    const before = await sandbox.calls()

    await w.runSchedule('accounts.check')
    const get = (id: string) => w.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    type Check = { ok: boolean; checkedAt: string; steps: Array<{ step: string; ok: boolean }>; passwordWarning: unknown }
    const g = await get(good.id)
    const gc = g.last_connection_check as Check
    expect(gc).toMatchObject({ ok: true, passwordWarning: null })
    expect(gc.steps.map((s) => s.step)).toEqual(['piste_application', 'technical_account', 'structure_linked', 'password_expiry'])
    expect(Math.abs(Date.parse(gc.checkedAt) - Date.now())).toBeLessThan(MINUTE)
    // What the check learns is recorded on the account.
    expect(g.chorus_structure_id).toBe(String(SANDBOX_CREDENTIALS.supplierIdStructureCPP))

    const e = await get(expiring.id)
    expect(e.chorus_structure_id).toBe(String(EXPIRING.supplier.idStructureCPP))
    expect(e.password_expires_on).toBe(EXPIRING.expiresOn)
    expect((e.last_connection_check as Check).passwordWarning).toMatchObject({ en: expect.stringMatching(/expires in 10 day/) })
    // The expiring account, and it alone, is an account.password_expiring event for the host.
    const events = await w.db.selectFrom('webhook_deliveries').select(['event', 'payload']).execute()
    expect(events.map((d) => d.event)).toEqual(['account.password_expiring'])
    expect((events[0]!.payload as { data: unknown }).data).toMatchObject({ accountId: expiring.id, name: 'Imprimerie Expirante', passwordExpiresOn: EXPIRING.expiresOn, daysLeft: 10, expired: false, message: { fr: expect.stringMatching(/expire dans 10 jour/) } })

    const r = (await get(refused.id)).last_connection_check as Check
    expect(r.ok).toBe(false)
    expect(r.steps.find((s) => !s.ok)?.step).toBe('technical_account')

    expect((await get(disabled.id)).last_connection_check).toBeNull()
    // Three accounts, three technical-account checks in the sandbox.
    const after = await sandbox.calls()
    const op = 'transverses/v1/recuperer/structures/actives/fournisseur'
    expect((after[op] ?? 0) - (before[op] ?? 0)).toBe(3)
  })

  effect('maintenance.purge', 'done jobs older than 7 days, dead ones older than 30 and cron slots older than 7 days are deleted; recent ones stay', async () => {
    const w = await world()
    const ago = (days: number) => new Date(Date.now() - days * DAY)
    const job = async (state: JobState, days: number, kind: JobKind = 'document.analyse') => {
      const at = ago(days)
      const r = await w.db
        .insertInto('jobs')
        .values({
          kind,
          payload: JSON.stringify({ documentId: String(1000 + Math.round(days)) }),
          key: state === 'pending' ? `${kind}:${1000 + Math.round(days)}` : null,
          state,
          attempts: state === 'pending' ? 0 : state === 'dead' ? 10 : 1,
          run_at: at,
          created_at: at,
          updated_at: at,
          last_error: state === 'dead' ? 'Error: analysis failed' : null,
          finished_at: state === 'done' || state === 'dead' ? at : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return r.id
    }
    const doneOld = await job('done', 8)
    const doneRecent = await job('done', 6)
    const deadOld = await job('dead', 31)
    const deadRecent = await job('dead', 8)
    const pendingOld = await job('pending', 60)
    const slot = async (name: string, days: number) => {
      const at = ago(days)
      at.setUTCSeconds(0, 0)
      await w.db.insertInto('cron_slots').values({ name, slot: at, instance: 'instance-a', created_at: at }).execute()
      return at.toISOString()
    }
    const slotOld = await slot('documents.reconcile', 8)
    const slotRecent = await slot('documents.reconcile', 6)
    const slotNow = await slot('sources.poll', 0)

    await w.runSchedule('maintenance.purge')
    const ids = (await w.db.selectFrom('jobs').select('id').orderBy('id').execute()).map((j) => j.id)
    expect(ids).toEqual([doneRecent, deadRecent, pendingOld])
    expect(ids).not.toContain(doneOld)
    expect(ids).not.toContain(deadOld)
    const slots = (await w.db.selectFrom('cron_slots').select('slot').orderBy('slot').execute()).map((s) => s.slot.toISOString())
    expect(slots).toEqual([slotRecent, slotNow])
    expect(slots).not.toContain(slotOld)
  })

  effect('notifications.tick', 'at the digest hour (Europe/Paris) the digests of the recipients with something to be told are queued, once a day; at another hour, or with nothing to say, nothing', async () => {
    const w = await world()
    const hour = parisHour(new Date())
    const outbox = () => w.db.selectFrom('mail_outbox').select(['kind', 'recipient', 'lang', 'subject']).orderBy('id').execute()
    // Nothing configured: nothing.
    await w.runSchedule('notifications.tick')
    expect(await outbox()).toEqual([])
    await saveMailSettings(w.ports, { host: '127.0.0.1', port: 2525, security: 'none', sender: 'chorus@example.org', digestHour: (hour + 1) % 24 })
    const demo = await w.account('Fournisseur Démo')
    await addRecipient(w.ports, { email: 'admin@example.org', role: 'admin' })
    await addRecipient(w.ports, { email: 'ops@example.org', role: 'operator', lang: 'en', accountId: demo.id })
    // Nothing to say at the right hour: nothing either (but the day is taken).
    await w.db.updateTable('mail_settings').set({ digest_hour: hour }).execute()
    await w.runSchedule('notifications.tick')
    expect(await outbox()).toEqual([])
    await w.db.updateTable('mail_settings').set({ last_digest_on: null }).execute()
    // A red document of the account: both recipients are told, each in their language.
    await w.document({ accountId: demo.id, stage: 'to_submit', ready: false })
    await w.db.updateTable('mail_settings').set({ digest_hour: (hour + 1) % 24 }).execute()
    await w.runSchedule('notifications.tick')
    expect(await outbox()).toEqual([])
    await w.db.updateTable('mail_settings').set({ digest_hour: hour }).execute()
    await w.runSchedule('notifications.tick')
    const queued = await outbox()
    expect(queued.map((o) => [o.kind, o.recipient, o.lang])).toEqual([['digest', 'admin@example.org', 'fr'], ['digest', 'ops@example.org', 'en']])
    expect(queued[0]!.subject).toMatch(/résumé .* 1 à déposer/)
    expect((await w.jobsOf('mail.send')).length).toBe(2)
    // Once a day: the next run in the same hour (a second instance, a retry) queues nothing more.
    await w.runSchedule('notifications.tick')
    expect(await outbox()).toHaveLength(2)
    expect((await w.db.selectFrom('mail_settings').select('last_digest_on').executeTakeFirstOrThrow()).last_digest_on).toBe(todayIn('Europe/Paris'))
  })
})
