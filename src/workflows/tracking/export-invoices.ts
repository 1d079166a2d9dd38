import { createWriteStream, mkdirSync } from 'node:fs'
import { rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import { sql, type RawBuilder } from 'kysely'
import type { Database } from '../../db/database'
import type { InvoiceRow } from '../../db/schema'
import { countInvoices, encodeCursor, filterConditions, keysetPage, SORT_COLUMNS, type InvoiceFilters, type Sort } from '../../db/invoices'
import { CSV_BOM, CSV_EOL, csvCell, csvFormat, type CsvFormat, type CsvSeparator } from '../../domain/csv'
import { ALL_INVOICE_STATUSES, describeStatus } from '../../domain/invoice-status'
import type { Lang } from '../../domain/localized'
import type { Ports } from '../ports'
import type { JobRun } from '../jobs'
import { createExport, expireExports } from '../../db/exports'
import { copyCsvDecoder, type CopyOut } from '../../db/copy-out'

/**
 * The CSV export's columns: stable, in this order (documented in README "CSV export"). Extend at the
 * end, never rename or reorder. Instants are Europe/Paris `YYYY-MM-DD HH:MM:SS`, dates `YYYY-MM-DD` (also a deposit Chorus Pro dated only by its day),
 * amounts exact with the format's decimal mark, booleans 1/0.
 */
export const EXPORT_COLUMNS = [
  'invoice_number', 'invoice_type', 'status', 'status_at', 'status_comment', 'recipient_siret', 'recipient_name',
  'service_code', 'engagement_number', 'currency', 'amount_net', 'amount_vat', 'amount_gross', 'amount_due',
  'invoice_date', 'deposited_at', 'chorus_invoice_id', 'flow_number', 'document_id', 'account_id', 'to_process', 'handled',
] as const

export type ExportColumn = (typeof EXPORT_COLUMNS)[number]

const TEXT = new Set<ExportColumn>(['invoice_number', 'invoice_type', 'status', 'status_comment', 'recipient_siret', 'recipient_name', 'service_code', 'engagement_number', 'currency', 'flow_number'])
const AMOUNT = new Set<ExportColumn>(['amount_net', 'amount_vat', 'amount_gross', 'amount_due'])
const INSTANT = new Set<ExportColumn>(['status_at', 'deposited_at'])

/** A cell's raw text (no CSV escaping yet): amounts with the format's decimal mark, instants in Paris time. */
function rawCell(c: ExportColumn, format: CsvFormat): RawBuilder<unknown> {
  const ref = sql.ref(c)
  if (TEXT.has(c)) return ref
  if (AMOUNT.has(c)) return format.decimal === ',' ? sql`replace(${ref}::text, '.', ',')` : sql`${ref}::text`
  if (c === 'deposited_at') return sql`case when ${wholeDay(ref)} then to_char(${ref} at time zone 'Europe/Paris', 'YYYY-MM-DD') else to_char(${ref} at time zone 'Europe/Paris', 'YYYY-MM-DD HH24:MI:SS') end`
  if (INSTANT.has(c)) return sql`to_char(${ref} at time zone 'Europe/Paris', 'YYYY-MM-DD HH24:MI:SS')`
  if (c === 'to_process' || c === 'handled') return sql`case when ${ref} then '1' else '0' end`
  return sql`${ref}::text`
}

/**
 * A deposit Chorus Pro gave only as a day is stored as the start of that day in Paris (domain/deposit-date.ts):
 * the CSV says the day, `YYYY-MM-DD`, never a made-up 00:00:00.
 */
function wholeDay(ref: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(${ref} at time zone 'Europe/Paris')::time = time '00:00'`
}

const US = sql.lit('\x1f')

/**
 * The whole CSV line of a row, built by PostgreSQL, so Node only concatenates lines and a million-row
 * export stays close to COPY's speed. Same rules as src/domain/csv.ts (csv_text, migration 0003), with
 * a fast path: the text and amount cells are joined with U+001F and one regular expression per row
 * tells whether any of them holds the separator, a quote, CR or LF, or starts like a formula; only
 * then is every cell escaped one by one (a false alarm only costs time). Escaping each cell with its
 * own function calls made the export three times slower than psql's \copy.
 */
export function csvLineSql(format: CsvFormat): RawBuilder<string> {
  const sep = sql.lit(format.separator)
  const checked = sql`concat(${sql.join(EXPORT_COLUMNS.filter((c) => TEXT.has(c) || AMOUNT.has(c)).map((c) => (TEXT.has(c) ? sql.ref(c) : sql`${sql.ref(c)}::text`)), sql`, ${US}, `)})`
  const plain = sql`concat(${sql.join(EXPORT_COLUMNS.map((c) => rawCell(c, format)), sql`, ${sep}, `)})`
  const careful = sql.join(
    EXPORT_COLUMNS.map((c) => (TEXT.has(c) || AMOUNT.has(c) ? sql`csv_text(${rawCell(c, format)}, ${sep})` : sql`coalesce(${rawCell(c, format)}, '')`)),
    sql` || ${sep} || `,
  )
  const needsCare = sql.lit(`[${format.separator}"\r\n]|(^|\x1f)[-=+@\t]`)
  return sql<string>`case when ${checked} ~ ${needsCare} then ${careful} else ${plain} end || ${sql.lit(CSV_EOL)}`
}

export function csvHeader(format: CsvFormat): string {
  return CSV_BOM + EXPORT_COLUMNS.join(format.separator) + CSV_EOL
}

/**
 * The export a person opens in a spreadsheet (issue 17, item 12), in their language: headers and status
 * labels in French or English, identifiers made of digits (SIRET, numbers) as Excel text formulas so that
 * Excel keeps every digit and leading zero, amounts with the language's decimal mark, dates as the
 * language writes them (a deposit Chorus Pro dated only by its day stays a day). No internal id. The
 * default layout (`columns`) is the stable one for programs, above.
 */
export const PERSON_COLUMNS = [
  { col: 'invoice_number', kind: 'id', fr: 'N° de facture', en: 'Invoice number' },
  { col: 'invoice_type', kind: 'type', fr: 'Type', en: 'Type' },
  { col: 'status', kind: 'status', fr: 'Statut', en: 'Status' },
  { col: 'status_at', kind: 'instant', fr: 'Date du statut', en: 'Status date' },
  { col: 'status_comment', kind: 'text', fr: 'Motif donné par le destinataire', en: 'Reason given by the recipient' },
  { col: 'recipient_siret', kind: 'id', fr: 'SIRET du destinataire', en: 'Recipient SIRET' },
  { col: 'recipient_name', kind: 'text', fr: 'Destinataire', en: 'Recipient' },
  { col: 'service_code', kind: 'id', fr: 'Code service', en: 'Service code' },
  { col: 'engagement_number', kind: 'id', fr: 'N° d’engagement', en: 'Engagement number' },
  { col: 'currency', kind: 'text', fr: 'Devise', en: 'Currency' },
  { col: 'amount_net', kind: 'amount', fr: 'Montant HT', en: 'Net amount' },
  { col: 'amount_vat', kind: 'amount', fr: 'Montant TVA', en: 'VAT amount' },
  { col: 'amount_gross', kind: 'amount', fr: 'Montant TTC', en: 'Gross amount' },
  { col: 'amount_due', kind: 'amount', fr: 'Net à payer', en: 'Amount due' },
  { col: 'invoice_date', kind: 'date', fr: 'Date de facture', en: 'Invoice date' },
  { col: 'deposited_at', kind: 'deposit', fr: 'Déposée le', en: 'Deposited' },
  { col: 'chorus_invoice_id', kind: 'id', fr: 'N° Chorus Pro', en: 'Chorus Pro number' },
  { col: 'flow_number', kind: 'id', fr: 'N° de flux', en: 'Flow number' },
  { col: 'to_process', kind: 'yesno', fr: 'À traiter', en: 'To process' },
] as const satisfies ReadonlyArray<{ col: keyof InvoiceRow; kind: string; fr: string; en: string }>

export type ExportLayout = 'columns' | 'person'

/** Chorus Pro codes as a person reads them, in SQL: the labels of domain/invoice-status.ts; an unknown code raw. */
function statusLabelSql(ref: RawBuilder<unknown>, lang: Lang): RawBuilder<string> {
  const cases = ALL_INVOICE_STATUSES.map((code) => sql`when ${sql.lit(code)} then ${sql.lit(describeStatus(code).label[lang])}`)
  return sql<string>`(case ${ref} ${sql.join(cases, sql` `)} else ${ref} end)`
}

/** Digits only: ="00123", quoted for CSV, which Excel shows as text with every digit. */
const EXCEL_TEXT_OPEN = sql.lit('"=""')
const EXCEL_TEXT_CLOSE = sql.lit('"""')

function personCell(c: (typeof PERSON_COLUMNS)[number], format: CsvFormat, lang: Lang): RawBuilder<unknown> {
  const ref = sql.ref(c.col)
  const sep = sql.lit(format.separator)
  const text = (v: RawBuilder<unknown>) => sql`csv_text(${v}, ${sep})`
  const day = lang === 'fr' ? 'DD/MM/YYYY' : 'YYYY-MM-DD'
  const time = `${day} HH24:MI`
  switch (c.kind) {
    case 'id':
      return sql`case when ${ref}::text ~ '^[0-9]+$' then ${EXCEL_TEXT_OPEN} || ${ref}::text || ${EXCEL_TEXT_CLOSE} else ${text(sql`${ref}::text`)} end`
    case 'type':
      return sql`case ${ref} when 'AVOIR' then ${sql.lit(lang === 'fr' ? 'Avoir' : 'Credit note')} when 'FACTURE' then ${sql.lit(lang === 'fr' ? 'Facture' : 'Invoice')} else ${text(ref)} end`
    case 'status':
      return text(statusLabelSql(ref, lang))
    case 'text':
      return text(ref)
    case 'amount':
      return format.decimal === ',' ? sql`coalesce(replace(${ref}::text, '.', ','), '')` : sql`coalesce(${ref}::text, '')`
    case 'date':
      return sql`coalesce(to_char(${ref}, ${sql.lit(day)}), '')`
    case 'instant':
      return sql`coalesce(to_char(${ref} at time zone 'Europe/Paris', ${sql.lit(time)}), '')`
    case 'deposit':
      return sql`coalesce(case when ${wholeDay(ref)} then to_char(${ref} at time zone 'Europe/Paris', ${sql.lit(day)}) else to_char(${ref} at time zone 'Europe/Paris', ${sql.lit(time)}) end, '')`
    case 'yesno':
      return sql`case when ${ref} then ${sql.lit(lang === 'fr' ? 'oui' : 'yes')} else ${sql.lit(lang === 'fr' ? 'non' : 'no')} end`
  }
}

export function personLineSql(format: CsvFormat, lang: Lang): RawBuilder<string> {
  return sql<string>`${sql.join(PERSON_COLUMNS.map((c) => personCell(c, format, lang)), sql` || ${sql.lit(format.separator)} || `)} || ${sql.lit(CSV_EOL)}`
}

export function personHeader(format: CsvFormat, lang: Lang): string {
  return CSV_BOM + PERSON_COLUMNS.map((c) => csvCell(c[lang], format.separator)).join(format.separator) + CSV_EOL
}

export interface CsvExportOptions {
  /** `person`: the spreadsheet a person opens, in `lang` (PERSON_COLUMNS); default the stable columns. */
  readonly layout?: ExportLayout
  readonly lang?: Lang
  readonly separator?: CsvSeparator
  /** PostgreSQL's COPY TO STDOUT, when the database has it: the whole export as one bulk stream. */
  readonly copyOut?: CopyOut
  /** Rows per keyset page (one short query each; nothing stays open between pages). Default 5,000. */
  readonly pageSize?: number
  readonly signal?: AbortSignal
}

/**
 * The CSV as text chunks: header first (with the BOM), then one chunk per keyset page. Each page is
 * its own short query, and the next one is already asked while the current chunk is written, so
 * memory stays at about two pages and no transaction is held open (PGlite has one connection).
 */
export async function* invoicesCsvChunks(db: Database, filters: InvoiceFilters, sort: Sort, opts: CsvExportOptions = {}): AsyncGenerator<{ text: string; rows: number }> {
  const format = csvFormat(opts.separator)
  const pageSize = opts.pageSize ?? 5000
  if (opts.layout === 'person') {
    // Keyset pages only: COPY's own CSV writer would quote the ="…" identifier cells a second time.
    const lang = opts.lang ?? 'fr'
    yield { text: personHeader(format, lang), rows: 0 }
    const fetchPerson = rowPages(db, filters, sort, format, pageSize, personLineSql(format, lang))
    let page = await fetchPerson(undefined)
    while (page.rows > 0) {
      if (opts.signal?.aborted) return
      const next = page.rows < pageSize ? undefined : fetchPerson(page.cursor)
      next?.catch(() => {})
      yield { text: page.text, rows: page.rows }
      if (!next) return
      page = await next
    }
    return
  }
  yield { text: csvHeader(format), rows: 0 }
  if (opts.copyOut) {
    yield* copiedLines(db, filters, sort, format, opts.copyOut, opts.signal)
    return
  }
  const fetch = rowPages(db, filters, sort, format, pageSize)
  let page = await fetch(undefined)
  while (page.rows > 0) {
    if (opts.signal?.aborted) return
    const next = page.rows < pageSize ? undefined : fetch(page.cursor)
    // An unawaited rejection would crash the process if the consumer stops before awaiting it.
    next?.catch(() => {})
    yield { text: page.text, rows: page.rows }
    if (!next) return
    page = await next
  }
}

/**
 * The same lines through COPY (PostgreSQL): one statement, in the same order as the keyset pages
 * (PostgreSQL puts nulls last ascending and first descending, as keysetPage does). Holding one
 * statement open is fine on PostgreSQL; PGlite, with its single connection, keeps the keyset pages.
 */
async function* copiedLines(db: Database, filters: InvoiceFilters, sort: Sort, format: CsvFormat, copyOut: CopyOut, signal: AbortSignal | undefined): AsyncGenerator<{ text: string; rows: number }> {
  const conds = filterConditions(filters)
  const dir = sql.raw(sort.desc ? 'desc' : 'asc')
  const query = db
    .selectFrom('invoices')
    .select(EXPORT_COLUMNS.map((c, i) => copyCell(c, format).as(`c${i}`)))
    .where(conds.length ? sql<boolean>`${sql.join(conds, sql` and `)}` : sql<boolean>`true`)
    .orderBy(sql`${sql.ref(SORT_COLUMNS[sort.key].col)} ${dir}, id ${dir}`)
    .compile()
  const decoder = copyCsvDecoder()
  let buffered = ''
  let rows = 0
  for await (const chunk of copyOut(query, { csvDelimiter: format.separator, signal })) {
    const part = decoder.push(chunk)
    buffered += part.text
    rows += part.rows
    // COPY hands 64 KB pieces; pass on about 256 KB at a time: fewer, larger HTTP writes, memory stays flat.
    if (buffered.length >= 1 << 18) {
      yield { text: buffered, rows }
      buffered = ''
      rows = 0
    }
  }
  buffered += decoder.end()
  if (buffered) yield { text: buffered, rows }
}

/**
 * A cell for COPY's own CSV writer, which quotes exactly as src/domain/csv.ts does (separator, quote,
 * CR or LF inside): we only neutralise formulas, use the decimal mark, and turn '' into NULL (COPY
 * writes a non-null empty string as "", we write nothing). Instants: date_trunc()::text, which reads as
 * to_char's 'YYYY-MM-DD HH24:MI:SS' at a third of its cost (measured: 1 s per column per million rows).
 */
function copyCell(c: ExportColumn, format: CsvFormat): RawBuilder<unknown> {
  const ref = sql.ref(c)
  if (TEXT.has(c)) return sql`case when left(${ref}, 1) in ('=', '+', '-', '@', chr(9), chr(13)) and ${ref} !~ '^[+-]?[0-9]+([.,][0-9]+)?$' then '''' || ${ref} else nullif(${ref}, '') end`
  if (c === 'deposited_at') return sql`case when ${wholeDay(ref)} then (${ref} at time zone 'Europe/Paris')::date::text else date_trunc('second', ${ref} at time zone 'Europe/Paris')::text end`
  if (INSTANT.has(c)) return sql`date_trunc('second', ${ref} at time zone 'Europe/Paris')::text`
  return rawCell(c, format)
}

interface CsvPage {
  readonly text: string
  readonly rows: number
  readonly cursor: string | undefined
}

/**
 * One keyset page of lines, joined in Node. (Tried: string_agg of the page inside PostgreSQL, to parse one
 * value per page; it was slower on PostgreSQL 15, 11.3 s against 8.8 s for a million rows.)
 */
function rowPages(db: Database, filters: InvoiceFilters, sort: Sort, format: CsvFormat, pageSize: number, lineSql?: RawBuilder<string>) {
  const col = SORT_COLUMNS[sort.key].col
  const line = lineSql ?? csvLineSql(format)
  type Row = { id: string; line: string } & Record<string, unknown>
  return async (cursor: string | undefined): Promise<CsvPage> => {
    const rows = (await keysetPage(db, filters, sort, cursor, pageSize, (qb) => qb.select(['id', sql.ref<unknown>(col).as(col), line.as('line')]))) as unknown as Row[]
    let text = ''
    for (const r of rows) text += r.line
    const last = rows[rows.length - 1]
    return { text, rows: rows.length, cursor: last ? encodeCursor(sort, last as unknown as InvoiceRow) : undefined }
  }
}

/** The same chunks as a byte stream for an HTTP response; cancelling it (client gone) stops the queries. */
export function invoicesCsvStream(db: Database, filters: InvoiceFilters, sort: Sort, opts: CsvExportOptions = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const it = invoicesCsvChunks(db, filters, sort, opts)
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await it.next()
          if (r.done) controller.close()
          else controller.enqueue(encoder.encode(r.value.text))
        } catch (e) {
          controller.error(e)
        }
      },
      async cancel() {
        await it.return(undefined)
      },
    },
    { highWaterMark: 1 },
  )
}

export function exportsDir(ports: Pick<Ports, 'dataDir'>): string {
  return join(ports.dataDir, 'exports')
}

/** Default time a finished asynchronous export stays downloadable. */
export const DEFAULT_EXPORT_RETENTION_MS = 24 * 3600_000

/**
 * The asynchronous export (POST /exports) for very large sets: writes the CSV to DATA_DIR/exports,
 * recording progress (rows done / total) after every page, then keeps the file until expires_at.
 */
/** Starts a background export (POST /exports): its row, then its job. */
export async function startExport(ports: Ports, input: Parameters<typeof createExport>[1]) {
  const e = await createExport(ports.db, input)
  await ports.jobs.enqueue('export.run', { exportId: e.id })
  return e
}

/** The `export.run` job: its last failed attempt marks the export failed, with the reason, for the person who waits for it. */
export async function runQueuedExport(ports: Ports, exportId: string, run: Pick<JobRun, 'signal' | 'lastAttempt'>): Promise<void> {
  try {
    await runExport(ports, exportId, { signal: run.signal })
  } catch (e) {
    if (run.lastAttempt) await ports.db.updateTable('exports').set({ state: 'failed', error: e instanceof Error ? e.message : String(e) }).where('id', '=', exportId).execute()
    throw e
  }
}

/** The hourly `exports.expire` job: finished exports past their retention are deleted, files and rows. */
export async function expireOldExports(ports: Ports): Promise<number> {
  const n = await expireExports(ports.db, ports.now())
  if (n) ports.logger.info({ exports: n }, 'expired exports removed')
  return n
}

export async function runExport(ports: Ports, exportId: string, opts: { signal?: AbortSignal; retentionMs?: number } = {}): Promise<void> {
  const e = await ports.db.selectFrom('exports').selectAll().where('id', '=', exportId).executeTakeFirst()
  if (!e || e.state === 'done' || e.state === 'expired') return
  const filters = (e.filters ?? {}) as InvoiceFilters & { sort?: Sort }
  const options = (e.options ?? {}) as { separator?: CsvSeparator; retentionMs?: number; layout?: ExportLayout; lang?: Lang }
  const sort = filters.sort ?? { key: 'id', desc: false }
  const { total } = await countExact(ports.db, filters)
  await ports.db.updateTable('exports').set({ state: 'running', rows_total: total, rows_done: 0, error: null }).where('id', '=', exportId).execute()
  const dir = exportsDir(ports)
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `export-${exportId}.csv`)
  const tmp = `${path}.part`
  const out = createWriteStream(tmp)
  let done = 0
  try {
    let reported = 0
    for await (const chunk of invoicesCsvChunks(ports.db, filters, sort, { separator: options.separator, layout: options.layout, lang: options.lang, signal: opts.signal, copyOut: ports.copyOut })) {
      if (!out.write(chunk.text)) await once(out, 'drain')
      done += chunk.rows
      // Progress every 5,000 rows: COPY chunks are small, and a write per chunk would cost more than the export.
      if (done - reported >= 5000) {
        reported = done
        await ports.db.updateTable('exports').set({ rows_done: done }).where('id', '=', exportId).execute()
      }
    }
    out.end()
    await once(out, 'finish')
    await rename(tmp, path)
    const size = (await stat(path)).size
    const retention = options.retentionMs ?? opts.retentionMs ?? DEFAULT_EXPORT_RETENTION_MS
    await ports.db
      .updateTable('exports')
      .set({ state: 'done', rows_done: done, rows_total: Math.max(done, total), file_path: path, file_size: size, finished_at: ports.now(), expires_at: new Date(ports.now().getTime() + retention) })
      .where('id', '=', exportId)
      .execute()
  } catch (err) {
    out.destroy()
    throw err
  }
}

/** Exact count for progress: the async export is for large sets, where one count(*) is worth it. */
async function countExact(db: Database, filters: InvoiceFilters): Promise<{ total: number }> {
  const t = await countInvoices(db, filters)
  if (t.exact) return t
  const conds = filterConditions(filters)
  const where = conds.length ? sql.join(conds, sql` and `) : sql`true`
  const r = await sql<{ n: string }>`select count(*)::text as n from invoices where ${where}`.execute(db)
  return { total: Number(r.rows[0]!.n) }
}
