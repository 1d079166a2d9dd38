import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import { MAPPABLE_FIELDS } from '../../domain/filing-rule'
import { createFilingRule, deleteFilingRule, getFilingRule, listFilingRules, updateFilingRule, type FilingRuleRow } from '../../db/filing-rules'
import { getSource } from '../../db/sources'
import { getAccount } from '../../db/accounts'
import { audit } from '../../db/audit'
import type { Ports } from '../../workflows/ports'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'

const IdParam = z.object({ id: z.string().regex(/^\d{1,18}$/, 'expected a numeric rule id') })
const numericId = z.union([z.string().regex(/^\d{1,18}$/), z.number().int().positive()]).transform(String)

const validRegex = z.string().max(500).refine((v) => { try { new RegExp(v); return true } catch { return false } }, { message: 'expected a valid regular expression' })

const MatchSchema = z
  .object({
    path: z.string().min(1).max(500).optional().openapi({ description: 'Folder source: glob on the path under the watched folder, e.g. "clients/**"' }),
    folderId: z.number().int().positive().optional().openapi({ description: 'Odoo: folder (workspace) id; its sub-folders match too' }),
    tags: z.object({ all: z.array(z.string().min(1)).max(50).optional(), any: z.array(z.string().min(1)).max(50).optional(), none: z.array(z.string().min(1)).max(50).optional() }).strict().optional(),
    filename: z.string().min(1).max(500).optional().openapi({ description: 'Glob on the file name, case-insensitive, e.g. "FAC-*.pdf"' }),
    metadata: z
      .array(
        z.discriminatedUnion('op', [
          z.object({ field: z.string().min(1).max(200), op: z.enum(['exists', 'missing']) }).strict(),
          z.object({ field: z.string().min(1).max(200), op: z.enum(['equals', 'notEquals']), value: z.union([z.string(), z.number(), z.boolean()]) }).strict(),
          z.object({ field: z.string().min(1).max(200), op: z.literal('in'), value: z.array(z.union([z.string(), z.number()])).min(1).max(500) }).strict(),
          z.object({ field: z.string().min(1).max(200), op: z.literal('matches'), value: validRegex }).strict(),
        ]),
      )
      .max(50)
      .optional(),
  })
  .strict()

const MetadataMap = z
  .record(z.string().min(1).max(200), z.enum(MAPPABLE_FIELDS as [string, ...string[]]))
  .openapi({ description: 'host field -> our field', example: { x_invoice_number: 'invoiceNumber', x_buyer_siret: 'recipientSiret' } })

const RuleInput = z
  .object({
    sourceId: numericId,
    name: z.string().trim().min(1).max(200),
    position: z.number().int().min(0).max(1_000_000).optional(),
    enabled: z.boolean().optional(),
    match: MatchSchema.default({}),
    accountId: numericId.nullable().optional(),
    metadataMap: MetadataMap.optional(),
  })
  .strict()

const RulePatch = RuleInput.omit({ sourceId: true }).partial().strict()

const RuleSchema = z
  .object({ id: z.string(), sourceId: z.string(), name: z.string(), position: z.number(), enabled: z.boolean(), match: z.record(z.string(), z.unknown()), accountId: z.string().nullable(), metadataMap: z.record(z.string(), z.string()), createdAt: z.string(), updatedAt: z.string() })
  .openapi('FilingRule')

const present = (r: FilingRuleRow) => ({
  id: r.id,
  sourceId: r.source_id,
  name: r.name,
  position: r.position,
  enabled: r.enabled,
  match: r.match,
  accountId: r.account_id,
  metadataMap: r.metadata_map,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
})

const notFound = (id: string) => new AppError(404, 'filing_rule_not_found', { fr: `Règle de classement ${id} introuvable.`, en: `Filing rule ${id} not found.` })

/** Filing rules (admin): which documents of a source enter, with which account and metadata association. */
export function filingRulesRoutes(ports: Ports) {
  const app = apiRouter()
  const one = { 'application/json': { schema: RuleSchema } }

  async function checkAccount(accountId: string | null | undefined) {
    if (accountId && !(await getAccount(ports.db, accountId))) {
      throw new AppError(400, 'unknown_account', { fr: `Compte fournisseur ${accountId} introuvable.`, en: `Supplier account ${accountId} not found.` }, [{ field: 'accountId', message: 'unknown account' }])
    }
  }

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/filing-rules', tags: ['admin'], summary: 'Filing rules, by source and position', request: { query: z.object({ sourceId: z.string().regex(/^\d{1,18}$/).optional() }) }, responses: { 200: { description: 'Rules', content: { 'application/json': { schema: z.object({ items: z.array(RuleSchema), nextCursor: z.null(), total: z.number() }) } } } } }),
    async (c) => {
      const items = (await listFilingRules(ports.db, c.req.valid('query').sourceId)).map(present)
      return c.json({ items, nextCursor: null, total: items.length }, 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'post', path: '/filing-rules', tags: ['admin'], summary: 'Add a filing rule to a source (once a source has rules, documents matching none are skipped)', request: { body: { required: true, content: { 'application/json': { schema: RuleInput } } } }, responses: { 201: { description: 'Created', content: one } } }),
    async (c) => {
      const body = c.req.valid('json')
      if (!(await getSource(ports.db, body.sourceId))) throw new AppError(400, 'unknown_source', { fr: `Source ${body.sourceId} introuvable.`, en: `Source ${body.sourceId} not found.` }, [{ field: 'sourceId', message: 'unknown source' }])
      await checkAccount(body.accountId)
      const r = await createFilingRule(ports.db, { ...body, match: body.match })
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'filing_rule.create', targetType: 'filing_rule', targetId: r.id, details: { sourceId: r.source_id, name: r.name } })
      return c.json(present(r), 201)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/filing-rules/{id}', tags: ['admin'], summary: 'One filing rule', request: { params: IdParam }, responses: { 200: { description: 'Rule', content: one }, 404: { description: 'Not found' } } }),
    async (c) => {
      const r = await getFilingRule(ports.db, c.req.valid('param').id)
      if (!r) throw notFound(c.req.valid('param').id)
      return c.json(present(r), 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'patch', path: '/filing-rules/{id}', tags: ['admin'], summary: 'Change a filing rule', request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: RulePatch } } } }, responses: { 200: { description: 'Rule', content: one }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const patch = c.req.valid('json')
      if (!(await getFilingRule(ports.db, id))) throw notFound(id)
      await checkAccount(patch.accountId)
      const r = (await updateFilingRule(ports.db, id, { ...patch, match: patch.match }))!
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'filing_rule.update', targetType: 'filing_rule', targetId: id, details: { changed: Object.keys(patch) } })
      return c.json(present(r), 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'delete', path: '/filing-rules/{id}', tags: ['admin'], summary: 'Delete a filing rule (documents it let in keep their data)', request: { params: IdParam }, responses: { 200: { description: 'Deleted', content: { 'application/json': { schema: z.object({ id: z.string(), deleted: z.boolean() }) } } }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      if (!(await deleteFilingRule(ports.db, id))) throw notFound(id)
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'filing_rule.delete', targetType: 'filing_rule', targetId: id })
      return c.json({ id, deleted: true }, 200)
    },
  )
  return app
}
