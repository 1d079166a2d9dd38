import type { Kysely, Selectable, Transaction, UpdateObject } from 'kysely'
import type { DB, FilingRulesTable } from './schema'
import type { FilingRule, RuleMatch } from '../domain/filing-rule'
import { now } from './sql-now'

export type FilingRuleRow = Selectable<FilingRulesTable>
type Executor = Kysely<DB> | Transaction<DB>

export function toFilingRule(r: FilingRuleRow): FilingRule {
  return { id: r.id, name: r.name, position: r.position, enabled: r.enabled, match: r.match as RuleMatch, accountId: r.account_id, metadataMap: r.metadata_map }
}

export function listFilingRules(db: Executor, sourceId?: string): Promise<FilingRuleRow[]> {
  let q = db.selectFrom('filing_rules').selectAll().orderBy('source_id').orderBy('position').orderBy('id')
  if (sourceId !== undefined) q = q.where('source_id', '=', sourceId)
  return q.execute()
}

export async function rulesOfSource(db: Executor, sourceId: string): Promise<FilingRule[]> {
  return (await listFilingRules(db, sourceId)).map(toFilingRule)
}

export function getFilingRule(db: Executor, id: string): Promise<FilingRuleRow | undefined> {
  if (!/^\d+$/.test(id)) return Promise.resolve(undefined)
  return db.selectFrom('filing_rules').selectAll().where('id', '=', id).executeTakeFirst()
}

export interface FilingRuleInput {
  sourceId: string
  name: string
  position?: number | undefined
  enabled?: boolean | undefined
  match: RuleMatch
  accountId?: string | null | undefined
  metadataMap?: Record<string, string> | undefined
}

export function createFilingRule(db: Executor, input: FilingRuleInput): Promise<FilingRuleRow> {
  return db
    .insertInto('filing_rules')
    .values({
      source_id: input.sourceId,
      name: input.name,
      position: input.position ?? 0,
      enabled: input.enabled ?? true,
      match: JSON.stringify(input.match),
      account_id: input.accountId ?? null,
      metadata_map: JSON.stringify(input.metadataMap ?? {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export function updateFilingRule(db: Executor, id: string, patch: Partial<Omit<FilingRuleInput, 'sourceId'>>): Promise<FilingRuleRow | undefined> {
  const set: UpdateObject<DB, 'filing_rules'> = { updated_at: now() }
  if (patch.name !== undefined) set.name = patch.name
  if (patch.position !== undefined) set.position = patch.position
  if (patch.enabled !== undefined) set.enabled = patch.enabled
  if (patch.match !== undefined) set.match = JSON.stringify(patch.match)
  if (patch.accountId !== undefined) set.account_id = patch.accountId
  if (patch.metadataMap !== undefined) set.metadata_map = JSON.stringify(patch.metadataMap)
  return db.updateTable('filing_rules').set(set).where('id', '=', id).returningAll().executeTakeFirst()
}

export async function deleteFilingRule(db: Executor, id: string): Promise<boolean> {
  const r = await db.deleteFrom('filing_rules').where('id', '=', id).executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}
