import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import { FIELD_NAMES } from '../../domain/invoice-fields'
import { getDocument } from '../../db/documents'
import { editDocument, type DocumentEdit } from '../../workflows/documents/edit-document'
import { validateDocument } from '../../workflows/documents/validate-document'
import { queueSubmissions, reprocessDocuments, removeDocuments, restoreDocuments, type ItemResult } from '../../workflows/documents/document-batch-actions'
import type { DocumentDeps } from '../../workflows/documents/document-deps'
import type { Ports } from '../../workflows/ports'
import type { Lang } from '../../domain/localized'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'
import { DocumentSchema, presentDocument, presentError } from './present-document'

const IdParam = z.object({ id: z.string().regex(/^\d+$/, 'expected a numeric document id') })
const FieldEdits = z.object(Object.fromEntries(FIELD_NAMES.map((n) => [n, z.string().max(500).nullable().optional()])) as Record<(typeof FIELD_NAMES)[number], z.ZodOptional<z.ZodNullable<z.ZodString>>>).strict()
const EditSchema = z
  .object({
    fields: FieldEdits.optional().openapi({ description: 'Field → value as typed (amounts 1 234,56 or 1234.56, dates JJ/MM/AAAA or AAAA-MM-JJ); null clears a field on purpose.' }),
    revert: z.array(z.enum(FIELD_NAMES)).optional().openapi({ description: 'Fields whose edits are dropped, so the read values show again.' }),
    accountId: z.string().regex(/^\d+$/).nullable().optional(),
  })
  .strict()
const Selection = z.object({ ids: z.array(z.string().regex(/^\d+$/, 'expected numeric document ids')).min(1).max(1000), reason: z.string().max(500).optional() }).strict()
const ItemResults = z.object({ items: z.array(z.object({ id: z.string(), ok: z.boolean(), status: z.string().optional(), code: z.string().optional(), message: z.string().optional() })) })

const notFound = (id: string) => new AppError(404, 'document_not_found', { fr: `Document ${id} introuvable.`, en: `Document ${id} not found.` })
const present = (items: ItemResult[], lang: Lang) => ({ items: items.map((i) => ({ ...i, message: i.message?.[lang] })) })

/**
 * Complete / Validate / selection actions of the "to submit" tab. Validate submits at once and
 * answers with the next document to handle, as the Open Bee connector's "Validate and next" does.
 */
export function documentActionsRoutes(ports: Ports, deps: DocumentDeps) {
  const app = apiRouter()

  app.openapi(
    apiRoute('operator', {
      method: 'patch',
      path: '/documents/{id}',
      tags: ['documents'],
      summary: 'Edit the submission form (Complete): each value is kept as a person’s edit and the document is re-checked',
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: EditSchema } } } },
      responses: { 200: { description: 'The document, re-checked', content: { 'application/json': { schema: DocumentSchema } } }, 404: { description: 'Not found' }, 409: { description: 'Not editable at this stage' } },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const doc = await getDocument(ports.db, id)
      if (!doc) throw notFound(id)
      await editDocument(ports, deps, doc, c.req.valid('json'), actorOf(c.get('apiKey')))
      return c.json(presentDocument((await getDocument(ports.db, id))!, c.get('lang')), 200)
    },
  )

  app.openapi(
    apiRoute('operator', {
      method: 'post',
      path: '/documents/{id}/validate',
      tags: ['documents'],
      summary: 'Validate: apply optional edits, submit now, and answer with the next document to handle',
      request: { params: IdParam, body: { required: false, content: { 'application/json': { schema: EditSchema } } } },
      responses: {
        200: { description: 'Submitted (or already submitted)', content: { 'application/json': { schema: z.object({ document: DocumentSchema, invoiceId: z.string().nullable(), nextDocumentId: z.string().nullable() }) } } },
        409: { description: 'Not ready: the problems are in details' },
        422: { description: 'Chorus Pro refused it: its words are in details.raw' },
        503: { description: 'Chorus Pro is unavailable: the document stays ready and is retried' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const lang = c.get('lang')
      const text = await c.req.text()
      let edit: DocumentEdit | undefined
      if (text.trim()) {
        let body: unknown
        try { body = JSON.parse(text) } catch { throw new AppError(400, 'malformed_json', { fr: 'Le corps n’est pas un JSON valide.', en: 'The body is not valid JSON.' }) }
        const parsed = EditSchema.safeParse(body)
        if (!parsed.success) throw parsed.error
        edit = parsed.data
      }
      const r = await validateDocument(ports, deps, id, edit, actorOf(c.get('apiKey')))
      switch (r.kind) {
        case 'not_found':
          throw notFound(id)
        case 'not_ready': {
          const d = presentDocument(r.document, lang)
          throw new AppError(409, 'document_not_ready', { fr: 'Le document n’est pas complet : corrigez les problèmes signalés.', en: 'The document is not complete: fix the problems shown.' }, { problems: d.problems, error: d.error })
        }
        case 'refused':
          throw new AppError(422, r.outcome.error.code, r.outcome.error.message, { raw: r.outcome.error.raw, document: presentDocument(r.document, lang) })
        case 'unavailable':
          throw new AppError(503, 'chorus_unavailable', { fr: `${r.outcome.error.message.fr} Le dépôt sera retenté automatiquement.`, en: `${r.outcome.error.message.en} The submission will be retried automatically.` }, { document: presentDocument(r.document, lang) })
        case 'not_submittable':
          throw new AppError(409, `document_${r.reason}`, { fr: 'Ce document ne peut pas être déposé maintenant.', en: 'This document cannot be submitted now.' }, { reason: r.reason, error: presentError(r.document.submit_error, lang) })
        case 'submitted':
          return c.json({ document: presentDocument(r.document, lang), invoiceId: r.document.invoice_id, nextDocumentId: r.nextDocumentId }, 200)
      }
    },
  )

  const selection = (path: string, role: 'operator' | 'admin', summary: string, run: (ids: string[], actor: string, reason?: string) => Promise<ItemResult[]>) =>
    app.openapi(
      apiRoute(role, { method: 'post', path, tags: ['documents'], summary, request: { body: { required: true, content: { 'application/json': { schema: Selection } } } }, responses: { 200: { description: 'One result per document', content: { 'application/json': { schema: ItemResults } } } } }),
      async (c) => {
        const { ids, reason } = c.req.valid('json')
        return c.json(present(await run(ids, actorOf(c.get('apiKey')), reason), c.get('lang')), 200)
      },
    )
  selection('/documents/submit', 'operator', 'Submit selection: queue each ready document', (ids, actor) => queueSubmissions(ports, ids, actor))
  selection('/documents/reprocess', 'operator', 'Reprocess selection: analyse again (edits are kept)', (ids, actor) => reprocessDocuments(ports, ids, actor))
  selection('/documents/remove', 'operator', 'Remove selection (soft, audited, restorable by an admin)', (ids, actor, reason) => removeDocuments(ports, ids, actor, reason))
  selection('/documents/restore', 'admin', 'Restore removed documents', (ids, actor) => restoreDocuments(ports, ids, actor))
  return app
}
