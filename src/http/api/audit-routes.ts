import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import type { Database } from '../../db/database'
import { decodeCursor, encodeCursor, isIdValue } from '../../db/cursor'
import { apiRoute, apiRouter } from './api-route'

const Entry = z.object({ id: z.string(), at: z.string(), actor: z.string().nullable(), action: z.string(), targetType: z.string().nullable(), targetId: z.string().nullable(), details: z.unknown().nullable() }).openapi('AuditEntry')

/** Who did what, newest first (keyset on id). */
export function auditRoutes(db: Database) {
  const app = apiRouter()
  app.openapi(
    apiRoute('admin', {
      method: 'get',
      path: '/audit',
      tags: ['admin'],
      summary: 'The audit log: every admin and operator action',
      request: {
        query: z.object({
          action: z.string().max(100).optional(),
          targetType: z.string().max(50).optional(),
          targetId: z.string().max(100).optional(),
          actor: z.string().max(200).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
      responses: { 200: { description: 'Entries', content: { 'application/json': { schema: z.object({ items: z.array(Entry), nextCursor: z.string().nullable(), total: z.number() }) } } } },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const afterId = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 1)?.[0]
      if (q.cursor !== undefined && !isIdValue(afterId)) throw new AppError(400, 'invalid_cursor', { fr: 'Curseur invalide : reprenez nextCursor de la page précédente.', en: 'Invalid cursor: use nextCursor from the previous page.' })
      let base = db.selectFrom('audit_log')
      if (q.action) base = base.where('action', '=', q.action)
      if (q.targetType) base = base.where('target_type', '=', q.targetType)
      if (q.targetId) base = base.where('target_id', '=', q.targetId)
      if (q.actor) base = base.where('actor', '=', q.actor)
      const total = Number((await base.select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
      let page = base.selectAll()
      if (afterId) page = page.where('id', '<', afterId)
      const rows = await page.orderBy('id', 'desc').limit(q.limit + 1).execute()
      const more = rows.length > q.limit
      const items = rows.slice(0, q.limit).map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, details: r.details }))
      return c.json({ items, nextCursor: more ? encodeCursor([items[items.length - 1]!.id]) : null, total }, 200)
    },
  )
  return app
}
