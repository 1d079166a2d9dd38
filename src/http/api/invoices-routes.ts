import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import { ALL_INVOICE_STATUSES, INVOICE_STATUSES, isKnownStatus, STATUS_GROUPS } from '../../domain/invoice-status'
import type { Database } from '../../db/database'
import { isCalendarDate } from '../../domain/calendar-date'
import { getInvoice, invoiceHistory, listInvoices, parseSort, SORT_COLUMNS, type InvoiceFilters, type Sort } from '../../db/invoices'
import type { Ports } from '../../workflows/ports'
import { completeInvoice, type Attachment } from '../../workflows/tracking/complete-invoice'
import { recycleInvoice } from '../../workflows/tracking/recycle-invoice'
import { handleRejection } from '../../workflows/tracking/handle-rejection'
import { invoicesCsvStream, EXPORT_COLUMNS } from '../../workflows/tracking/export-invoices'
import { requestStatusSync } from '../../workflows/tracking/sync-statuses'
import { syncProgress } from '../../workflows/tracking/sync-progress'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'
import { InvoiceEventSchema, InvoiceSchema, presentEvent, presentInvoice } from './present-invoice'

const date = z.string().refine(isCalendarDate, { message: 'expected a calendar date YYYY-MM-DD' })
const amount = z.string().regex(/^-?\d+(\.\d{1,2})?$/, 'expected a decimal amount such as 1234.56')

/** The filters of the tracking list, shared by the list, the CSV export and POST /exports. */
export const FilterFields = {
  tab: z.enum(['tracking', 'to-process']).optional().openapi({ description: '`to-process`: A_RECYCLER, SUSPENDUE and REJETEE invoices not yet handled' }),
  status: z.string().optional().openapi({ description: 'Comma-separated Chorus codes and/or groups (in_progress, to_process, paid, rejected, closed); a code the connector does not know is accepted only when some invoice holds it, anything else is a 400 naming the allowed values', example: 'to_process,MISE_A_DISPOSITION' }),
  recipient: z.string().max(200).optional().openapi({ description: 'Recipient SIRET (or its first digits), else part of its name' }),
  service: z.string().max(100).optional(),
  account: z.string().regex(/^\d+$/, 'expected a numeric account id').optional(),
  from: date.optional().openapi({ description: 'Deposited on or after (YYYY-MM-DD, Paris)' }),
  to: date.optional().openapi({ description: 'Deposited on or before (YYYY-MM-DD, Paris)' }),
  invoiceFrom: date.optional(),
  invoiceTo: date.optional(),
  amountMin: amount.optional().openapi({ description: 'Gross amount at least' }),
  amountMax: amount.optional(),
  q: z.string().max(200).optional().openapi({ description: 'Free text: invoice number, recipient SIRET or name, Chorus comment' }),
  hasDocument: z.enum(['true', 'false']).optional().openapi({ description: '`false`: invoices submitted outside the connector' }),
  sort: z.string().optional().openapi({ description: 'A column, `-` first for descending: id, invoiceNumber, status, statusAt, recipientSiret, recipientName, serviceCode, engagementNumber, amountNet, amountGross, invoiceDate, depositedAt, accountId', example: '-depositedAt' }),
}
const FiltersQuery = z.object(FilterFields)
export type FiltersInput = z.infer<typeof FiltersQuery>

const badFilter = (code: string, fr: string, en: string, details?: unknown) => new AppError(400, code, { fr, en }, details)

const SORT_KEYS = Object.keys(SORT_COLUMNS)

function unknownStatus(raw: string): AppError {
  const groups = Object.keys(STATUS_GROUPS).join(', ')
  const usual = INVOICE_STATUSES.join(', ')
  return badFilter(
    'invalid_status',
    `Statut inconnu : ${raw}. Valeurs admises : un groupe (${groups}) ou un code de statut Chorus Pro (${usual}… : la liste complète est dans details.allowed), ou un code reçu de Chorus Pro que le connecteur ne connaît pas encore.`,
    `Unknown status: ${raw}. Allowed values: a group (${groups}) or a Chorus Pro status code (${usual}…: the full list is in details.allowed), or a code received from Chorus Pro that the connector does not know yet.`,
    { field: 'status', value: raw, allowed: { groups: Object.keys(STATUS_GROUPS), codes: ALL_INVOICE_STATUSES } },
  )
}

/**
 * Query parameters → repository filters and sort; every bad value is a clear 400 naming the allowed values.
 * A status code is a known one, a group, or (checked by `checkStatusCodes`) a code that some invoice holds:
 * Chorus Pro may send a code the connector does not know yet, and it stays filterable.
 */
export function parseFilters(q: FiltersInput): { filters: InvoiceFilters; sort: Sort; unknownCodes: string[] } {
  const statuses: string[] = []
  const unknownCodes: string[] = []
  for (const raw of (q.status ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const group = STATUS_GROUPS[raw.toLowerCase()]
    if (group) statuses.push(...group)
    else if (isKnownStatus(raw)) statuses.push(raw)
    else if (/^[A-Z][A-Z0-9_]{1,60}$/.test(raw)) {
      statuses.push(raw)
      unknownCodes.push(raw)
    } else throw unknownStatus(raw)
  }
  const sort = parseSort(q.sort)
  if (!sort) {
    const allowed = SORT_KEYS.join(', ')
    throw badFilter('invalid_sort', `Tri inconnu : ${q.sort}. Valeurs admises : ${allowed} (précédé de - pour l’ordre décroissant).`, `Unknown sort: ${q.sort}. Allowed values: ${allowed} (with a leading - for descending).`, { field: 'sort', value: q.sort, allowed: SORT_KEYS })
  }
  if (q.from && q.to && q.from > q.to) throw badFilter('invalid_range', 'La date de début (from) est après la date de fin (to).', 'The start date (from) is after the end date (to).')
  return {
    sort,
    filters: {
      tab: q.tab,
      statuses: statuses.length ? [...new Set(statuses)] : undefined,
      recipient: q.recipient,
      service: q.service,
      accountId: q.account,
      depositedFrom: q.from,
      depositedTo: q.to,
      invoiceDateFrom: q.invoiceFrom,
      invoiceDateTo: q.invoiceTo,
      amountMin: q.amountMin,
      amountMax: q.amountMax,
      q: q.q,
      hasDocument: q.hasDocument === undefined ? undefined : q.hasDocument === 'true',
    },
    unknownCodes,
  }
}

/** Codes the connector does not know are accepted only when some invoice holds them (else `PAYEE` would be an empty list, not a mistake). */
export async function checkStatusCodes(db: Database, codes: readonly string[]): Promise<void> {
  if (!codes.length) return
  const held = new Set((await db.selectFrom('invoices').select('status').where('status', 'in', [...codes]).groupBy('status').execute()).map((r) => r.status))
  const missing = codes.find((c) => !held.has(c))
  if (missing) throw unknownStatus(missing)
}

/** parseFilters, then the unknown codes checked against the invoices. */
export async function parseFiltersChecked(db: Database, q: FiltersInput): Promise<{ filters: InvoiceFilters; sort: Sort }> {
  const parsed = parseFilters(q)
  await checkStatusCodes(db, parsed.unknownCodes)
  return { filters: parsed.filters, sort: parsed.sort }
}

const ListQuery = z.object({
  ...FilterFields,
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})

const ExportQuery = z.object({
  ...FilterFields,
  format: z.enum(['fr', 'en']).default('fr').openapi({ description: '`fr`: `;` and decimal comma (French Excel); `en`: `,` and decimal point' }),
})

const IdParam = z.object({ id: z.string().regex(/^\d+$/, 'expected a numeric invoice id') })

const ListSchema = z.object({
  items: z.array(InvoiceSchema),
  nextCursor: z.string().nullable(),
  total: z.number(),
  totalExact: z.boolean().openapi({ description: 'False beyond 10,000 matches (1,000 with free text q): total is then PostgreSQL’s estimate' }),
})

const DetailSchema = InvoiceSchema.extend({
  history: z.array(InvoiceEventSchema),
  links: z.object({ document: z.string().nullable(), attachments: z.array(z.object({ filename: z.string(), sha256: z.string(), url: z.string() })) }),
}).openapi('InvoiceDetail')

const RecycleBody = z
  .object({
    recipientSiret: z.string().min(1).max(30),
    serviceCode: z.string().max(100).nullish(),
    engagementNumber: z.string().max(50).nullish(),
    comment: z.string().max(2000).nullish(),
    saveMapping: z.boolean().optional(),
    mappingLabel: z.string().max(300).nullish(),
  })
  .strict()

const HandleBody = z
  .object({
    creditNoteNumber: z.string().max(100).nullish(),
    replacementInvoiceNumber: z.string().max(100).nullish(),
    note: z.string().max(4000).nullish(),
  })
  .strict()

const CompleteJson = z.object({ comment: z.string().max(2000).nullish() }).strict()

const notFound = (id: string) => new AppError(404, 'invoice_not_found', { fr: `Facture ${id} introuvable.`, en: `Invoice ${id} not found.` })

function stamp(d: Date): string {
  return d.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')
}

/** Tracking and to-process: list, detail with history, CSV, sync, and the three actions. */
export function invoicesRoutes(ports: Ports) {
  const app = apiRouter()
  const one = { 200: { description: 'The invoice after the action', content: { 'application/json': { schema: InvoiceSchema } } }, 404: { description: 'Not found' }, 409: { description: 'Not in the status the action needs' }, 422: { description: 'Refused (directory check or Chorus Pro)' }, 503: { description: 'Chorus Pro unavailable, or the outcome could not be confirmed' } }

  app.openapi(
    apiRoute('viewer', { method: 'get', path: '/invoices', tags: ['invoices'], summary: 'Tracking and to-process lists: filters, sort on every column, keyset paging', request: { query: ListQuery }, responses: { 200: { description: 'A page', content: { 'application/json': { schema: ListSchema } } } } }),
    async (c) => {
      const q = c.req.valid('query')
      const { filters, sort } = await parseFiltersChecked(ports.db, q)
      const page = await listInvoices(ports.db, filters, sort, q.cursor, q.limit)
      return c.json({ items: page.items.map(presentInvoice), nextCursor: page.nextCursor, total: page.total, totalExact: page.totalExact }, 200)
    },
  )

  app.openapi(
    apiRoute('viewer', {
      method: 'get',
      path: '/invoices/export.csv',
      tags: ['invoices'],
      summary: 'CSV of the tracking list with the same filters, streamed',
      description: `UTF-8 with BOM. Columns, in this order: ${EXPORT_COLUMNS.join(', ')}. For very large sets, POST /exports runs it in the background with progress.`,
      request: { query: ExportQuery },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const { filters, sort } = await parseFiltersChecked(ports.db, q)
      const stream = invoicesCsvStream(ports.db, filters, q.sort ? sort : { key: 'id', desc: false }, { separator: q.format === 'en' ? ',' : ';', copyOut: ports.copyOut })
      return new Response(stream, {
        status: 200,
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="factures-${stamp(ports.now())}.csv"`, 'cache-control': 'no-store' },
      })
    },
  )

  app.openapi(
    apiRoute('operator', { method: 'post', path: '/invoices/sync', tags: ['invoices'], summary: 'Run the status sync now (queued; joins a run already waiting)', request: { body: { required: false, content: { 'application/json': { schema: z.object({ accountId: z.string().regex(/^\d+$/).optional() }).strict() } } } }, responses: { 202: { description: 'Queued', content: { 'application/json': { schema: z.object({ jobId: z.string(), queued: z.boolean() }) } } } } }),
    async (c) => {
      const body = (c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {}) as { accountId?: string }
      const r = await requestStatusSync(ports, body?.accountId)
      return c.json({ jobId: r.id, queued: r.created }, 202)
    },
  )

  app.openapi(
    apiRoute('viewer', {
      method: 'get',
      path: '/invoices/sync/{jobId}',
      tags: ['invoices'],
      summary: 'Where a requested status sync stands, and once done how many invoices changed or were found',
      request: { params: z.object({ jobId: z.string().regex(/^\d{1,18}$/, 'expected a numeric job id') }) },
      responses: {
        200: { description: 'Progress', content: { 'application/json': { schema: z.object({ state: z.enum(['waiting', 'running', 'done', 'failed']), queuedAt: z.string(), finishedAt: z.string().nullable(), retryAt: z.string().nullable(), changed: z.number().nullable(), discovered: z.number().nullable() }).openapi('SyncProgress') } } },
        404: { description: 'No such sync' },
      },
    }),
    async (c) => {
      const { jobId } = c.req.valid('param')
      const p = await syncProgress(ports, jobId)
      if (!p) throw new AppError(404, 'sync_not_found', { fr: 'Cette synchronisation est introuvable (trop ancienne ?).', en: 'This sync cannot be found (too old?).' })
      return c.json(p, 200)
    },
  )

  app.openapi(
    apiRoute('viewer', { method: 'get', path: '/invoices/{id}', tags: ['invoices'], summary: 'One invoice with its status history and actions', request: { params: IdParam }, responses: { 200: { description: 'Invoice', content: { 'application/json': { schema: DetailSchema } } }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const inv = await getInvoice(ports.db, id)
      if (!inv) throw notFound(id)
      const history = await invoiceHistory(ports.db, id)
      const attachments = history.flatMap((e) => {
        const list = (e.payload as { attachments?: Array<{ filename: string; sha256: string }> } | null)?.attachments
        return Array.isArray(list) ? list.map((a) => ({ filename: a.filename, sha256: a.sha256, url: `/api/v1/invoices/${id}/attachments/${a.sha256}` })) : []
      })
      return c.json(
        { ...presentInvoice(inv), history: history.map(presentEvent), links: { document: inv.document_id ? `/api/v1/documents/${inv.document_id}/file` : null, attachments } },
        200,
      )
    },
  )

  app.openapi(
    apiRoute('viewer', { method: 'get', path: '/invoices/{id}/attachments/{sha256}', tags: ['invoices'], summary: 'An attachment sent with Complete', request: { params: IdParam.extend({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256') }) }, responses: { 200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string() } } }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id, sha256 } = c.req.valid('param')
      const ev = await ports.db
        .selectFrom('invoice_events')
        .select('payload')
        .where('invoice_id', '=', id)
        .where('kind', '=', 'action')
        .where(({ eb, ref }) => eb(ref('payload'), '@>', JSON.stringify({ attachments: [{ sha256 }] })))
        .executeTakeFirst()
      const blob = ev ? await ports.db.selectFrom('blobs').select('content').where('sha256', '=', sha256).executeTakeFirst() : undefined
      if (!ev || !blob) throw new AppError(404, 'attachment_not_found', { fr: 'Pièce jointe introuvable pour cette facture.', en: 'Attachment not found for this invoice.' })
      const name = ((ev.payload as { attachments: Array<{ sha256: string; filename: string }> }).attachments.find((a) => a.sha256 === sha256)?.filename ?? 'attachment').replace(/["\r\n]/g, '_')
      return new Response(blob.content, { headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${name}"` } })
    },
  )

  app.openapi(
    apiRoute('operator', {
      method: 'post',
      path: '/invoices/{id}/complete',
      tags: ['invoices'],
      summary: 'Complete a suspended invoice: a comment (≤ 2,000 characters) and attachments',
      request: {
        params: IdParam,
        body: {
          required: true,
          content: {
            'application/json': { schema: CompleteJson },
            'multipart/form-data': { schema: z.object({ comment: z.string().max(2000).optional(), attachments: z.any().optional().openapi({ type: 'array', items: { type: 'string', format: 'binary' } }) }) },
          },
        },
      },
      responses: one,
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      let comment: string | null | undefined
      const attachments: Attachment[] = []
      if ((c.req.header('content-type') ?? '').includes('multipart/form-data')) {
        const form = await c.req.parseBody({ all: true })
        const rawComment = form.comment
        comment = typeof rawComment === 'string' ? rawComment : undefined
        const files = ([] as unknown[]).concat(form.attachments ?? [], form['attachments[]'] ?? [])
        for (const f of files) {
          if (typeof f === 'string' || !(f instanceof Blob)) {
            throw new AppError(400, 'invalid_attachment', { fr: 'Chaque champ attachments doit être un fichier.', en: 'Every attachments field must be a file.' })
          }
          attachments.push({ filename: (f as File).name || 'piece-jointe.pdf', contentType: f.type, bytes: new Uint8Array(await f.arrayBuffer()) })
        }
      } else {
        comment = (c.req.valid('json') as { comment?: string | null }).comment
      }
      const inv = await completeInvoice(ports, id, { comment, attachments }, actorOf(c.get('apiKey')))
      return c.json(presentInvoice(inv), 200)
    },
  )

  app.openapi(
    apiRoute('operator', { method: 'post', path: '/invoices/{id}/recycle', tags: ['invoices'], summary: 'Recycle an invoice with new routing data (checked against the directory first)', request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: RecycleBody } } } }, responses: one }),
    async (c) => {
      const inv = await recycleInvoice(ports, c.req.valid('param').id, c.req.valid('json'), actorOf(c.get('apiKey')))
      return c.json(presentInvoice(inv), 200)
    },
  )

  app.openapi(
    apiRoute('operator', { method: 'post', path: '/invoices/{id}/handle', tags: ['invoices'], summary: 'Handle a rejected invoice: credit note and/or replacement invoice numbers and a note', request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: HandleBody } } } }, responses: one }),
    async (c) => {
      const inv = await handleRejection(ports, c.req.valid('param').id, c.req.valid('json'), actorOf(c.get('apiKey')))
      return c.json(presentInvoice(inv), 200)
    },
  )
  return app
}
