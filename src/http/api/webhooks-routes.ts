import { decodeCursor, encodeCursor, isIdValue } from '../../db/cursor'
import { randomBytes } from 'node:crypto'
import { z } from '@hono/zod-openapi'
import type { Selectable } from 'kysely'
import { AppError } from '../../domain/app-error'
import { audit } from '../../db/audit'
import { createWebhook, deleteWebhook, getDelivery, getWebhook, listDeliveries, listWebhooks, updateWebhook } from '../../db/webhooks'
import type { WebhookDeliveriesTable, WebhooksTable } from '../../db/schema'
import { checkWebhookUrl } from '../../workflows/webhooks/check-webhook-url'
import { sendWebhookTest } from '../../workflows/webhooks/send-webhook-test'
import { redeliverWebhook } from '../../workflows/webhooks/redeliver-webhook'
import { WEBHOOK_EVENTS } from '../../workflows/webhooks/emit-webhook-event'
import type { Ports } from '../../workflows/ports'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'

const url = z
  .string()
  .url('expected an absolute http(s) URL')
  .refine((u) => /^https?:\/\//i.test(u), { message: 'expected an http:// or https:// URL' })
const events = z.array(z.enum(WEBHOOK_EVENTS)).max(WEBHOOK_EVENTS.length).openapi({ description: `Empty: every event (${WEBHOOK_EVENTS.join(', ')})` })
const secret = z.string().min(16, 'at least 16 characters').max(200)

const WebhookInput = z.object({ url, secret: secret.optional().openapi({ description: 'Write-only; generated when absent and shown once' }), events: events.default([]), enabled: z.boolean().optional() }).strict()
const WebhookPatch = z.object({ url: url.optional(), secret: secret.optional(), events: events.optional(), enabled: z.boolean().optional() }).strict()

const WebhookSchema = z
  .object({ id: z.string(), url: z.string(), events: z.array(z.string()), enabled: z.boolean(), createdAt: z.string(), updatedAt: z.string(), secret: z.string().optional().openapi({ description: 'Only in the answer to a creation without a secret, or a rotation' }) })
  .openapi('Webhook')
const DeliverySchema = z
  .object({ id: z.string(), webhookId: z.string(), event: z.string(), state: z.enum(['pending', 'delivered', 'failed']), attempts: z.number(), responseStatus: z.number().nullable(), error: z.string().nullable(), createdAt: z.string(), deliveredAt: z.string().nullable(), payload: z.unknown() })
  .openapi('WebhookDelivery')

function presentWebhook(w: Selectable<WebhooksTable>, shownSecret?: string) {
  return { id: w.id, url: w.url, events: w.events as string[], enabled: w.enabled, createdAt: w.created_at.toISOString(), updatedAt: w.updated_at.toISOString(), ...(shownSecret ? { secret: shownSecret } : {}) }
}

function presentDelivery(d: Selectable<WebhookDeliveriesTable>) {
  return { id: d.id, webhookId: d.webhook_id, event: d.event, state: d.state, attempts: d.attempts, responseStatus: d.response_status, error: d.error, createdAt: d.created_at.toISOString(), deliveredAt: d.delivered_at ? d.delivered_at.toISOString() : null, payload: d.payload }
}

const IdParam = z.object({ id: z.string().regex(/^\d+$/, 'expected a numeric id') })
const notFound = (id: string) => new AppError(404, 'webhook_not_found', { fr: `Webhook ${id} introuvable.`, en: `Webhook ${id} not found.` })

/**
 * Admin: webhooks to the host (URL, secret, events) and their delivery log. Deliveries are POSTs signed
 * with HMAC-SHA256 over `<timestamp>.<body>` (headers x-chorus-signature, x-chorus-timestamp).
 */
export function webhooksRoutes(ports: Ports) {
  const app = apiRouter()
  const json = { 'application/json': { schema: WebhookSchema } }

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/webhooks', tags: ['admin'], summary: 'List webhooks', responses: { 200: { description: 'Webhooks', content: { 'application/json': { schema: z.object({ items: z.array(WebhookSchema), nextCursor: z.null(), total: z.number() }) } } } } }),
    async (c) => {
      const items = (await listWebhooks(ports.db)).map((w) => presentWebhook(w))
      return c.json({ items, nextCursor: null, total: items.length }, 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'post', path: '/webhooks', tags: ['admin'], summary: 'Add a webhook (the secret is generated when not given, and shown once)', request: { body: { required: true, content: { 'application/json': { schema: WebhookInput } } } }, responses: { 201: { description: 'Created', content: json } } }),
    async (c) => {
      const body = c.req.valid('json')
      const s = body.secret ?? `whsec_${randomBytes(24).toString('base64url')}`
      await checkWebhookUrl(ports, body.url)
      const w = await createWebhook(ports.db, ports.secrets, { url: body.url, secret: s, events: body.events, enabled: body.enabled })
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'webhook.create', targetType: 'webhook', targetId: w.id, details: { url: w.url, events: body.events } })
      return c.json(presentWebhook(w, body.secret ? undefined : s), 201)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/webhooks/{id}', tags: ['admin'], summary: 'One webhook', request: { params: IdParam }, responses: { 200: { description: 'Webhook', content: json }, 404: { description: 'Not found' } } }),
    async (c) => {
      const w = await getWebhook(ports.db, c.req.valid('param').id)
      if (!w) throw notFound(c.req.valid('param').id)
      return c.json(presentWebhook(w), 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'patch', path: '/webhooks/{id}', tags: ['admin'], summary: 'Change a webhook (a new secret replaces the stored one)', request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: WebhookPatch } } } }, responses: { 200: { description: 'Webhook', content: json }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const patch = c.req.valid('json')
      if (patch.url) await checkWebhookUrl(ports, patch.url)
      const w = await updateWebhook(ports.db, ports.secrets, id, patch)
      if (!w) throw notFound(id)
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'webhook.update', targetType: 'webhook', targetId: id, details: { changed: Object.keys(patch).map((k) => (k === 'secret' ? 'secret (changed)' : k)) } })
      return c.json(presentWebhook(w), 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'delete', path: '/webhooks/{id}', tags: ['admin'], summary: 'Remove a webhook and its delivery log', request: { params: IdParam }, responses: { 204: { description: 'Removed' }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      if (!(await deleteWebhook(ports.db, id))) throw notFound(id)
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'webhook.delete', targetType: 'webhook', targetId: id })
      return c.body(null, 204)
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'get',
      path: '/webhooks/{id}/deliveries',
      tags: ['admin'],
      summary: 'Delivery log, newest first',
      request: { params: IdParam, query: z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }) },
      responses: { 200: { description: 'Deliveries', content: { 'application/json': { schema: z.object({ items: z.array(DeliverySchema), nextCursor: z.string().nullable(), total: z.number() }) } } }, 404: { description: 'Not found' } },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const { cursor, limit } = c.req.valid('query')
      if (!(await getWebhook(ports.db, id))) throw notFound(id)
      // The cursor is `[lastId]` (db/cursor.ts): the log pages by id, newest first.
      const beforeId = cursor === undefined ? undefined : decodeCursor(cursor, 1)?.[0]
      if (cursor !== undefined && !isIdValue(beforeId)) throw new AppError(400, 'invalid_cursor', { fr: 'Curseur de pagination invalide : reprenez nextCursor de la page précédente.', en: 'Invalid paging cursor: use nextCursor from the previous page.' })
      const rows = await listDeliveries(ports.db, id, beforeId ?? undefined, limit + 1)
      const items = rows.slice(0, limit)
      const total = await ports.db.selectFrom('webhook_deliveries').select(({ fn }) => fn.countAll<string>().as('n')).where('webhook_id', '=', id).executeTakeFirstOrThrow()
      return c.json({ items: items.map(presentDelivery), nextCursor: rows.length > limit ? encodeCursor([items[items.length - 1]!.id]) : null, total: Number(total.n) }, 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'post', path: '/webhooks/{id}/test', tags: ['admin'], summary: 'Send a signed test event (webhook.test) now', request: { params: IdParam }, responses: { 202: { description: 'Queued', content: { 'application/json': { schema: DeliverySchema } } }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      if (!(await getWebhook(ports.db, id))) throw notFound(id)
      const d = await sendWebhookTest(ports, id)
      return c.json(presentDelivery(d), 202)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'post', path: '/webhooks/deliveries/{id}/redeliver', tags: ['admin'], summary: 'Send a failed delivery again', request: { params: IdParam }, responses: { 202: { description: 'Queued', content: { 'application/json': { schema: DeliverySchema } } }, 404: { description: 'Not found' }, 409: { description: 'Still pending' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const d = await getDelivery(ports.db, id)
      if (!d) throw new AppError(404, 'delivery_not_found', { fr: `Livraison ${id} introuvable.`, en: `Delivery ${id} not found.` })
      if (d.state === 'pending') throw new AppError(409, 'delivery_pending', { fr: 'Cette livraison est encore en cours de tentatives.', en: 'This delivery is still being attempted.' })
      const row = await redeliverWebhook(ports, id, actorOf(c.get('apiKey')))
      return c.json(presentDelivery(row), 202)
    },
  )
  return app
}
