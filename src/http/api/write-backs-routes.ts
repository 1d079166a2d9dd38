import { z } from '@hono/zod-openapi'
import { listWriteBacks, type WriteBackRow } from '../../workflows/write-back/run-write-back'
import { retryWriteBack } from '../../workflows/write-back/retry-write-back'
import type { Ports } from '../../workflows/ports'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'

const WriteBackSchema = z
  .object({
    id: z.string(),
    documentId: z.string(),
    invoiceId: z.string().nullable(),
    sourceId: z.string(),
    event: z.enum(['submitted', 'status_changed']),
    invoiceNumber: z.string(),
    status: z.string(),
    statusAt: z.string(),
    state: z.enum(['pending', 'done', 'failed', 'skipped']).openapi({ description: 'pending (waiting or being retried: see attempts and lastError), done, failed (after the last attempt), skipped (write-back off, or the host document gone)' }),
    attempts: z.number(),
    lastError: z.string().nullable(),
    retryable: z.boolean().openapi({ description: 'true when POST /write-backs/{id}/retry would take it: failed, and the latest write-back of its document (a later one already carries a later status)' }),
    outcome: z.unknown(),
    createdAt: z.string(),
    doneAt: z.string().nullable(),
  })
  .openapi('WriteBack')

function present(r: WriteBackRow, latest: boolean) {
  return {
    id: r.id,
    documentId: r.document_id,
    invoiceId: r.invoice_id,
    sourceId: r.source_id,
    event: r.event,
    invoiceNumber: r.invoice_number,
    status: r.status,
    statusAt: r.status_at.toISOString(),
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    retryable: r.state === 'failed' && latest,
    outcome: r.outcome,
    createdAt: r.created_at.toISOString(),
    doneAt: r.done_at?.toISOString() ?? null,
  }
}

/** Admin: what the hosts (Odoo, folders) were told of submissions and status changes, and what failed. */
export function writeBacksRoutes(ports: Ports) {
  const app = apiRouter()
  app.openapi(
    apiRoute('admin', {
      method: 'get',
      path: '/write-backs',
      tags: ['admin'],
      summary: 'Write-backs to the host documents (Odoo tags and notes, folder JSON files), newest first; filter by state or document',
      request: {
        query: z.object({
          state: z.enum(['pending', 'done', 'failed', 'skipped']).optional(),
          documentId: z.string().regex(/^\d{1,18}$/).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
      responses: { 200: { description: 'Write-backs', content: { 'application/json': { schema: z.object({ items: z.array(WriteBackSchema) }) } } } },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const rows = await listWriteBacks(ports, { ...(q.state ? { state: q.state } : {}), ...(q.documentId ? { documentId: q.documentId } : {}), limit: q.limit })
      return c.json({ items: rows.map((r) => present(r, r.latest)) }, 200)
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'post',
      path: '/write-backs/{id}/retry',
      tags: ['admin'],
      summary: 'Tell the host again, with a fresh set of attempts, what a write-back that failed after its last attempt had to say (once the host or its credentials are fixed); only the latest write-back of a document',
      request: { params: z.object({ id: z.string().regex(/^\d{1,18}$/, 'expected a numeric id') }) },
      responses: { 202: { description: 'Queued', content: { 'application/json': { schema: WriteBackSchema } } }, 404: { description: 'Not found' }, 409: { description: 'Not failed, or a later write-back of the same document exists' } },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      return c.json(present(await retryWriteBack(ports, id, actorOf(c.get('apiKey'))), true), 202)
    },
  )
  return app
}
