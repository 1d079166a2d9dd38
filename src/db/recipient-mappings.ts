import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { DB, RecipientMappingsTable } from './schema'
import { now } from './sql-now'
import { decodeCursor, encodeCursor, isIdValue } from './cursor'
import { labelTrigrams, normalizeLabel, RESERVED_SERVICE_CODE, SUGGESTION_THRESHOLD, trigramDice } from '../domain/recipient-label'

type Executor = Kysely<DB> | Transaction<DB>
type Row = Selectable<RecipientMappingsTable>

export type MappingOrigin = 'manual' | 'learned' | 'imported'

/** A mapping from a label printed on invoices to the Chorus Pro routing of its recipient. */
export interface RecipientMapping {
  readonly id: string
  /** null: the mapping applies to every supplier account. */
  readonly accountId: string | null
  readonly label: string
  readonly labelNormalized: string
  readonly recipientSiret: string
  readonly serviceCode: string | null
  readonly engagementNumber: string | null
  readonly origin: MappingOrigin
  readonly createdBy: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface MappingValues {
  readonly accountId: string | null
  readonly label: string
  readonly recipientSiret: string
  readonly serviceCode: string | null
  readonly engagementNumber: string | null
}

export function toMapping(r: Row): RecipientMapping {
  return {
    id: r.id,
    accountId: r.account_id,
    label: r.label,
    labelNormalized: r.label_normalized,
    recipientSiret: r.recipient_siret,
    serviceCode: r.service_code,
    engagementNumber: r.engagement_number,
    origin: r.origin,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** The same label for the same scope (account or global) already has a mapping. */
export class DuplicateMappingError extends Error {
  override readonly name = 'DuplicateMappingError'
  constructor(readonly existing: RecipientMapping) {
    super(`a mapping for "${existing.label}" already exists (id ${existing.id})`)
  }
}

const scopeIs = (accountId: string | null) => (accountId === null ? sql<boolean>`account_id is null` : sql<boolean>`account_id = ${accountId}`)

/** The mapping of exactly this scope (not the global one for an account) and normalised label. */
export async function mappingInScope(db: Executor, accountId: string | null, labelNormalized: string): Promise<RecipientMapping | undefined> {
  const r = await db.selectFrom('recipient_mappings').selectAll().where(scopeIs(accountId)).where('label_normalized', '=', labelNormalized).executeTakeFirst()
  return r && toMapping(r)
}

export async function getMapping(db: Executor, id: string): Promise<RecipientMapping | undefined> {
  const r = await db.selectFrom('recipient_mappings').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toMapping(r)
}

/** Creates a mapping; DuplicateMappingError when its scope already maps the same normalised label. */
export async function createMapping(db: Executor, values: MappingValues & { origin?: MappingOrigin; createdBy?: string | null }): Promise<RecipientMapping> {
  const labelNormalized = normalizeLabel(values.label)
  const existing = await mappingInScope(db, values.accountId, labelNormalized)
  if (existing) throw new DuplicateMappingError(existing)
  const r = await db
    .insertInto('recipient_mappings')
    .values({
      account_id: values.accountId,
      label: values.label,
      label_normalized: labelNormalized,
      recipient_siret: values.recipientSiret,
      service_code: values.serviceCode,
      engagement_number: values.engagementNumber,
      origin: values.origin ?? 'manual',
      created_by: values.createdBy ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return toMapping(r)
}

/**
 * Changes a mapping. A person's change makes it `manual` (learning never overwrites it afterwards);
 * pass `origin` to say otherwise (an import). DuplicateMappingError when the new label or scope
 * collides with another mapping.
 */
export async function updateMapping(
  db: Executor,
  id: string,
  patch: Partial<MappingValues> & { origin?: MappingOrigin },
): Promise<{ before: RecipientMapping; after: RecipientMapping } | undefined> {
  const before = await getMapping(db, id)
  if (!before) return undefined
  const accountId = patch.accountId !== undefined ? patch.accountId : before.accountId
  const label = patch.label ?? before.label
  const labelNormalized = normalizeLabel(label)
  if (accountId !== before.accountId || labelNormalized !== before.labelNormalized) {
    const clash = await mappingInScope(db, accountId, labelNormalized)
    if (clash && clash.id !== id) throw new DuplicateMappingError(clash)
  }
  const r = await db
    .updateTable('recipient_mappings')
    .set({
      account_id: accountId,
      label,
      label_normalized: labelNormalized,
      recipient_siret: patch.recipientSiret ?? before.recipientSiret,
      service_code: patch.serviceCode !== undefined ? patch.serviceCode : before.serviceCode,
      engagement_number: patch.engagementNumber !== undefined ? patch.engagementNumber : before.engagementNumber,
      origin: patch.origin ?? 'manual',
      updated_at: now(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return { before, after: toMapping(r) }
}

export async function deleteMapping(db: Executor, id: string): Promise<RecipientMapping | undefined> {
  const r = await db.deleteFrom('recipient_mappings').where('id', '=', id).returningAll().executeTakeFirst()
  return r && toMapping(r)
}

export interface MappingFilter {
  /** Searched in the normalised label, the recipient SIRET and the service code. */
  readonly q?: string | undefined
  /** An account id (its own mappings only), or 'global' (mappings for every account). */
  readonly account?: string | undefined
  readonly origin?: MappingOrigin | undefined
}

export interface MappingPage {
  readonly items: RecipientMapping[]
  readonly nextCursor: string | null
  readonly total: number
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

function filtered(db: Executor, f: MappingFilter) {
  let qb = db.selectFrom('recipient_mappings')
  if (f.account === 'global') qb = qb.where('account_id', 'is', null)
  else if (f.account !== undefined) qb = qb.where('account_id', '=', f.account)
  if (f.origin) qb = qb.where('origin', '=', f.origin)
  const q = f.q?.trim()
  if (q) {
    const words = normalizeLabel(q).split(' ').filter(Boolean)
    const raw = q.replace(/[\s.\-\u00a0\u202f]/g, '')
    qb = qb.where((eb) =>
      eb.or([
        ...(words.length > 0 ? [eb.and(words.map((w) => eb('label_normalized', 'like', `%${escapeLike(w)}%`)))] : []),
        eb('recipient_siret', 'like', `%${escapeLike(raw)}%`),
        eb(sql`upper(coalesce(service_code, ''))`, 'like', `%${escapeLike(q.toUpperCase())}%`),
      ]),
    )
  }
  return qb
}

/** The cursor of the mappings list: the last row's `[labelNormalized, id]` (db/cursor.ts). */
function cursorOf(r: RecipientMapping): string {
  return encodeCursor([r.labelNormalized, r.id])
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError'
}

function labelAndIdOf(cursor: string): [string, string] {
  const [label, id] = decodeCursor(cursor, 2) ?? []
  if (typeof label === 'string' && isIdValue(id)) return [label, id]
  throw new InvalidCursorError('invalid cursor')
}

/**
 * One page of mappings in label order (normalised label, then id), with keyset paging: the cursor is
 * the last row's (label, id), so any page costs what the first one does.
 */
export async function listMappings(db: Executor, f: MappingFilter & { cursor?: string | undefined; limit: number }): Promise<MappingPage> {
  let qb = filtered(db, f).selectAll()
  if (f.cursor) {
    const [label, id] = labelAndIdOf(f.cursor)
    qb = qb.where(sql<boolean>`(label_normalized, id) > (${label}, ${id}::bigint)`)
  }
  const rows = await qb.orderBy('label_normalized').orderBy('id').limit(f.limit + 1).execute()
  const items = rows.slice(0, f.limit).map(toMapping)
  const { total } = await filtered(db, f).select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow()
  return { items, nextCursor: rows.length > f.limit ? cursorOf(items[items.length - 1]!) : null, total: Number(total) }
}

/** Every mapping matching a filter, in label order (for the CSV export). */
export async function allMappings(db: Executor, f: MappingFilter): Promise<RecipientMapping[]> {
  return (await filtered(db, f).selectAll().orderBy('label_normalized').orderBy('id').execute()).map(toMapping)
}

export interface MappingMatch {
  readonly mapping: RecipientMapping
  /** `exact`: the stored label is the printed one character for character; `normalized`: equal once normalised. */
  readonly matchedBy: 'exact' | 'normalized'
}

/**
 * The mapping that applies to a label printed on an invoice of an account: the account's own mapping
 * before a global one (the account's is the more specific routing). Within one scope there is at most
 * one mapping per normalised label (unique index), so "exact, then normalised" decides only how the
 * match is reported. Fuzzy matches are never returned here: see suggestMappings.
 */
export async function findMapping(db: Executor, accountId: string | number | null | undefined, label: string): Promise<MappingMatch | null> {
  const normalized = normalizeLabel(label)
  if (!normalized) return null
  const account = accountId === null || accountId === undefined ? null : String(accountId)
  const rows = await db
    .selectFrom('recipient_mappings')
    .selectAll()
    .where('label_normalized', '=', normalized)
    .where((eb) => (account === null ? eb('account_id', 'is', null) : eb.or([eb('account_id', 'is', null), eb('account_id', '=', account)])))
    .execute()
  const best = rows.find((r) => r.account_id !== null) ?? rows[0]
  if (!best) return null
  return { mapping: toMapping(best), matchedBy: best.label === label.trim() ? 'exact' : 'normalized' }
}

export interface MappingSuggestion {
  readonly mapping: RecipientMapping
  /** Similarity from 0 to 1 (trigram Dice on normalised labels). */
  readonly score: number
}

/**
 * Mappings whose label resembles this one, best first, for a person to confirm; never applied on
 * their own. Compares against every mapping of the account and the global ones (a few thousand at
 * most in practice; each comparison is a handful of microseconds).
 */
export async function suggestMappings(db: Executor, accountId: string | number | null | undefined, label: string, limit = 5): Promise<MappingSuggestion[]> {
  const normalized = normalizeLabel(label)
  if (!normalized || limit <= 0) return []
  const account = accountId === null || accountId === undefined ? null : String(accountId)
  const candidates = await db
    .selectFrom('recipient_mappings')
    .select(['id', 'label_normalized', 'account_id'])
    .where((eb) => (account === null ? eb('account_id', 'is', null) : eb.or([eb('account_id', 'is', null), eb('account_id', '=', account)])))
    .execute()
  const target = labelTrigrams(normalized)
  const scored = candidates
    .filter((c) => c.label_normalized !== normalized)
    .map((c) => ({ id: c.id, accountSpecific: c.account_id !== null, score: trigramDice(target, labelTrigrams(c.label_normalized)) }))
    .filter((c) => c.score >= SUGGESTION_THRESHOLD)
    .sort((a, b) => b.score - a.score || Number(b.accountSpecific) - Number(a.accountSpecific) || Number(a.id) - Number(b.id))
    .slice(0, limit)
  if (scored.length === 0) return []
  const rows = await db.selectFrom('recipient_mappings').selectAll().where('id', 'in', scored.map((s) => s.id)).execute()
  const byId = new Map(rows.map((r) => [r.id, toMapping(r)]))
  return scored.flatMap((s) => {
    const mapping = byId.get(s.id)
    return mapping ? [{ mapping, score: Math.round(s.score * 1000) / 1000 }] : []
  })
}

/**
 * Writes a `learned` mapping of the account, unless a person's (manual or imported) row holds the
 * label: the expression index (coalesce(account_id, 0), label_normalized) is the conflict target, and
 * the WHERE keeps a manual or imported row written meanwhile by a person. Undefined when kept.
 */
export async function upsertLearnedMapping(
  db: Executor,
  v: { readonly accountId: string; readonly label: string; readonly labelNormalized: string; readonly recipientSiret: string; readonly serviceCode: string | null },
): Promise<{ readonly mapping: RecipientMapping; readonly inserted: boolean } | undefined> {
  const result = await sql<Row & { inserted: boolean }>`
    insert into recipient_mappings (account_id, label, label_normalized, recipient_siret, service_code, engagement_number, origin, created_by)
    values (${v.accountId}, ${v.label}, ${v.labelNormalized}, ${v.recipientSiret}, ${v.serviceCode}, null, 'learned', 'system:learned')
    on conflict ((coalesce(account_id, 0)), label_normalized) do update
      set label = excluded.label, recipient_siret = excluded.recipient_siret, service_code = excluded.service_code, updated_at = now()
      where recipient_mappings.origin = 'learned'
    returning *, (xmax = 0) as inserted`.execute(db)
  const row = result.rows[0]
  if (!row) return undefined
  const { inserted, ...rest } = row
  return { mapping: toMapping(rest), inserted }
}

export interface AffectedScope {
  readonly accountId: string | null
  readonly labelNormalized: string
}

/**
 * Ids of the documents waiting in "to submit" whose printed recipient label normalises to one of these
 * labels, for the same account (any account for a global mapping).
 */
export async function affectedDocumentIds(db: Executor, scopes: readonly AffectedScope[]): Promise<string[]> {
  if (scopes.length === 0) return []
  const anyGlobal = scopes.some((s) => s.accountId === null)
  const accounts = [...new Set(scopes.flatMap((s) => (s.accountId === null ? [] : [s.accountId])))]
  let qb = db
    .selectFrom('documents')
    .select(['id', 'account_id', sql<string | null>`fields->'recipientLabel'->>'value'`.as('label')])
    .where('stage', '=', 'to_submit')
    .where(sql<boolean>`fields->'recipientLabel'->>'value' is not null`)
  if (!anyGlobal) qb = qb.where('account_id', 'in', accounts)
  const docs = await qb.orderBy('id').execute()
  const ids: string[] = []
  for (const d of docs) {
    const n = normalizeLabel(d.label ?? '')
    if (!n) continue
    if (scopes.some((s) => s.labelNormalized === n && (s.accountId === null || s.accountId === d.account_id))) ids.push(d.id)
  }
  return ids
}


/**
 * What the cached Chorus Pro directory says of a mapping's routing:
 * - `not_checked`: the cache has no row for the recipient SIRET yet (nothing is known, nothing is wrong);
 * - `recipient_unknown` / `recipient_inactive`: Chorus Pro has no such structure, or it is inactive;
 * - `service_required`: the structure requires a service code and the mapping has none;
 * - `service_reserved`: the service is FACTURES_PUBLIQUES, reserved to invoices between public entities;
 * - `service_unknown` / `service_inactive`: the structure has no such service, or it is inactive;
 * - `ok`: none of the above.
 * An engagement number the structure requires is a matter for each invoice (see `engagementRequired`).
 */
export type DirectoryStatus =
  | 'ok'
  | 'not_checked'
  | 'recipient_unknown'
  | 'recipient_inactive'
  | 'service_required'
  | 'service_reserved'
  | 'service_unknown'
  | 'service_inactive'

export interface DirectoryCheck {
  readonly status: DirectoryStatus
  readonly recipientName: string | null
  readonly serviceLabel: string | null
  /** The structure, or the chosen service, requires an engagement number on every invoice. */
  readonly engagementRequired: boolean
  readonly checkedAt: Date | null
}

interface CachedStructure {
  readonly siret: string
  readonly name: string | null
  readonly active: boolean
  readonly found: boolean
  readonly service_required: boolean
  readonly engagement_required: boolean
  readonly fetched_at: Date
}

interface CachedService {
  readonly code: string
  readonly label: string | null
  readonly active: boolean
  readonly engagement_required: boolean
}

/** The rule itself, on what the cache holds for one structure. */
export function directoryCheckOf(structure: CachedStructure | undefined, services: readonly CachedService[], serviceCode: string | null): DirectoryCheck {
  if (!structure) return { status: 'not_checked', recipientName: null, serviceLabel: null, engagementRequired: false, checkedAt: null }
  const base = { recipientName: structure.name, checkedAt: structure.fetched_at }
  if (!structure.found) return { ...base, status: 'recipient_unknown', serviceLabel: null, engagementRequired: false }
  if (!structure.active) return { ...base, status: 'recipient_inactive', serviceLabel: null, engagementRequired: structure.engagement_required }
  if (!serviceCode) return { ...base, status: structure.service_required ? 'service_required' : 'ok', serviceLabel: null, engagementRequired: structure.engagement_required }
  if (serviceCode === RESERVED_SERVICE_CODE) return { ...base, status: 'service_reserved', serviceLabel: null, engagementRequired: structure.engagement_required }
  const service = services.find((s) => s.code === serviceCode)
  if (!service) return { ...base, status: 'service_unknown', serviceLabel: null, engagementRequired: structure.engagement_required }
  return {
    ...base,
    status: service.active ? 'ok' : 'service_inactive',
    serviceLabel: service.label,
    engagementRequired: structure.engagement_required || service.engagement_required,
  }
}

/** Directory checks of several mappings at once, read from the cache tables of one Chorus environment. */
export async function checkDirectory(
  db: Executor,
  environment: string,
  routings: ReadonlyArray<{ readonly recipientSiret: string; readonly serviceCode: string | null }>,
): Promise<DirectoryCheck[]> {
  const sirets = [...new Set(routings.map((r) => r.recipientSiret))]
  if (sirets.length === 0) return []
  const structures = await db
    .selectFrom('structures')
    .select(['siret', 'name', 'active', 'found', 'service_required', 'engagement_required', 'fetched_at'])
    .where('environment', '=', environment)
    .where('siret', 'in', sirets)
    .execute()
  const services = await db
    .selectFrom('structure_services')
    .select(['siret', 'code', 'label', 'active', 'engagement_required'])
    .where('environment', '=', environment)
    .where('siret', 'in', sirets)
    .execute()
  const bySiret = new Map(structures.map((s) => [s.siret, s]))
  return routings.map((r) => directoryCheckOf(bySiret.get(r.recipientSiret), services.filter((s) => s.siret === r.recipientSiret), r.serviceCode))
}
