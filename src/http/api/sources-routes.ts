import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import { createSource, deleteSource, documentCounts, getSource, listSources, updateSource, type SourceRow } from '../../db/sources'
import { audit } from '../../db/audit'
import { requestScan, sourcesWithPendingScan } from '../../workflows/intake/scan-source'
import { checkSourceConfig } from '../../workflows/intake/check-source-config'
import type { Ports } from '../../workflows/ports'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'

const IdParam = z.object({ id: z.string().regex(/^\d{1,18}$/, 'expected a numeric source id') })
const notFound = (id: string) => new AppError(404, 'source_not_found', { fr: `Source ${id} introuvable.`, en: `Source ${id} not found.` })

const SourceSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['folder', 'odoo', 'push']),
    name: z.string(),
    enabled: z.boolean(),
    config: z.record(z.string(), z.unknown()).openapi({ description: 'Secrets are never returned: an Odoo source shows hasApiKey instead of its key.' }),
    lastScanAt: z.string().nullable(),
    lastScanStats: z.record(z.string(), z.number()).nullable(),
    lastError: z.string().nullable(),
    scanPending: z.boolean(),
    counts: z.record(z.string(), z.number()),
    createdAt: z.string(),
  })
  .openapi('Source')

const SourceInput = z
  .object({
    kind: z.enum(['folder', 'odoo', 'push']),
    name: z.string().trim().min(1).max(100),
    enabled: z.boolean().optional(),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()

const SourcePatch = z.object({ name: z.string().trim().min(1).max(100).optional(), enabled: z.boolean().optional(), config: z.record(z.string(), z.unknown()).optional() }).strict()

export function presentSource(s: SourceRow, counts: Record<string, number> | undefined, scanPending: boolean) {
  const { apiKeyEnc, ...config } = s.config as Record<string, unknown>
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    enabled: s.enabled,
    config: s.kind === 'odoo' ? { ...config, hasApiKey: typeof apiKeyEnc === 'string' } : config,
    lastScanAt: s.last_scan_at?.toISOString() ?? null,
    lastScanStats: (s.last_scan_stats as Record<string, number> | null) ?? null,
    lastError: s.last_error,
    scanPending,
    counts: counts ?? { total: 0 },
    createdAt: s.created_at.toISOString(),
  }
}


/** Intake sources (admin): folders, Odoo, push; their last scan; scans on demand. */
export function sourcesRoutes(ports: Ports) {
  const app = apiRouter()
  const one = { 'application/json': { schema: SourceSchema } }

  async function present(s: SourceRow) {
    const counts = (await documentCounts(ports.db)).get(s.id)
    return presentSource(s, counts, (await sourcesWithPendingScan(ports)).has(s.id))
  }

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/sources', tags: ['admin'], summary: 'Intake sources with their last scan, counts and last error', responses: { 200: { description: 'Sources', content: { 'application/json': { schema: z.object({ items: z.array(SourceSchema), nextCursor: z.null(), total: z.number() }) } } } } }),
    async (c) => {
      const [sources, counts, pending] = await Promise.all([
        listSources(ports.db),
        documentCounts(ports.db),
        sourcesWithPendingScan(ports),
      ])
      const items = sources.map((s) => presentSource(s, counts.get(s.id), pending.has(s.id)))
      return c.json({ items, nextCursor: null, total: items.length }, 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'post', path: '/sources', tags: ['admin'], summary: 'Add a source (folder: path, recursive, afterIntake, pollSeconds; odoo: url, apiKey, protocol auto|json2|jsonrpc, database and login (required for JSON-RPC), rootFolderId, receivedTag)', request: { body: { required: true, content: { 'application/json': { schema: SourceInput } } } }, responses: { 201: { description: 'Created', content: one }, 409: { description: 'Name taken' } } }),
    async (c) => {
      const body = c.req.valid('json')
      const config = await checkSourceConfig(ports, body.kind, body.config)
      if (await ports.db.selectFrom('sources').select('id').where('name', '=', body.name).executeTakeFirst()) {
        throw new AppError(409, 'source_name_taken', { fr: `Une source s’appelle déjà « ${body.name} ».`, en: `A source named "${body.name}" exists already.` })
      }
      const s = await createSource(ports.db, { kind: body.kind, name: body.name, config, enabled: body.enabled })
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'source.create', targetType: 'source', targetId: s.id, details: { kind: s.kind, name: s.name } })
      return c.json(await present(s), 201)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/sources/{id}', tags: ['admin'], summary: 'One source', request: { params: IdParam }, responses: { 200: { description: 'Source', content: one }, 404: { description: 'Not found' } } }),
    async (c) => {
      const s = await getSource(ports.db, c.req.valid('param').id)
      if (!s) throw notFound(c.req.valid('param').id)
      return c.json(await present(s), 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'patch', path: '/sources/{id}', tags: ['admin'], summary: 'Change a source (config is replaced as a whole; an Odoo apiKey left out is kept)', request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: SourcePatch } } } }, responses: { 200: { description: 'Source', content: one }, 404: { description: 'Not found' }, 409: { description: 'Name taken' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const patch = c.req.valid('json')
      const s = await getSource(ports.db, id)
      if (!s) throw notFound(id)
      const config = patch.config === undefined ? undefined : await checkSourceConfig(ports, s.kind, patch.config, s.config)
      if (patch.name && patch.name !== s.name && (await ports.db.selectFrom('sources').select('id').where('name', '=', patch.name).executeTakeFirst())) {
        throw new AppError(409, 'source_name_taken', { fr: `Une source s’appelle déjà « ${patch.name} ».`, en: `A source named "${patch.name}" exists already.` })
      }
      const updated = (await updateSource(ports.db, id, { name: patch.name, enabled: patch.enabled, config }))!
      // A new place or server starts from the beginning.
      if (config && s.kind === 'odoo' && (config.url !== s.config.url || config.database !== s.config.database)) await ports.db.updateTable('sources').set({ cursor: null }).where('id', '=', id).execute()
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'source.update', targetType: 'source', targetId: id, details: { changed: Object.keys(patch) } })
      return c.json(await present(updated), 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'delete', path: '/sources/{id}', tags: ['admin'], summary: 'Delete a source that has no documents (disable it otherwise)', request: { params: IdParam }, responses: { 200: { description: 'Deleted', content: { 'application/json': { schema: z.object({ id: z.string(), deleted: z.boolean() }) } } }, 404: { description: 'Not found' }, 409: { description: 'The source has documents' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const s = await getSource(ports.db, id)
      if (!s) throw notFound(id)
      const has = await ports.db.selectFrom('documents').select('id').where('source_id', '=', id).limit(1).executeTakeFirst()
      if (has) throw new AppError(409, 'source_has_documents', { fr: `La source « ${s.name} » a des documents : désactivez-la plutôt (enabled: false).`, en: `Source "${s.name}" has documents: disable it instead (enabled: false).` })
      await deleteSource(ports.db, id)
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'source.delete', targetType: 'source', targetId: id, details: { name: s.name } })
      return c.json({ id, deleted: true }, 200)
    },
  )

  app.openapi(
    apiRoute('operator', { method: 'post', path: '/sources/{id}/scan', tags: ['admin'], summary: 'Scan a source now (enqueues a scan job; one waiting scan per source)', request: { params: IdParam }, responses: { 202: { description: 'Enqueued', content: { 'application/json': { schema: z.object({ jobId: z.string(), created: z.boolean() }) } } }, 404: { description: 'Not found' }, 409: { description: 'A push source or a disabled one' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const s = await getSource(ports.db, id)
      if (!s) throw notFound(id)
      if (s.kind === 'push') throw new AppError(409, 'source_not_scannable', { fr: 'Une source « push » ne se scanne pas : l’hôte nous envoie ses documents.', en: 'A push source is not scanned: the host sends its documents to us.' })
      if (!s.enabled) throw new AppError(409, 'source_disabled', { fr: `La source « ${s.name} » est désactivée.`, en: `Source "${s.name}" is disabled.` })
      return c.json(await requestScan(ports, id), 202)
    },
  )
  return app
}
