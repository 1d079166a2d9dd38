import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import { getExport } from '../../db/exports'
import type { Selectable } from 'kysely'
import type { ExportsTable } from '../../db/schema'
import type { Ports } from '../../workflows/ports'
import { DEFAULT_EXPORT_RETENTION_MS, startExport } from '../../workflows/tracking/export-invoices'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'
import { FilterFields, parseFiltersChecked } from './invoices-routes'

const ExportBody = z
  .object({
    ...FilterFields,
    format: z.enum(['fr', 'en']).default('fr'),
    layout: z.enum(['columns', 'person']).default('columns').openapi({ description: '`person`: the spreadsheet a person opens, in the caller’s language (headers, status labels, identifiers kept as text, dates as the language writes them); `columns` (default): the stable columns for programs' }),
    retentionHours: z.number().int().min(1).max(24 * 30).optional().openapi({ description: 'How long the file stays downloadable (default 24)' }),
  })
  .strict()

const ExportSchema = z
  .object({
    id: z.string(),
    state: z.enum(['pending', 'running', 'done', 'failed', 'expired']),
    rowsDone: z.number(),
    rowsTotal: z.number().nullable(),
    progress: z.number().nullable().openapi({ description: '0..1' }),
    fileUrl: z.string().nullable(),
    fileSize: z.number().nullable(),
    error: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .openapi('Export')

function presentExport(e: Selectable<ExportsTable>) {
  return {
    id: e.id,
    state: e.state,
    rowsDone: e.rows_done,
    rowsTotal: e.rows_total,
    progress: e.rows_total ? Math.min(1, e.rows_done / e.rows_total) : e.state === 'done' ? 1 : null,
    fileUrl: e.state === 'done' ? `/api/v1/exports/${e.id}/file` : null,
    fileSize: e.file_size === null ? null : Number(e.file_size),
    error: e.error,
    createdAt: e.created_at.toISOString(),
    finishedAt: e.finished_at ? e.finished_at.toISOString() : null,
    expiresAt: e.expires_at ? e.expires_at.toISOString() : null,
  }
}

const IdParam = z.object({ id: z.string().regex(/^\d+$/, 'expected a numeric export id') })
const notFound = (id: string) => new AppError(404, 'export_not_found', { fr: `Export ${id} introuvable.`, en: `Export ${id} not found.` })

/** Asynchronous CSV exports for very large sets: start, follow progress, download while kept. */
export function exportsRoutes(ports: Ports) {
  const app = apiRouter()
  const json = { 'application/json': { schema: ExportSchema } }

  app.openapi(
    apiRoute('viewer', { method: 'post', path: '/exports', tags: ['invoices'], summary: 'Start a background CSV export of the tracking list with these filters', request: { body: { required: true, content: { 'application/json': { schema: ExportBody } } } }, responses: { 202: { description: 'Started', content: json } } }),
    async (c) => {
      const body = c.req.valid('json')
      const { filters, sort } = await parseFiltersChecked(ports.db, body)
      const e = await startExport(ports, {
        filters: { ...filters, sort: body.sort ? sort : { key: 'id', desc: false } },
        options: { separator: body.format === 'en' ? ',' : ';', layout: body.layout, lang: c.get('lang'), retentionMs: (body.retentionHours ?? DEFAULT_EXPORT_RETENTION_MS / 3600_000) * 3600_000 },
        createdBy: actorOf(c.get('apiKey')),
      })
      return c.json(presentExport(e), 202)
    },
  )

  app.openapi(
    apiRoute('viewer', { method: 'get', path: '/exports/{id}', tags: ['invoices'], summary: 'Progress of an export (rows done / total)', request: { params: IdParam }, responses: { 200: { description: 'Export', content: json }, 404: { description: 'Not found' } } }),
    async (c) => {
      const e = await getExport(ports.db, c.req.valid('param').id)
      if (!e) throw notFound(c.req.valid('param').id)
      return c.json(presentExport(e), 200)
    },
  )

  app.openapi(
    apiRoute('viewer', { method: 'get', path: '/exports/{id}/file', tags: ['invoices'], summary: 'Download a finished export', request: { params: IdParam }, responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, 404: { description: 'Not found' }, 409: { description: 'Not finished yet' }, 410: { description: 'Expired' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const e = await getExport(ports.db, id)
      if (!e) throw notFound(id)
      if (e.state === 'expired' || (e.expires_at && e.expires_at < ports.now())) {
        throw new AppError(410, 'export_expired', { fr: `L’export ${id} a expiré : relancez-le.`, en: `Export ${id} has expired: start it again.` })
      }
      if (e.state !== 'done' || !e.file_path) {
        throw new AppError(409, 'export_not_ready', { fr: `L’export ${id} n’est pas terminé (${e.state}, ${e.rows_done}/${e.rows_total ?? '?'} lignes).`, en: `Export ${id} is not finished (${e.state}, ${e.rows_done}/${e.rows_total ?? '?'} rows).` }, presentExport(e))
      }
      const size = await stat(e.file_path).then((s) => s.size).catch(() => undefined)
      if (size === undefined) throw new AppError(410, 'export_expired', { fr: `Le fichier de l’export ${id} n’existe plus : relancez-le.`, en: `The file of export ${id} is gone: start it again.` })
      const body = Readable.toWeb(createReadStream(e.file_path)) as ReadableStream<Uint8Array>
      const opts = (e.options ?? {}) as { layout?: string; lang?: string }
      const name = opts.layout === 'person' && opts.lang === 'en' ? `invoices-export-${id}.csv` : `factures-export-${id}.csv`
      return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-length': String(size), 'content-disposition': `attachment; filename="${name}"` })
    },
  )
  return app
}
