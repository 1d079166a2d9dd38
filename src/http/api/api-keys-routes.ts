import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import type { Database } from '../../db/database'
import { createApiKey, listApiKeys, revokeApiKey, ROLES, type PublicApiKey } from '../../db/api-keys'
import { audit } from '../../db/audit'
import { actorOf, type AppEnv } from '../app-env'
import { apiRoute, apiRouter } from './api-route'

const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES as [string, ...string[]]),
    prefix: z.string().openapi({ description: 'The first characters of the key, to recognise it.' }),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey')

const present = (k: PublicApiKey) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  prefix: k.prefix,
  createdAt: k.created_at.toISOString(),
  createdBy: k.created_by,
  lastUsedAt: k.last_used_at?.toISOString() ?? null,
  revokedAt: k.revoked_at?.toISOString() ?? null,
})

const CreateKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: 'ERP' }),
    role: z.enum(['viewer', 'operator', 'admin']),
  })
  .strict()

export function apiKeysRoutes(db: Database) {
  const app = apiRouter()

  app.openapi(
    apiRoute('admin', {
      method: 'get',
      path: '/api-keys',
      tags: ['admin'],
      summary: 'List API keys (never their values)',
      responses: { 200: { description: 'Keys', content: { 'application/json': { schema: z.object({ items: z.array(ApiKeySchema), nextCursor: z.null(), total: z.number() }) } } } },
    }),
    async (c) => {
      const items = (await listApiKeys(db)).map(present)
      return c.json({ items, nextCursor: null, total: items.length }, 200)
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'post',
      path: '/api-keys',
      tags: ['admin'],
      summary: 'Create an API key; its value is shown only in this answer',
      request: { body: { required: true, content: { 'application/json': { schema: CreateKeySchema } } } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: ApiKeySchema.extend({ key: z.string() }) } } } },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const actor = actorOf(c.get('apiKey'))
      const { key, record } = await createApiKey(db, { name: body.name, role: body.role, createdBy: actor })
      await audit(db, { actor, action: 'api_key.create', targetType: 'api_key', targetId: record.id, details: { name: body.name, role: body.role } })
      return c.json({ ...present(record), key }, 201)
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'delete',
      path: '/api-keys/{id}',
      tags: ['admin'],
      summary: 'Revoke an API key',
      request: { params: z.object({ id: z.string().regex(/^\d+$/, 'expected a numeric key id') }) },
      responses: {
        200: { description: 'Revoked', content: { 'application/json': { schema: ApiKeySchema } } },
        404: { description: 'No such active key' },
        409: { description: 'The key used for this request' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      if (c.get('apiKey').id === id) {
        throw new AppError(409, 'cannot_revoke_own_key', {
          fr: 'Vous ne pouvez pas révoquer la clé utilisée pour cette requête : utilisez une autre clé administrateur.',
          en: 'You cannot revoke the key used for this request: use another admin key.',
        })
      }
      const revoked = await revokeApiKey(db, id)
      if (!revoked) throw new AppError(404, 'not_found', { fr: `Aucune clé active n° ${id}.`, en: `No active key ${id}.` })
      await audit(db, { actor: actorOf(c.get('apiKey')), action: 'api_key.revoke', targetType: 'api_key', targetId: id })
      return c.json(present(revoked), 200)
    },
  )
  return app
}
