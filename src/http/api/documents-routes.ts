import { decodeCursor, encodeCursor, isIdValue } from '../../db/cursor'
import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import { DOCUMENT_STATES, type DocumentState } from '../../domain/document-state'
import { getDocument, listDocuments, listFullDocuments, type DocumentTab } from '../../db/documents'
import { getBlob, sha256Hex } from '../../db/blobs'
import { getAccount } from '../../db/accounts'
import { getSource, getSourceByName, DEFAULT_PUSH_SOURCE } from '../../db/sources'
import { receiveDocument } from '../../workflows/intake/receive-document'
import { heldForPersonUntil } from '../../workflows/documents/person-edits'
import type { Ports } from '../../workflows/ports'
import { apiRoute, apiRouter } from './api-route'
import { DocumentSchema, DocumentSummarySchema, presentDocument, presentDocumentSummary } from './present-document'

const IdParam = z.object({ id: z.string().regex(/^\d{1,18}$/, 'expected a numeric document id') })
const docNotFound = (id: string) => new AppError(404, 'document_not_found', { fr: `Document ${id} introuvable.`, en: `Document ${id} not found.` })

const ListQuery = z.object({
  tab: z.enum(['to-submit', 'to-process', 'all']).default('all'),
  state: z.enum(DOCUMENT_STATES as [DocumentState, ...DocumentState[]]).optional(),
  sourceId: z.string().regex(/^\d{1,18}$/).optional(),
  accountId: z.string().regex(/^\d{1,18}$/).optional(),
  q: z.string().max(200).optional(),
  order: z.enum(['asc', 'desc']).optional().openapi({ description: 'By reception; default oldest first on to-submit, newest first elsewhere.' }),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  view: z.enum(['summary', 'full']).default('summary').openapi({ description: 'summary (default): what a list shows; full: whole documents, as GET /documents/{id} gives them' }),
})

/** The documents list pages by id: its cursor is `[lastId]` (db/cursor.ts). */
function afterIdOf(c: string): string {
  const id = decodeCursor(c, 1)?.[0]
  if (isIdValue(id)) return id
  throw new AppError(400, 'invalid_cursor', { fr: 'Curseur de pagination invalide : reprenez nextCursor de la page précédente.', en: 'Invalid paging cursor: use nextCursor from the previous page.' })
}

const Outcome = z.object({ outcome: z.enum(['received', 'refused', 'duplicate']), document: DocumentSchema })

const bad = (code: string, fr: string, en: string, details?: unknown) => new AppError(400, code, { fr, en }, details)

/** Documents: host push, the lists behind the tabs, one document, its PDF. */
export function documentsRoutes(ports: Ports) {
  const app = apiRouter()

  app.openapi(
    apiRoute('operator', {
      method: 'post',
      path: '/documents',
      tags: ['documents'],
      summary: 'Push a document (multipart: file, metadata as JSON, optional reference, accountId, sourceId); idempotent on (source, reference, checksum)',
      description: 'Fields: `file` (the PDF), `metadata` (a JSON object of host fields, mapped by the filing rule), `reference` (the host document id; versions of one reference supersede each other until submitted), `accountId`, `sourceId` (a push source; default "push"), `filename`.',
      responses: {
        201: { description: 'Stored (received, or refused with a clear error)', content: { 'application/json': { schema: Outcome } } },
        200: { description: 'This version was already stored', content: { 'application/json': { schema: Outcome } } },
        404: { description: 'Unknown source' },
        409: { description: 'The source does not take pushed documents' },
        422: { description: 'No filing rule of the source matched' },
      },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? ''
      if (!/^multipart\/form-data/i.test(type)) throw bad('expected_multipart', 'Envoyez le document en multipart/form-data avec un champ « file ».', 'Send the document as multipart/form-data with a "file" field.')
      let form: Record<string, unknown>
      try {
        form = await c.req.parseBody()
      } catch {
        throw bad('malformed_multipart', 'Le corps multipart est illisible.', 'The multipart body cannot be read.')
      }
      const file = form.file
      if (!(file instanceof File)) throw bad('file_missing', 'Le champ « file » (le document) est obligatoire.', 'The "file" field (the document) is required.', [{ field: 'file', message: 'required' }])
      let metadata: Record<string, unknown> = {}
      if (form.metadata !== undefined) {
        let parsed: unknown = null
        try {
          parsed = JSON.parse(String(form.metadata))
        } catch {
          // Reported just below, like any other value that is not an object.
        }
        if (!isPlainObject(parsed)) throw bad('invalid_metadata', 'Le champ « metadata » doit être un objet JSON.', 'The "metadata" field must be a JSON object.', [{ field: 'metadata', message: 'expected a JSON object' }])
        metadata = parsed
      }
      const reference = form.reference === undefined ? undefined : String(form.reference).trim()
      if (reference !== undefined && (reference.length === 0 || reference.length > 500)) throw bad('invalid_reference', 'Le champ « reference » doit faire de 1 à 500 caractères.', 'The "reference" field must be 1 to 500 characters long.', [{ field: 'reference', message: '1 to 500 characters' }])

      let accountId: string | undefined
      if (form.accountId !== undefined && String(form.accountId) !== '') {
        accountId = String(form.accountId)
        if (!/^\d{1,18}$/.test(accountId) || !(await getAccount(ports.db, accountId))) throw bad('unknown_account', `Compte fournisseur ${accountId} introuvable.`, `Supplier account ${accountId} not found.`, [{ field: 'accountId', message: 'unknown account' }])
      }
      const source = form.sourceId !== undefined && String(form.sourceId) !== '' ? await getSource(ports.db, String(form.sourceId)) : await getSourceByName(ports.db, DEFAULT_PUSH_SOURCE)
      if (!source) throw new AppError(404, 'source_not_found', { fr: `Source ${String(form.sourceId ?? DEFAULT_PUSH_SOURCE)} introuvable.`, en: `Source ${String(form.sourceId ?? DEFAULT_PUSH_SOURCE)} not found.` })
      if (source.kind !== 'push') throw new AppError(409, 'source_not_push', { fr: `La source « ${source.name} » est un dossier ou Odoo : elle ne reçoit pas de dépôts par l’API.`, en: `Source "${source.name}" is a folder or Odoo source: it does not take documents pushed through the API.` })
      if (!source.enabled) throw new AppError(409, 'source_disabled', { fr: `La source « ${source.name} » est désactivée.`, en: `Source "${source.name}" is disabled.` })

      const bytes = new Uint8Array(await file.arrayBuffer())
      const filename = typeof form.filename === 'string' && form.filename.trim() ? form.filename : file.name || 'document.pdf'
      const sha = sha256Hex(bytes)
      const outcome = await receiveDocument(ports, {
        sourceId: source.id,
        sourceRef: reference ?? `sha256:${sha}`,
        filename,
        hostMetadata: metadata,
        candidate: { tags: Array.isArray(metadata.tags) ? metadata.tags.map(String) : undefined, path: typeof metadata.path === 'string' ? metadata.path : undefined },
        accountId,
        read: async () => ({ bytes, size: bytes.length, sha256: sha }),
      })
      const lang = c.get('lang')
      if (outcome.kind === 'skipped') {
        throw new AppError(422, 'no_filing_rule_matched', { fr: `Aucune règle de classement de la source « ${source.name} » ne retient ce document : il n’a pas été enregistré.`, en: `No filing rule of source "${source.name}" takes this document: it was not stored.` })
      }
      return c.json({ outcome: outcome.kind, document: presentDocument(outcome.document, lang) }, outcome.kind === 'duplicate' ? 200 : 201)
    },
  )

  app.openapi(
    apiRoute('viewer', {
      method: 'get',
      path: '/documents',
      tags: ['documents'],
      summary: 'Documents of one tab (to-submit, to-process) or all, newest first unless asked; keyset paging',
      request: { query: ListQuery },
      responses: { 200: { description: 'A page: summaries, or whole documents with view=full', content: { 'application/json': { schema: z.object({ items: z.array(z.union([DocumentSummarySchema, DocumentSchema])), nextCursor: z.string().nullable(), total: z.number() }) } } } },
    }),
    async (c) => {
      const qy = c.req.valid('query')
      const order = qy.order ?? (qy.tab === 'to-submit' ? 'asc' : 'desc')
      const filter = {
        tab: qy.tab as DocumentTab,
        state: qy.state,
        sourceId: qy.sourceId,
        accountId: qy.accountId,
        q: qy.q?.trim() || undefined,
        order,
        afterId: qy.cursor ? afterIdOf(qy.cursor) : undefined,
        limit: qy.limit,
      }
      const lang = c.get('lang')
      const page =
        qy.view === 'full'
          ? await listFullDocuments(ports.db, filter).then((p) => ({ ...p, items: p.rows.map((d) => presentDocument(d, lang)) }))
          : await listDocuments(ports.db, filter).then((p) => ({ ...p, items: p.rows.map((d) => presentDocumentSummary(d, lang)) }))
      return c.json({ items: page.items, nextCursor: page.nextAfterId ? encodeCursor([page.nextAfterId]) : null, total: page.total }, 200)
    },
  )

  app.openapi(
    apiRoute('viewer', { method: 'get', path: '/documents/{id}', tags: ['documents'], summary: 'One document', request: { params: IdParam }, responses: { 200: { description: 'The document', content: { 'application/json': { schema: DocumentSchema } } }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const d = await getDocument(ports.db, id)
      if (!d) throw docNotFound(id)
      const account = d.account_id ? await getAccount(ports.db, d.account_id) : undefined
      const auto = Boolean(account?.auto_submit && !account.disabled_at)
      const held = auto ? heldForPersonUntil(d, ports.now()) : null
      return c.json({ ...presentDocument(d, c.get('lang')), submission: { auto, heldForPersonUntil: held ? held.toISOString() : null } }, 200)
    },
  )

  app.openapi(
    apiRoute('viewer', { method: 'get', path: '/documents/{id}/file', tags: ['documents'], summary: 'The document’s file as received', request: { params: IdParam }, responses: { 200: { description: 'The bytes', content: { 'application/pdf': { schema: z.any() } } }, 404: { description: 'Not found, or not kept (a file over the limit)' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const d = await getDocument(ports.db, id)
      if (!d) throw docNotFound(id)
      const bytes = d.blob_sha256 ? await getBlob(ports.db, d.blob_sha256) : undefined
      if (!bytes) throw new AppError(404, 'file_not_stored', { fr: `Le fichier du document ${id} n’a pas été conservé (vide ou trop volumineux).`, en: `The file of document ${id} was not kept (empty or too large).` })
      const isPdf = Buffer.from(bytes.subarray(0, 1024)).toString('latin1').includes('%PDF-')
      const ascii = d.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
      return c.body(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': isPdf ? 'application/pdf' : 'application/octet-stream',
        'Content-Length': String(bytes.length),
        'Content-Disposition': `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(d.filename)}`,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, max-age=0',
      })
    },
  )
  return app
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
