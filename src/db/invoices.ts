import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type Transaction } from 'kysely'
import type { DB, InvoiceRow } from './schema'
import { AppError } from '../domain/app-error'
import { isCalendarDate } from '../domain/calendar-date'
import { decodeCursor as decodeKeys, encodeCursor as encodeKeys, isIdValue } from './cursor'

type Executor = Kysely<DB> | Transaction<DB>

/** Filters of the tracking list, the to-process tab and the CSV export (the same for all three). */
export interface InvoiceFilters {
  readonly tab?: 'tracking' | 'to-process'
  /** Raw Chorus codes (groups already expanded). */
  readonly statuses?: readonly string[]
  /** A SIRET (or its first digits), else a part of the recipient's name. */
  readonly recipient?: string
  readonly service?: string
  readonly accountId?: string
  /** Deposit date range, calendar dates in Europe/Paris, both inclusive. */
  readonly depositedFrom?: string
  readonly depositedTo?: string
  readonly invoiceDateFrom?: string
  readonly invoiceDateTo?: string
  /** On the gross amount, decimal strings. */
  readonly amountMin?: string
  readonly amountMax?: string
  /** Free text over the invoice number, the recipient (SIRET or name) and Chorus's comment. */
  readonly q?: string
  readonly hasDocument?: boolean
}

type ColumnType = 'text' | 'timestamptz' | 'numeric' | 'date' | 'bigint'

/** Sortable columns: API name → column. Every one has a (column, id) index (0001 and 0003). */
export const SORT_COLUMNS = {
  id: { col: 'id', type: 'bigint', nullable: false },
  invoiceNumber: { col: 'invoice_number', type: 'text', nullable: false },
  status: { col: 'status', type: 'text', nullable: false },
  statusAt: { col: 'status_at', type: 'timestamptz', nullable: false },
  recipientSiret: { col: 'recipient_siret', type: 'text', nullable: true },
  recipientName: { col: 'recipient_name', type: 'text', nullable: true },
  serviceCode: { col: 'service_code', type: 'text', nullable: true },
  engagementNumber: { col: 'engagement_number', type: 'text', nullable: true },
  amountNet: { col: 'amount_net', type: 'numeric', nullable: true },
  amountGross: { col: 'amount_gross', type: 'numeric', nullable: true },
  invoiceDate: { col: 'invoice_date', type: 'date', nullable: true },
  depositedAt: { col: 'deposited_at', type: 'timestamptz', nullable: true },
  accountId: { col: 'account_id', type: 'bigint', nullable: false },
} as const satisfies Record<string, { col: keyof InvoiceRow; type: ColumnType; nullable: boolean }>

export type SortKey = keyof typeof SORT_COLUMNS
export interface Sort {
  readonly key: SortKey
  readonly desc: boolean
}
export const DEFAULT_SORT: Sort = { key: 'depositedAt', desc: true }

/** `-depositedAt` → { key: 'depositedAt', desc: true }. Undefined when the name is unknown. */
export function parseSort(raw: string | undefined): Sort | undefined {
  if (!raw) return DEFAULT_SORT
  const desc = raw.startsWith('-')
  const key = raw.replace(/^[-+]/, '')
  return key in SORT_COLUMNS ? { key: key as SortKey, desc } : undefined
}

/** Keyset position: the sort it belongs to, the last row's sort value (null for a null) and id. */
interface CursorData {
  readonly s: string
  readonly v: string | null
  readonly id: string
}

const sortSpec = (sort: Sort) => `${sort.desc ? '-' : ''}${sort.key}`

/** The cursor after this row, in the shared format (db/cursor.ts): `[sort, value, id]`. */
export function encodeCursor(sort: Sort, row: InvoiceRow): string {
  const raw = row[SORT_COLUMNS[sort.key].col] as unknown
  const v = raw === null || raw === undefined ? null : raw instanceof Date ? raw.toISOString() : String(raw)
  return encodeKeys([sortSpec(sort), v, row.id])
}

const invalidCursor = () =>
  new AppError(400, 'invalid_cursor', {
    fr: 'Curseur de pagination invalide ou d’un autre tri : repartez de la première page (sans cursor).',
    en: 'Invalid paging cursor, or one made for another sort: start again from the first page (no cursor).',
  })

/**
 * A sort value as encodeCursor writes it for a column of this type. The value is cast to the column's
 * type in SQL, so anything else would be PostgreSQL's error (a 500) instead of our 400.
 */
function isSortValue(v: string, type: ColumnType): boolean {
  switch (type) {
    case 'bigint': return /^-?\d{1,18}$/.test(v)
    case 'numeric': return /^-?\d{1,30}(\.\d{1,30})?$/.test(v)
    case 'date': return isCalendarDate(v)
    case 'timestamptz': return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) && !Number.isNaN(Date.parse(v))
    case 'text': return !v.includes('\u0000')
  }
}

export function decodeCursor(sort: Sort, cursor: string): CursorData {
  const keys = decodeKeys(cursor, 3)
  if (!keys) throw invalidCursor()
  const [s, v, id] = keys as [string | null, string | null, string | null]
  const { type, nullable } = SORT_COLUMNS[sort.key]
  if (s !== sortSpec(sort) || !isIdValue(id)) throw invalidCursor()
  if (v === null ? !nullable : !isSortValue(v, type)) throw invalidCursor()
  return { s, v, id }
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/** The filters as SQL conditions on `invoices` (no alias). */
export function filterConditions(f: InvoiceFilters): RawBuilder<boolean>[] {
  const c: RawBuilder<boolean>[] = []
  if (f.tab === 'to-process') c.push(sql<boolean>`to_process`)
  if (f.statuses && f.statuses.length) c.push(sql<boolean>`status in (${sql.join(f.statuses.map((s) => sql.val(s)))})`)
  if (f.recipient) {
    const r = f.recipient.trim()
    const digits = r.replace(/\s/g, '')
    if (/^\d{14}$/.test(digits)) c.push(sql<boolean>`recipient_siret = ${digits}`)
    else if (/^\d{3,13}$/.test(digits)) {
      // A range, not LIKE 'x%': it walks the (recipient_siret, id) index whatever the collation.
      const upper = digits.replace(/\d$/, (d) => String(Number(d) + 1))
      c.push(/9$/.test(digits) ? sql<boolean>`recipient_siret like ${digits + '%'}` : sql<boolean>`recipient_siret >= ${digits} and recipient_siret < ${upper}`)
    }
    else c.push(sql<boolean>`recipient_name ilike ${'%' + escapeLike(r) + '%'}`)
  }
  if (f.service) c.push(sql<boolean>`service_code = ${f.service}`)
  if (f.accountId) c.push(sql<boolean>`account_id = ${f.accountId}`)
  if (f.depositedFrom) c.push(sql<boolean>`deposited_at >= (${f.depositedFrom}::date::timestamp at time zone 'Europe/Paris')`)
  if (f.depositedTo) c.push(sql<boolean>`deposited_at < ((${f.depositedTo}::date + 1)::timestamp at time zone 'Europe/Paris')`)
  if (f.invoiceDateFrom) c.push(sql<boolean>`invoice_date >= ${f.invoiceDateFrom}::date`)
  if (f.invoiceDateTo) c.push(sql<boolean>`invoice_date <= ${f.invoiceDateTo}::date`)
  if (f.amountMin) c.push(sql<boolean>`amount_gross >= ${f.amountMin}::numeric`)
  if (f.amountMax) c.push(sql<boolean>`amount_gross <= ${f.amountMax}::numeric`)
  if (f.hasDocument !== undefined) c.push(f.hasDocument ? sql<boolean>`document_id is not null` : sql<boolean>`document_id is null`)
  if (f.q && f.q.trim()) {
    // One lower-case column, one trigram index (migration 0012), LIKE on lower(term) as ILIKE was; a
    // number typed with spaces ("110 000 000") also matches the SIRET written without them.
    const q = f.q.trim()
    const likes = [...new Set([q, /^[\d\s]+$/.test(q) ? q.replace(/\s/g, '') : q])].map((v) => sql<boolean>`search_text like lower(${'%' + escapeLike(v) + '%'}::text)`)
    c.push(likes.length === 1 ? likes[0]! : sql<boolean>`(${sql.join(likes, sql` or `)})`)
  }
  return c
}

function and(conds: RawBuilder<boolean>[]): RawBuilder<boolean> {
  return conds.length ? sql<boolean>`(${sql.join(conds, sql` and `)})` : sql<boolean>`true`
}

function typed(v: string, type: ColumnType): RawBuilder<unknown> {
  return sql`${v}::${sql.raw(type)}`
}

/**
 * One keyset page. Nullable sort columns are read in two parts so both stay index range scans:
 * ascending puts nulls last (PostgreSQL's default, which the (column, id) index already has), descending
 * puts them first. A part is only queried when the page is not full yet.
 */
export async function keysetPage<O>(
  db: Executor,
  filters: InvoiceFilters,
  sort: Sort,
  cursor: string | undefined,
  limit: number,
  select: (qb: SelectQueryBuilder<DB, 'invoices', {}>) => SelectQueryBuilder<DB, 'invoices', O>,
): Promise<O[]> {
  const { col, type, nullable } = SORT_COLUMNS[sort.key]
  const after = cursor ? decodeCursor(sort, cursor) : undefined
  const base = filterConditions(filters)
  const ref = sql.ref(col)
  const dir = sort.desc ? sql.raw('desc') : sql.raw('asc')
  const cmp = sort.desc ? sql.raw('<') : sql.raw('>')

  const pageOf = (conds: RawBuilder<boolean>[], order: RawBuilder<unknown>, n: number) => {
    if (!filters.q?.trim()) return select(db.selectFrom('invoices')).where(and(conds)).orderBy(order).limit(n).execute()
    // Free text: the page's ids first, which PostgreSQL finds in an index carrying search_text without
    // reading the table (migration 0012), then only those rows: 214 ms → see the tracking bench.
    const ids = db.selectFrom('invoices').select('id').where(and(conds)).orderBy(order).limit(n)
    return select(db.selectFrom('invoices')).where('id', 'in', ids).orderBy(order).execute()
  }
  const nonNullPart = (n: number, from: CursorData | undefined) => {
    const conds = [...base]
    if (nullable) conds.push(sql<boolean>`${ref} is not null`)
    if (from && from.v !== null) conds.push(sql<boolean>`(${ref}, id) ${cmp} (${typed(from.v, type)}, ${from.id}::bigint)`)
    return pageOf(conds, sql`${ref} ${dir}, id ${dir}`, n)
  }
  const nullPart = (n: number, from: CursorData | undefined) => {
    const conds = [...base, sql<boolean>`${ref} is null`]
    if (from && from.v === null) conds.push(sql<boolean>`id ${cmp} ${from.id}::bigint`)
    return pageOf(conds, sql`id ${dir}`, n)
  }

  if (!nullable) return nonNullPart(limit, after)
  if (!sort.desc) {
    // asc: non-null values, then nulls.
    if (after && after.v === null) return nullPart(limit, after)
    const rows = await nonNullPart(limit, after)
    return rows.length < limit ? [...rows, ...(await nullPart(limit - rows.length, undefined))] : rows
  }
  // desc: nulls first, then non-null values.
  if (after && after.v !== null) return nonNullPart(limit, after)
  const rows = await nullPart(limit, after)
  return rows.length < limit ? [...rows, ...(await nonNullPart(limit - rows.length, undefined))] : rows
}

/** Counted exactly up to this many rows; beyond, the planner's estimate is given (and flagged). */
export const EXACT_TOTAL_LIMIT = 10_000

/**
 * The same for free text: its matches are counted by reading the index that carries search_text, and
 * 10,000 matches of a term found in 2 % of 1,000,000 invoices cost 330 ms where 1,000 cost ~15 ms
 * (tracking bench, README); past 1,000 the estimate is close enough for a person (the page says ≈).
 */
export const EXACT_TEXT_TOTAL_LIMIT = 1_000

export interface Total {
  readonly total: number
  readonly exact: boolean
}

/**
 * A total that stays fast on a million rows: an exact count stopped at EXACT_TOTAL_LIMIT + 1 rows
 * (EXACT_TEXT_TOTAL_LIMIT with free text), and past that PostgreSQL's own row estimate for the same
 * conditions (never below the limit).
 */
export async function countInvoices(db: Executor, filters: InvoiceFilters): Promise<Total> {
  const where = and(filterConditions(filters))
  const exactUpTo = filters.q?.trim() ? EXACT_TEXT_TOTAL_LIMIT : EXACT_TOTAL_LIMIT
  const r = await sql<{ n: string }>`select count(*)::text as n from (select 1 from invoices where ${where} limit ${exactUpTo + 1}) t`.execute(db)
  const n = Number(r.rows[0]!.n)
  if (n <= exactUpTo) return { total: n, exact: true }
  const plan = await sql<{ 'QUERY PLAN': unknown }>`explain (format json) select 1 from invoices where ${where}`.execute(db)
  const raw = plan.rows[0]!['QUERY PLAN']
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: { 'Plan Rows': number } }>
  return { total: Math.max(exactUpTo + 1, Math.round(parsed[0]?.Plan['Plan Rows'] ?? 0)), exact: false }
}

export interface InvoicePage {
  readonly items: InvoiceRow[]
  readonly nextCursor: string | null
  readonly total: number
  readonly totalExact: boolean
}

export async function listInvoices(db: Executor, filters: InvoiceFilters, sort: Sort, cursor: string | undefined, limit: number): Promise<InvoicePage> {
  const [rows, total] = await Promise.all([keysetPage(db, filters, sort, cursor, limit + 1, (qb) => qb.selectAll()), countInvoices(db, filters)])
  const items = rows.slice(0, limit)
  return { items, nextCursor: rows.length > limit ? encodeCursor(sort, items[items.length - 1]!) : null, total: total.total, totalExact: total.exact }
}

export function getInvoice(db: Executor, id: string): Promise<InvoiceRow | undefined> {
  return db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst()
}

export function invoiceHistory(db: Executor, invoiceId: string) {
  return db
    .selectFrom('invoice_events')
    .select(['id', 'kind', 'status', 'occurred_at', 'actor', 'comment', 'external_id', 'payload'])
    .where('invoice_id', '=', invoiceId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1000)
    .execute()
}

/** Records a person's (or the system's) action on an invoice. */
export async function recordAction(db: Executor, invoiceId: string, action: string, actor: string, payload: Record<string, unknown>, comment?: string | null): Promise<void> {
  await db
    .insertInto('invoice_events')
    .values({ invoice_id: invoiceId, kind: 'action', status: null, actor, comment: comment ?? null, payload: JSON.stringify({ action, ...payload }) })
    .execute()
}
