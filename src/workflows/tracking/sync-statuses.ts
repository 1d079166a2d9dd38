import { createHash } from 'node:crypto'
import { sql, type ColumnType, type Transaction } from 'kysely'
import type { Account, DB } from '../../db/schema'
import type { Database } from '../../db/database'
import { technicalAccountOf } from '../../db/accounts'
import { isChorusError, type ConsulterHistoriqueResponse, type FactureFournisseurResume, type HistoStatut, type TechnicalAccount } from '../../chorus'
import { describeStatus, isFinalStatus, needsAction } from '../../domain/invoice-status'
import { emitWebhookEvent } from '../webhooks/emit-webhook-event'
import { queueWriteBack } from '../write-back/queue-write-back'
import { notifyRejection } from '../notifications/immediate'
import { linkReplacements } from './handle-rejection'
import type { Ports } from '../ports'
import { chorusInstant } from '../../domain/chorus-date'
import { depositedAt as storedDeposit } from '../../domain/deposit-date'
import { RetryLaterError, type Enqueued, type JobPayloads, type JobRun } from '../jobs'

/** tracking_sync_state (migrations/0003_tracking.ts): where each account's last sweep stopped. */
interface SyncStateTable {
  account_id: ColumnType<string, string, never>
  last_sweep_at: Date | null
  last_run: ColumnType<unknown, string | null, string | null>
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
}
type SyncDB = DB & { tracking_sync_state: SyncStateTable }
const withState = (db: Database) => db.withTables<{ tracking_sync_state: SyncStateTable }>()

export interface SyncOptions {
  /** Invoices polled per batch (one history call each, run concurrently under the client's limits). Default 100. */
  readonly batchSize?: number
  /** Per account and run, so one run always ends. Default 100,000. */
  readonly maxInvoices?: number
  /** Window of the first sweep for an account, in days. Default 90. */
  readonly firstSweepDays?: number
  /** Each sweep starts this long before the previous one started (clock skew, late writes). Default 1 hour. */
  readonly sweepOverlapMs?: number
  /** Base polling interval: a changed invoice is polled again after it, an unchanged one after 2^n times it. Default 25 min (the cron runs every 30). */
  readonly pollIntervalMs?: number
  /** Longest wait between two polls of an invoice that never changes. Default 24 h. */
  readonly maxPollIntervalMs?: number
  /** Search page size. Default 500. */
  readonly pageSize?: number
  readonly accountId?: string
  readonly signal?: AbortSignal
}

export interface SyncReport {
  accounts: number
  /** Rows read by the rechercher/fournisseur sweeps. */
  searched: number
  /** Invoices found in Chorus Pro that the connector did not know (submitted elsewhere). */
  discovered: number
  /** consulter/historique calls. */
  polled: number
  changed: number
  events: number
  errors: Array<{ accountId: string; invoiceId?: string; message: string }>
  ms: number
}

const SEARCH_ROWS_BATCH = 1000

/** A stable id for a history line: Chorus's histoStatutId, else a hash of what the line says. */
export function historyExternalId(h: HistoStatut): string {
  if (h.histoStatutId !== null && h.histoStatutId !== undefined) return `histo:${h.histoStatutId}`
  const text = [h.histoStatutCode, h.histoStatutDatePassage ?? '', h.histoStatutCommentaire ?? ''].join('|')
  return `hash:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`
}

export function nextPollDelayMs(unchangedPolls: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.min(20, Math.max(0, unchangedPolls - 1)))
}

/**
 * The status sync (cron every 30 minutes, and POST /invoices/sync). Per active supplier account:
 * 1. a paged rechercher/fournisseur sweep over invoices whose status changed since the last sweep: unknown
 *    invoices (submitted outside the connector) are added with no document, known ones that moved are
 *    made due for polling now;
 * 2. consulter/historique for every due, non-final invoice, in batches; the whole history is stored as
 *    invoice_events (deduplicated on histoStatutId), the invoice's status updated, and webhook events
 *    invoice.status_changed / invoice.to_process emitted with the change. Unchanged invoices are polled
 *    less and less often; final ones (paid, handled rejection) never again.
 * A retryable Chorus failure (outage, circuit open) stops the run with that error, after saving what was
 * done: the job comes back later. Other failures are counted per invoice and the run goes on.
 */
/** Asks for a status sync now (the "Synchronise" button); a sync already waiting is not doubled. */
export function requestStatusSync(ports: Pick<Ports, 'jobs'>, accountId?: string): Promise<Enqueued> {
  return ports.jobs.enqueue('invoices.sync', accountId ? { accountId } : {})
}

/** The `invoices.sync` job. A Chorus outage (or open circuit) brings the sync back later without spending an attempt. */
export async function runStatusSync(ports: Ports, p: JobPayloads['invoices.sync'], run: Pick<JobRun, 'signal'>, opts: SyncOptions = {}): Promise<SyncReport> {
  try {
    return await syncStatuses(ports, { ...opts, accountId: p.accountId, signal: run.signal })
  } catch (e) {
    if (isChorusError(e) && e.retryable) throw new RetryLaterError(`Chorus Pro unavailable during the status sync: ${e.message}`, 5 * 60_000)
    throw e
  }
}

export async function syncStatuses(ports: Ports, opts: SyncOptions = {}): Promise<SyncReport> {
  const t0 = performance.now()
  const report: SyncReport = { accounts: 0, searched: 0, discovered: 0, polled: 0, changed: 0, events: 0, errors: [], ms: 0 }
  let q = ports.db.selectFrom('accounts').selectAll().where('environment', '=', ports.chorusEnv).where('disabled_at', 'is', null).orderBy('id')
  if (opts.accountId) q = q.where('id', '=', opts.accountId)
  for (const account of await q.execute()) {
    if (opts.signal?.aborted) break
    report.accounts++
    const tech = technicalAccountOf(account, ports.secrets)
    try {
      await sweep(ports, account, tech, opts, report)
      await poll(ports, account, tech, opts, report)
      await linkReplacements(ports.db, account.id)
    } catch (e) {
      if (isChorusError(e) && e.retryable) throw e
      // Typically a refused technical account: the other accounts still sync.
      report.errors.push({ accountId: account.id, message: e instanceof Error ? e.message : String(e) })
      ports.logger.warn({ accountId: account.id, err: isChorusError(e) ? e.toJSON() : String(e) }, 'status sync of an account failed')
    }
  }
  report.ms = Math.round(performance.now() - t0)
  ports.logger.info({ ...report, errors: report.errors.length }, 'status sync done')
  return report
}

async function sweep(ports: Ports, account: Account, tech: TechnicalAccount, opts: SyncOptions, report: SyncReport): Promise<void> {
  const db = withState(ports.db)
  const state = await db.selectFrom('tracking_sync_state').selectAll().where('account_id', '=', account.id).executeTakeFirst()
  const startedAt = ports.now()
  const since = state?.last_sweep_at
    ? new Date(state.last_sweep_at.getTime() - (opts.sweepOverlapMs ?? 3600_000))
    : new Date(startedAt.getTime() - (opts.firstSweepDays ?? 90) * 86_400_000)
  // [uncertain] the accepted format of periodeDateHeureEtatCourantDu is not documented (reference §2.2); we send ISO 8601.
  const res = await ports.chorus.rechercherFactureFournisseur(tech, {
    periodeDateHeureEtatCourantDu: since.toISOString(),
    rechercheFactureParFournisseur: { nbResultatsParPage: opts.pageSize ?? 500 },
  })
  report.searched += res.listeFactures.length
  for (let i = 0; i < res.listeFactures.length; i += SEARCH_ROWS_BATCH) {
    await applySearchRows(ports, account, res.listeFactures.slice(i, i + SEARCH_ROWS_BATCH), report)
  }
  await db
    .insertInto('tracking_sync_state')
    .values({ account_id: account.id, last_sweep_at: startedAt, last_run: JSON.stringify({ since: since.toISOString(), rows: res.listeFactures.length }), updated_at: startedAt })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ last_sweep_at: startedAt, last_run: sql`excluded.last_run`, updated_at: startedAt }))
    .execute()
}

async function applySearchRows(ports: Ports, account: Account, rows: readonly FactureFournisseurResume[], report: SyncReport): Promise<void> {
  if (rows.length === 0) return
  const now = ports.now()
  await ports.db.transaction().execute(async (trx) => {
    const known = await trx
      .selectFrom('invoices')
      .select(['id', 'chorus_invoice_id', 'status', 'final'])
      .where('account_id', '=', account.id)
      .where('chorus_invoice_id', 'in', rows.map((r) => String(r.identifiantFactureCPP)))
      .execute()
    const byChorusId = new Map(known.map((k) => [String(k.chorus_invoice_id), k]))
    const moved: string[] = []
    for (const r of rows) {
      const k = byChorusId.get(String(r.identifiantFactureCPP))
      if (k) {
        if (k.status !== r.statut) moved.push(k.id)
        continue
      }
      const statusAt = chorusInstant(r.dateHeureEtatCourant, now)
      const inserted = await trx
        .insertInto('invoices')
        .values({
          account_id: account.id,
          document_id: null,
          chorus_invoice_id: String(r.identifiantFactureCPP),
          flow_number: r.numeroFluxDepot ?? null,
          invoice_number: r.numeroFacture,
          invoice_type: r.typeFacture ?? 'FACTURE',
          recipient_siret: r.codeDestinataire ?? null,
          // The directory cache may know the recipient's name; the search answer does not carry it.
          recipient_name: r.codeDestinataire
            ? sql<string | null>`(select name from structures where environment = ${ports.chorusEnv} and siret = ${r.codeDestinataire})`
            : null,
          service_code: r.codeServiceExecutant ?? null,
          amount_net: r.montantHT ?? null,
          amount_gross: r.montantTTC ?? null,
          amount_due: r.montantAPayer ?? null,
          invoice_date: r.dateFacture && /^\d{4}-\d{2}-\d{2}/.test(r.dateFacture) ? r.dateFacture.slice(0, 10) : null,
          // The day Chorus Pro gives, as a day (domain/deposit-date.ts): never an invented time.
          deposited_at: storedDeposit(r.dateDepot, null),
          deposit_mode: r.modeDepot ?? null,
          status: r.statut,
          status_at: statusAt,
          status_comment: r.commentaireEtatCourant ?? null,
          handled: r.rejetTraite ?? false,
          final: isFinalStatus(r.statut, r.rejetTraite ?? false),
          // Due now: the poll that follows in this run reads its whole history.
          next_poll_at: isFinalStatus(r.statut, r.rejetTraite ?? false) ? null : now,
        })
        // The submission workflow may have recorded it meanwhile; its row (with the document) wins.
        .onConflict((oc) => oc.columns(['account_id', 'chorus_invoice_id']).doNothing())
        .returning(['id', 'invoice_number', 'status', 'status_at', 'status_comment', 'document_id', 'chorus_invoice_id'])
        .executeTakeFirst()
      if (!inserted) continue
      report.discovered++
      await trx
        .insertInto('invoice_events')
        .values({ invoice_id: inserted.id, kind: 'action', actor: 'system', occurred_at: now, payload: JSON.stringify({ action: 'discovered', source: 'rechercher/fournisseur' }) })
        .execute()
      if (needsAction(r.statut, r.rejetTraite ?? false)) {
        await emitWebhookEvent(ports, trx, 'invoice.to_process', {
          invoiceId: inserted.id,
          chorusInvoiceId: inserted.chorus_invoice_id,
          invoiceNumber: inserted.invoice_number,
          accountId: account.id,
          documentId: null,
          status: inserted.status,
          statusAt: inserted.status_at.toISOString(),
          statusComment: inserted.status_comment,
        })
      }
    }
    if (moved.length) await trx.updateTable('invoices').set({ next_poll_at: now, final: false }).where('id', 'in', moved).execute()
  })
}

interface Claimed {
  id: string
  chorus_invoice_id: string
  invoice_number: string
  document_id: string | null
  status: string
  status_at: Date
  unchanged_polls: number
  handled: boolean
}

async function claimDue(ports: Ports, accountId: string, limit: number, leaseMs: number): Promise<Claimed[]> {
  const now = ports.now()
  // Claimed by moving next_poll_at forward first: two runs at once (cron + a manual sync) share the work.
  const r = await sql<Claimed>`
    update invoices set next_poll_at = ${new Date(now.getTime() + leaseMs)}
    where id in (
      select id from invoices
      where account_id = ${accountId} and final = false and (next_poll_at is null or next_poll_at <= ${now})
      order by next_poll_at nulls first, id
      limit ${limit}
      for update skip locked
    )
    returning id, chorus_invoice_id, invoice_number, document_id, status, status_at, unchanged_polls, handled`.execute(ports.db)
  return r.rows.map((x) => ({ ...x, status_at: x.status_at instanceof Date ? x.status_at : new Date(String(x.status_at)) }))
}

async function poll(ports: Ports, account: Account, tech: TechnicalAccount, opts: SyncOptions, report: SyncReport): Promise<void> {
  const batchSize = opts.batchSize ?? 100
  const max = opts.maxInvoices ?? 100_000
  let done = 0
  while (done < max && !opts.signal?.aborted) {
    const batch = await claimDue(ports, account.id, Math.min(batchSize, max - done), 10 * 60_000)
    if (batch.length === 0) break
    done += batch.length
    const results = await Promise.allSettled(batch.map((inv) => ports.chorus.consulterHistorique(tech, { idFacture: Number(inv.chorus_invoice_id) })))
    report.polled += batch.length
    const ok: Array<{ inv: Claimed; h: ConsulterHistoriqueResponse }> = []
    let outage: unknown
    const failed: Claimed[] = []
    results.forEach((r, i) => {
      const inv = batch[i]!
      if (r.status === 'fulfilled') ok.push({ inv, h: r.value })
      else if (isChorusError(r.reason) && r.reason.retryable) {
        outage ??= r.reason
        failed.push(inv)
      } else {
        if (isChorusError(r.reason) && r.reason.kind === 'auth') outage ??= r.reason
        report.errors.push({ accountId: account.id, invoiceId: inv.id, message: r.reason instanceof Error ? r.reason.message : String(r.reason) })
      }
    })
    await applyHistories(ports, account, ok, opts, report)
    if (failed.length) await ports.db.updateTable('invoices').set({ next_poll_at: ports.now() }).where('id', 'in', failed.map((f) => f.id)).execute()
    if (outage) throw outage
  }
}

async function applyHistories(ports: Ports, account: Account, polled: Array<{ inv: Claimed; h: ConsulterHistoriqueResponse }>, opts: SyncOptions, report: SyncReport): Promise<void> {
  if (polled.length === 0) return
  const now = ports.now()
  const base = opts.pollIntervalMs ?? 25 * 60_000
  const maxInterval = opts.maxPollIntervalMs ?? 24 * 3600_000
  await ports.db.transaction().execute(async (trx) => {
    const events = polled.flatMap(({ inv, h }) =>
      h.historiquesDesStatuts.histoStatut.map((s) => ({
        invoice_id: inv.id,
        kind: 'status',
        status: s.histoStatutCode,
        occurred_at: chorusInstant(s.histoStatutDatePassage, now),
        actor: [s.histoStatutUtilisateurPrenom, s.histoStatutUtilisateurNom].filter(Boolean).join(' ') || null,
        comment: s.histoStatutCommentaire ?? null,
        external_id: historyExternalId(s),
        payload: JSON.stringify(s),
      })),
    )
    const fresh = new Map<string, Date>()
    for (let i = 0; i < events.length; i += 2000) {
      const inserted = await trx
        .insertInto('invoice_events')
        .values(events.slice(i, i + 2000))
        .onConflict((oc) => oc.columns(['invoice_id', 'external_id']).where('external_id', 'is not', null).doNothing())
        .returning(['invoice_id', 'status', 'occurred_at'])
        .execute()
      report.events += inserted.length
      for (const e of inserted) {
        const k = `${e.invoice_id}|${e.status}`
        if (!fresh.has(k) || fresh.get(k)! < e.occurred_at) fresh.set(k, e.occurred_at)
      }
    }
    const unchanged: Array<{ id: string; delay: number }> = []
    for (const { inv, h } of polled) {
      const code = h.statutCourantCode
      const latest = h.historiquesDesStatuts.histoStatut
        .filter((s) => s.histoStatutCode === code)
        .map((s) => ({ s, at: chorusInstant(s.histoStatutDatePassage, now) }))
        .sort((a, b) => b.at.getTime() - a.at.getTime())[0]
      const newEntry = fresh.get(`${inv.id}|${code}`)
      const changed = code !== inv.status || (newEntry !== undefined && newEntry.getTime() > inv.status_at.getTime() + 1000)
      if (!changed) {
        unchanged.push({ id: inv.id, delay: nextPollDelayMs(inv.unchanged_polls + 1, base, maxInterval) })
        continue
      }
      report.changed++
      const statusAt = latest?.at ?? now
      const comment = latest?.s.histoStatutCommentaire ?? null
      const final = isFinalStatus(code, inv.handled)
      await trx
        .updateTable('invoices')
        .set({
          status: code,
          status_at: statusAt,
          status_comment: comment,
          final,
          unchanged_polls: 0,
          next_poll_at: final ? null : new Date(now.getTime() + base),
          updated_at: now,
        })
        .where('id', '=', inv.id)
        .execute()
      await emitStatusEvents(ports, trx, { ...inv, accountId: account.id }, inv.status, code, statusAt, comment)
    }
    // Unchanged ones in one statement: their poll count and next date.
    if (unchanged.length) {
      await sql`
        update invoices i set unchanged_polls = i.unchanged_polls + 1,
          next_poll_at = ${now}::timestamptz + make_interval(secs => v.delay_s)
        from (select unnest(${sql.val(unchanged.map((u) => u.id))}::bigint[]) as id, unnest(${sql.val(unchanged.map((u) => u.delay / 1000))}::float8[]) as delay_s) v
        where i.id = v.id`.execute(trx)
    }
  })
}

/** invoice.status_changed, plus invoice.to_process when the new status needs a person. */
export async function emitStatusEvents(
  ports: Pick<Ports, 'jobs'>,
  trx: Transaction<DB> | Database,
  inv: { id: string; chorus_invoice_id: string; invoice_number: string; document_id: string | null; handled: boolean; accountId: string },
  previous: string,
  status: string,
  statusAt: Date,
  comment: string | null,
  cause?: string,
): Promise<void> {
  const data = {
    invoiceId: inv.id,
    chorusInvoiceId: String(inv.chorus_invoice_id),
    invoiceNumber: inv.invoice_number,
    accountId: inv.accountId,
    documentId: inv.document_id,
    previousStatus: previous,
    status,
    statusAt: statusAt.toISOString(),
    statusComment: comment,
    toProcess: needsAction(status, inv.handled),
    ...(cause ? { cause } : {}),
  }
  await emitWebhookEvent(ports, trx, 'invoice.status_changed', data)
  if (data.toProcess) await emitWebhookEvent(ports, trx, 'invoice.to_process', data)
  // The host document (Odoo, a folder) hears of it through its own job, after this transaction commits.
  // A rejection is also an immediate e-mail to the account's people (at most hourly per account).
  if (describeStatus(status).group === 'rejected' && !inv.handled) {
    const account = await trx.selectFrom('accounts').select('name').where('id', '=', inv.accountId).executeTakeFirst()
    await notifyRejection(ports, trx, inv.accountId, { invoiceId: inv.id, invoiceNumber: inv.invoice_number, chorusInvoiceId: String(inv.chorus_invoice_id), status, statusAt: statusAt.toISOString(), comment, account: account?.name ?? inv.accountId })
  }
  if (inv.document_id) {
    await queueWriteBack(ports, trx, { documentId: inv.document_id, invoiceId: inv.id, event: 'status_changed', status, statusAt, comment, chorusInvoiceId: String(inv.chorus_invoice_id), invoiceNumber: inv.invoice_number })
  }
}

export type { SyncDB }
