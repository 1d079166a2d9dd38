import { now } from '../../db/sql-now'
import { sql } from 'kysely'
import { audit } from '../../db/audit'
import type { Localized } from '../../domain/localized'
import type { Ports } from '../ports'

/** One line of a selection's result: actions on a selection never succeed or fail as a whole. */
export interface ItemResult {
  readonly id: string
  readonly ok: boolean
  readonly status?: string
  readonly code?: string
  readonly message?: Localized
}

const fail = (id: string, code: string, fr: string, en: string): ItemResult => ({ id, ok: false, code, message: { fr, en } })

/** Queues the submission of each ready document (Submit selection). A person asked: earlier refusals do not block. */
export async function queueSubmissions(ports: Ports, ids: readonly string[], actor: string): Promise<ItemResult[]> {
  const rows = await ports.db.selectFrom('documents').select(['id', 'stage', 'ready', 'analysis_status']).where('id', 'in', ids.length ? [...ids] : ['0']).execute()
  const byId = new Map(rows.map((r) => [r.id, r]))
  const out: ItemResult[] = []
  for (const id of ids) {
    const d = byId.get(id)
    if (!d) out.push(fail(id, 'not_found', 'Document introuvable.', 'Document not found.'))
    else if (d.stage === 'submitted' || d.stage === 'submitting') out.push({ id, ok: true, status: 'already_submitted' })
    else if (d.stage === 'removed') out.push(fail(id, 'removed', 'Document retiré : restaurez-le d’abord.', 'Document removed: restore it first.'))
    else if (d.stage !== 'to_submit') out.push(fail(id, 'analysing', 'Document en cours d’analyse.', 'Document being analysed.'))
    else if (!d.ready) out.push(fail(id, 'not_ready', 'Document incomplet : corrigez les problèmes signalés avant de le déposer.', 'Document incomplete: fix the problems shown before submitting it.'))
    else {
      await ports.jobs.enqueue('document.submit', { documentId: id, manual: true, actor })
      out.push({ id, ok: true, status: 'queued' })
    }
  }
  return out
}

/** Runs analysis again (Reprocess); a person's edits are kept. */
export async function reprocessDocuments(ports: Ports, ids: readonly string[], actor: string): Promise<ItemResult[]> {
  const out: ItemResult[] = []
  for (const id of ids) {
    const r = await ports.db.transaction().execute(async (trx) => {
      const d = await trx
        .updateTable('documents')
        .set({ stage: 'received', analysis_status: 'pending', analysis_error: null, submit_error: null, ready: false, updated_at: now() })
        .where('id', '=', id)
        .where('stage', 'in', ['received', 'analysing', 'to_submit'])
        .returning('id')
        .executeTakeFirst()
      if (!d) return null
      await ports.jobs.enqueue('document.analyse', { documentId: id }, { within: trx })
      await audit(trx, { actor, action: 'document.reprocess', targetType: 'document', targetId: id })
      return d
    })
    if (r) out.push({ id, ok: true, status: 'queued' })
    else {
      const d = await ports.db.selectFrom('documents').select('stage').where('id', '=', id).executeTakeFirst()
      out.push(!d ? fail(id, 'not_found', 'Document introuvable.', 'Document not found.') : fail(id, 'not_reprocessable', `Un document au stade ${d.stage} ne peut pas être réanalysé.`, `A document at stage ${d.stage} cannot be reprocessed.`))
    }
  }
  return out
}

/** Soft removal (audited; an admin can restore). Documents already in Chorus Pro are handled in tracking, not removed. */
export async function removeDocuments(ports: Ports, ids: readonly string[], actor: string, reason?: string): Promise<ItemResult[]> {
  const out: ItemResult[] = []
  for (const id of ids) {
    const r = await ports.db.transaction().execute(async (trx) => {
      const d = await trx
        .updateTable('documents')
        .set({ stage_before_removal: sql<string>`stage`, stage: 'removed', removed_at: now(), removed_by: actor, updated_at: now() })
        .where('id', '=', id)
        .where('stage', 'in', ['received', 'analysing', 'to_submit'])
        .returning('id')
        .executeTakeFirst()
      if (d) await audit(trx, { actor, action: 'document.remove', targetType: 'document', targetId: id, details: { reason: reason ?? null } })
      return d
    })
    if (r) out.push({ id, ok: true, status: 'removed' })
    else {
      const d = await ports.db.selectFrom('documents').select('stage').where('id', '=', id).executeTakeFirst()
      if (!d) out.push(fail(id, 'not_found', 'Document introuvable.', 'Document not found.'))
      else if (d.stage === 'removed') out.push({ id, ok: true, status: 'already_removed' })
      else out.push(fail(id, 'already_in_chorus', 'Ce document est déjà dans Chorus Pro : traitez la facture depuis le suivi.', 'This document is already in Chorus Pro: handle the invoice from tracking.'))
    }
  }
  return out
}

/** Puts removed documents back where they were; one that was waiting for analysis is analysed again. */
export async function restoreDocuments(ports: Ports, ids: readonly string[], actor: string): Promise<ItemResult[]> {
  const out: ItemResult[] = []
  for (const id of ids) {
    const r = await ports.db.transaction().execute(async (trx) => {
      const d = await trx.selectFrom('documents').select(['id', 'stage', 'stage_before_removal']).where('id', '=', id).forUpdate().executeTakeFirst()
      if (!d || d.stage !== 'removed') return d ? 'not_removed' : 'not_found'
      const back = d.stage_before_removal === 'to_submit' ? 'to_submit' : 'received'
      await trx.updateTable('documents').set({ stage: back, stage_before_removal: null, removed_at: null, removed_by: null, updated_at: now() }).where('id', '=', id).execute()
      if (back === 'received') await ports.jobs.enqueue('document.analyse', { documentId: id }, { within: trx })
      else await ports.jobs.enqueue('document.recheck', { documentId: id }, { within: trx })
      await audit(trx, { actor, action: 'document.restore', targetType: 'document', targetId: id })
      return 'ok'
    })
    out.push(r === 'ok' ? { id, ok: true, status: 'restored' } : r === 'not_found' ? fail(id, 'not_found', 'Document introuvable.', 'Document not found.') : fail(id, 'not_removed', 'Ce document n’est pas retiré.', 'This document is not removed.'))
  }
  return out
}

/** The document a person should look at next (Validate jumps to it): the oldest one waiting in "to submit". */
export async function nextDocumentToHandle(ports: Ports, afterId: string): Promise<string | null> {
  const row = await ports.db
    .selectFrom('documents')
    .select('id')
    .where('stage', '=', 'to_submit')
    .where('id', '!=', afterId)
    .orderBy('received_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst()
  return row?.id ?? null
}
