import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'

/**
 * A fake Odoo on loopback with the Documents models of one version:
 *
 * - 'v17': `documents.folder`, per-workspace facets; JSON-RPC only.
 * - 'v18': folders are `documents.document` rows with type 'folder', global tags; JSON-RPC only.
 * - 'v19': the v18 models plus a global Inbox folder (no parent), `is_company_root_folder` gone;
 *   JSON-2 (`POST /json/2/<model>/<method>`) and, while the `rpc` module is installed (`rpc: true`,
 *   the default), JSON-RPC too; without it /jsonrpc answers 404.
 * - 'v20': v19 with the `db` service gone from JSON-RPC.
 *
 * Both transports reach one core that binds arguments by name the way Odoo's JSON-2 controller does
 * (`inspect.signature(func).bind`): an unknown keyword (a positional `args` included) is a 422, a
 * missing required one too, `ids` on an `@api.model` method too; unknown model or method 404; a bad
 * key 401 `werkzeug.exceptions.Unauthorized`; an access error 403. Each call is its own transaction:
 * a write is checked whole before any row changes. Fields are checked against the model's
 * `fields_get` (an unknown field in `fields` or in a domain is an error, as in Odoo). Domains are
 * evaluated for real (prefix &, |, !; =, !=, >, >=, <, <=, in, not in, child_of, ilike), and every
 * write bumps write_date as Odoo does.
 *
 * Write-back (issue 16): `create` on `documents.tag` (v18+: global, the name unique, a duplicate is a
 * ValidationError) and, on 17, on `documents.facet` and `documents.tag` (a tag needs its facet);
 * `message_post` on `documents.document` (a `mail.thread`): keyword arguments only (a positional one is
 * a 422, as Python's `*` makes it), one record (`ensure_one`), `body` escaped unless `body_is_html`,
 * stored as a `mail.message` (`model`, `res_id`, `body`, `message_type`, `subtype_id`, `date`) readable
 * with `search_read` like any model. It answers the new message's id: JSON-RPC gives the integer
 * (`@api.returns('mail.message', …)`), JSON-2 the ids of the returned record [uncertain: what 19's
 * JSON-2 controller makes of a returned record]; the connector takes either.
 *
 * Test switches: `redirectTo` (every request answered by a redirect), `throttle` (the next requests
 * answered 429 with a Retry-After), `deny` (an AccessError on a model or method).
 */
export type ModelSet = 'v17' | 'v18' | 'v19' | 'v20'

export interface FakeOdooCall {
  model?: string
  method: string
  protocol: 'jsonrpc' | 'json2' | 'http'
}

export interface FakeOdooRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface FakeOdooOptions {
  set: ModelSet
  database?: string
  login?: string
  apiKey?: string
  /** v19+: the `rpc` module (JSON-RPC, XML-RPC) installed; default true. Before 19 JSON-RPC is always there. */
  rpc?: boolean
  /** The Documents app installed; default true. */
  documents?: boolean
  /** Answers GET /web/version; default true (servers before 16 do not have it). */
  webVersion?: boolean
}

export interface FakeOdoo {
  readonly url: string
  readonly calls: FakeOdooCall[]
  /** Every HTTP request received, as it came. */
  readonly requests: FakeOdooRequest[]
  readonly set: ModelSet
  /** Whether this server speaks JSON-2 (19 and later). */
  readonly json2: boolean
  /** v19+: the global Inbox folder. */
  readonly inboxId: number | undefined
  /** Adds a folder; returns its id. */
  addFolder(name: string, parentId?: number): number
  addTag(name: string): number
  /** Adds a PDF (or any file) document; returns its id. Keys of `extra` become custom fields of the model. */
  addDocument(d: { name: string; folderId: number; bytes: Uint8Array; tagIds?: number[]; mimetype?: string; extra?: Record<string, unknown> }): number
  /** The names of a document's tags, sorted. */
  tagNames(id: number): string[]
  /** Every tag: id, name and (17) facet. */
  tags(): Array<{ id: number; name: string; facetId?: number }>
  /** The chatter messages of a document, oldest first (as `mail.message` holds them). */
  messages(id: number): Array<{ id: number; body: string; message_type: string; subtype: string | false; date: string }>
  /** Re-tags or moves a document (write_date changes, content does not). */
  touch(id: number, values: { tagIds?: number[]; folderId?: number }): void
  /** Replaces a document's content (a new version: checksum changes). */
  replaceContent(id: number, bytes: Uint8Array): void
  document(id: number): Record<string, any> | undefined
  /** Answers requests with a redirect to `target` + the request's path: the next `times` ones, or all (null: stop). */
  redirectTo(target: string | null, status?: number, times?: number): void
  /** Answers `count` requests with 429 and this Retry-After (null: no header), after letting `after` requests through. */
  throttle(count: number, retryAfter: string | null, after?: number): void
  /** The key's user lacks the right to call `method` (any when omitted) on `model` (null: lift all). */
  deny(model: string | null, method?: string): void
  close(): Promise<void>
}

type Row = Record<string, any>
type Field = { type: string; relation?: string; selection?: [string, string][]; string?: string }

/** Thrown by the core; each transport renders it its own way. */
class OdooFault extends Error {
  constructor(readonly status: number, readonly odooName: string, message: string) {
    super(message)
  }
}
const fault = {
  notFound: (m: string) => new OdooFault(404, 'werkzeug.exceptions.NotFound', m),
  unprocessable: (m: string) => new OdooFault(422, 'werkzeug.exceptions.UnprocessableEntity', m),
  access: (m: string) => new OdooFault(403, 'odoo.exceptions.AccessError', m),
  value: (m: string) => new OdooFault(422, 'builtins.ValueError', m),
  missing: (m: string) => new OdooFault(404, 'odoo.exceptions.MissingError', m),
}

/** The parameters of the methods the fake knows, after `self`, as Odoo declares them. */
const SIGNATURES: Record<string, { apiModel: boolean; params: string[]; required?: string[]; kwOnly?: string[] }> = {
  search_read: { apiModel: true, params: ['domain', 'fields', 'offset', 'limit', 'order'] },
  search: { apiModel: true, params: ['domain', 'offset', 'limit', 'order'] },
  search_count: { apiModel: true, params: ['domain', 'limit'] },
  read: { apiModel: false, params: ['fields', 'load'] },
  write: { apiModel: false, params: ['vals'], required: ['vals'] },
  fields_get: { apiModel: true, params: ['allfields', 'attributes'] },
  context_get: { apiModel: true, params: [] },
  create: { apiModel: true, params: ['vals_list'], required: ['vals_list'] },
  // mail.thread.message_post(self, *, body='', subject=None, message_type='notification', …, subtype_xmlid=None, …, body_is_html=False, **kwargs)
  message_post: { apiModel: false, params: [], kwOnly: ['body', 'subject', 'message_type', 'subtype_xmlid', 'subtype_id', 'partner_ids', 'body_is_html', 'author_id', 'email_from', 'parent_id', 'attachment_ids'] },
}

const MAIL_SUBTYPES: Record<string, [number, string]> = { 'mail.mt_note': [2, 'Note'], 'mail.mt_comment': [1, 'Discussions'] }
const escapeHtml = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;')

const VERSION_INFO: Record<ModelSet, [number, number, number, string, number, string]> = {
  v17: [17, 0, 0, 'final', 0, ''],
  v18: [18, 0, 0, 'final', 0, ''],
  v19: [19, 0, 0, 'final', 0, ''],
  v20: [20, 0, 0, 'final', 0, ''],
}

const HTML_404 = '<!DOCTYPE html><html><head><title>404 | Page not found</title></head><body><h1>404: Page not found</h1></body></html>'

export async function startFakeOdoo(opts: FakeOdooOptions): Promise<FakeOdoo> {
  const database = opts.database ?? 'odoo'
  const login = opts.login ?? 'connector@example.com'
  const apiKey = opts.apiKey ?? 'odoo-api-key-0123456789'
  const set = opts.set
  const foldersAreDocs = set !== 'v17'
  const json2 = set === 'v19' || set === 'v20'
  const rpc = json2 ? (opts.rpc ?? true) : true
  const hasDocuments = opts.documents ?? true
  const uid = 2
  const docs = new Map<number, Row>()
  const folders = new Map<number, Row>() // v17 only
  const tags = new Map<number, Row>()
  const facets = new Map<number, Row>()
  const customFields = new Set<string>()
  const mailMessages = new Map<number, Row>()
  const calls: FakeOdooCall[] = []
  const requests: FakeOdooRequest[] = []
  const denied: Array<{ model: string; method?: string | undefined }> = []
  let redirect: { target: string; status: number; times: number } | null = null
  let throttled: { count: number; retryAfter: string | null; after: number } = { count: 0, retryAfter: null, after: 0 }
  let nextId = 100
  let clock = Date.UTC(2026, 10, 1, 8, 0, 0)
  // Odoo writes naive UTC `YYYY-MM-DD HH:MM:SS`; two writes in the same second share a write_date.
  const stamp = () => new Date((clock += 400)).toISOString().slice(0, 19).replace('T', ' ')
  const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex')

  const parentOf = (id: number): number | undefined => {
    const f = foldersAreDocs ? docs.get(id) : folders.get(id)
    const p = foldersAreDocs ? f?.folder_id : f?.parent_folder_id
    return Array.isArray(p) ? p[0] : undefined
  }
  const m2o = (id: number | undefined, tbl: Map<number, Row>) => (id === undefined ? false : [id, tbl.get(id)?.name ?? '?'])
  const folderTable = () => (foldersAreDocs ? docs : folders)

  // ---- models and their fields ------------------------------------------------------------------

  function modelExists(model: string): boolean {
    if (model === 'res.users' || model === 'mail.message') return true
    if (!hasDocuments) return false
    return model === 'documents.document' || model === 'documents.tag' || (set === 'v17' && (model === 'documents.folder' || model === 'documents.facet'))
  }

  function table(model: string): Map<number, Row> {
    if (model === 'documents.document') return docs
    if (model === 'documents.folder') return folders
    if (model === 'documents.tag') return tags
    if (model === 'documents.facet') return facets
    if (model === 'mail.message') return mailMessages
    return new Map()
  }

  function fieldsOf(model: string): Record<string, Field> {
    const common: Record<string, Field> = { id: { type: 'integer' }, display_name: { type: 'char' }, create_date: { type: 'datetime' }, write_date: { type: 'datetime' }, create_uid: { type: 'many2one', relation: 'res.users' }, write_uid: { type: 'many2one', relation: 'res.users' } }
    if (model === 'res.users') return { ...common, name: { type: 'char' }, login: { type: 'char' } }
    if (model === 'mail.message') {
      return {
        ...common, body: { type: 'html' }, model: { type: 'char' }, res_id: { type: 'many2one_reference' }, date: { type: 'datetime' },
        message_type: { type: 'selection', selection: [['email', 'Email'], ['comment', 'Comment'], ['notification', 'System notification'], ['user_notification', 'User Specific Notification']] },
        subtype_id: { type: 'many2one', relation: 'mail.message.subtype' }, author_id: { type: 'many2one', relation: 'res.partner' }, subject: { type: 'char' },
      }
    }
    if (model === 'documents.tag') {
      return set === 'v17'
        ? { ...common, name: { type: 'char' }, facet_id: { type: 'many2one', relation: 'documents.facet' }, folder_id: { type: 'many2one', relation: 'documents.folder' }, sequence: { type: 'integer' } }
        : { ...common, name: { type: 'char' }, sequence: { type: 'integer' }, color: { type: 'integer' }, tooltip: { type: 'char' } }
    }
    if (model === 'documents.folder') return { ...common, name: { type: 'char' }, parent_folder_id: { type: 'many2one', relation: 'documents.folder' }, children_folder_ids: { type: 'one2many', relation: 'documents.folder' }, company_id: { type: 'many2one', relation: 'res.company' }, active: { type: 'boolean' }, sequence: { type: 'integer' }, parent_path: { type: 'char' } }
    if (model === 'documents.facet') return { ...common, name: { type: 'char' }, folder_id: { type: 'many2one', relation: 'documents.folder' }, tag_ids: { type: 'one2many', relation: 'documents.tag' } }
    // documents.document
    const f: Record<string, Field> = {
      ...common,
      name: { type: 'char' }, active: { type: 'boolean' }, attachment_id: { type: 'many2one', relation: 'ir.attachment' },
      datas: { type: 'binary' }, raw: { type: 'binary' }, checksum: { type: 'char' }, mimetype: { type: 'char' }, file_size: { type: 'integer' },
      file_extension: { type: 'char' }, tag_ids: { type: 'many2many', relation: 'documents.tag' }, partner_id: { type: 'many2one', relation: 'res.partner' },
      owner_id: { type: 'many2one', relation: 'res.users' }, res_model: { type: 'char' }, res_id: { type: 'many2one_reference' },
      company_id: { type: 'many2one', relation: 'res.company' }, lock_uid: { type: 'many2one', relation: 'res.users' },
    }
    if (foldersAreDocs) {
      f.type = { type: 'selection', selection: [['binary', 'File'], ['url', 'URL'], ['folder', 'Folder']] }
      f.folder_id = { type: 'many2one', relation: 'documents.document' }
      f.children_ids = { type: 'one2many', relation: 'documents.document' }
      f.shortcut_document_id = { type: 'many2one', relation: 'documents.document' }
      f.access_internal = { type: 'selection', selection: [['view', 'Viewer'], ['edit', 'Editor'], ['none', 'None']] }
      f.access_via_link = { type: 'selection', selection: [['view', 'Viewer'], ['edit', 'Editor'], ['none', 'None']] }
      f.parent_path = { type: 'char' }
      if (set === 'v18') f.is_pinned_folder = { type: 'boolean' } // 19.0 removed its successor, is_company_root_folder
    } else {
      f.type = { type: 'selection', selection: [['binary', 'File'], ['url', 'URL'], ['empty', 'Request']] }
      f.folder_id = { type: 'many2one', relation: 'documents.folder' }
      f.previous_attachment_ids = { type: 'many2many', relation: 'ir.attachment' }
    }
    for (const c of customFields) f[c] = { type: 'char' }
    return f
  }

  function checkField(model: string, field: string) {
    if (!(field in fieldsOf(model))) throw fault.value(`Invalid field '${field}' on model '${model}'`)
  }

  // ---- search ------------------------------------------------------------------------------------

  const get = (row: Row, field: string) => {
    const v = row[field]
    return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string' ? v[0] : v
  }

  function term(model: string, row: Row, [field, op, value]: [string, string, any]): boolean {
    checkField(model, field)
    const v = get(row, field)
    switch (op) {
      case '=': return value === false ? v === false || v === undefined || v === null : v === value
      case '!=': return value === false ? !(v === false || v === undefined || v === null) : v !== value
      case '>': return v > value
      case '>=': return v >= value
      case '<': return v < value
      case '<=': return v <= value
      case 'in': return Array.isArray(v) ? v.some((x) => value.includes(x)) : value.includes(v)
      case 'not in': return Array.isArray(v) ? !v.some((x) => value.includes(x)) : !value.includes(v)
      case 'ilike': return String(v ?? '').toLowerCase().includes(String(value).toLowerCase())
      case 'child_of': {
        const roots = Array.isArray(value) ? value : [value]
        for (let cur: number | undefined = v; cur !== undefined; cur = parentOf(cur)) if (roots.includes(cur)) return true
        return false
      }
      default: throw fault.value(`Invalid operator ${op}`)
    }
  }

  function evalDomain(model: string, row: Row, domain: any[]): boolean {
    let i = 0
    const expr = (): boolean => {
      const tok = domain[i++]
      if (tok === '&') { const a = expr(); const b = expr(); return a && b }
      if (tok === '|') { const a = expr(); const b = expr(); return a || b }
      if (tok === '!') return !expr()
      if (!Array.isArray(tok)) throw fault.value(`Invalid domain term ${JSON.stringify(tok)}`)
      return term(model, row, tok as any)
    }
    let ok = true
    while (i < domain.length) ok = expr() && ok // implicit AND at top level
    return ok
  }

  function project(model: string, row: Row, fields?: string[]) {
    const out: Row = { id: row.id }
    const wanted = fields && fields.length ? fields : Object.keys(fieldsOf(model)).filter((f) => f !== 'datas' && f !== 'raw')
    for (const f of wanted) {
      checkField(model, f)
      if (f === 'raw') throw fault.value('Object of type bytes is not JSON serializable')
      out[f] = f in row ? row[f] : false
    }
    return out
  }

  function search(model: string, domain: any[], kw: Row, context: Row): Row[] {
    const active = context.active_test === false
    // Unknown fields fail even when no row is there to evaluate.
    evalDomainFields(model, domain)
    let rows = [...table(model).values()].filter((r) => (active || r.active !== false) && evalDomain(model, r, domain))
    const order = String(kw.order ?? 'id asc').split(',').map((s) => s.trim().split(/\s+/) as [string, string?])
    for (const [f] of order) checkField(model, f)
    rows.sort((a, b) => {
      for (const [f, dir] of order) {
        const c = a[f] < b[f] ? -1 : a[f] > b[f] ? 1 : 0
        if (c) return dir?.toLowerCase() === 'desc' ? -c : c
      }
      return 0
    })
    if (kw.offset) rows = rows.slice(kw.offset)
    if (kw.limit) rows = rows.slice(0, kw.limit)
    return rows
  }

  function evalDomainFields(model: string, domain: any[]) {
    for (const t of domain) if (Array.isArray(t)) checkField(model, t[0])
  }

  function write(model: string, ids: number[], values: Row) {
    const t = table(model)
    // One transaction: everything is checked before anything changes.
    for (const id of ids) if (!t.get(id)) throw fault.missing(`Record ${model}(${id}) does not exist or has been deleted.`)
    for (const k of Object.keys(values)) checkField(model, k)
    // A tag that does not exist is a foreign key violation in Odoo: refused whole.
    for (const cmd of Array.isArray(values.tag_ids) ? values.tag_ids : []) {
      const refs = cmd[0] === 4 ? [cmd[1]] : cmd[0] === 6 ? cmd[2] : []
      for (const t of refs) if (!tags.has(t)) throw fault.value(`The operation cannot be completed: documents.tag(${t}) does not exist`)
    }
    for (const id of ids) {
      const row = t.get(id)!
      for (const [k, v] of Object.entries(values)) {
        if (k === 'tag_ids' && Array.isArray(v)) {
          const cur = new Set<number>(row.tag_ids)
          for (const cmd of v) {
            if (cmd[0] === 4) cur.add(cmd[1])
            else if (cmd[0] === 3) cur.delete(cmd[1])
            else if (cmd[0] === 6) { cur.clear(); for (const x of cmd[2]) cur.add(x) }
          }
          row.tag_ids = [...cur]
        } else if (k === 'folder_id') {
          row.folder_id = m2o(v as number, folderTable())
        } else row[k] = v
      }
      row.write_date = stamp()
    }
    return true
  }

  /** `create(vals_list)` (model_create_multi): a dict or a list of dicts; the new ids as a list, one id for a dict. */
  function create(model: string, valsList: unknown): number | number[] {
    const many = Array.isArray(valsList)
    const list = (many ? valsList : [valsList]) as Row[]
    if (model !== 'documents.tag' && model !== 'documents.facet') throw fault.access(`You are not allowed to create '${model}' records.`)
    for (const vals of list) {
      if (typeof vals !== 'object' || vals === null) throw fault.value('create() expects a dict or a list of dicts')
      for (const k of Object.keys(vals)) checkField(model, k)
      if (!vals.name) throw fault.value(`Missing required value for the field 'Name' (name)`)
      if (model === 'documents.tag' && set !== 'v17' && [...tags.values()].some((t) => t.name === vals.name)) {
        throw new OdooFault(422, 'odoo.exceptions.ValidationError', `A tag with the same name already exists.`)
      }
      if (model === 'documents.tag' && set === 'v17' && !facets.has(vals.facet_id)) throw fault.value(`Missing required value for the field 'Category' (facet_id)`)
      if (model === 'documents.facet' && !folders.has(vals.folder_id)) throw fault.value(`Missing required value for the field 'Workspace' (folder_id)`)
    }
    const ids = list.map((vals) => {
      const id = nextId++
      if (model === 'documents.facet') facets.set(id, { id, name: vals.name, folder_id: m2o(vals.folder_id, folders), write_date: stamp() })
      else tags.set(id, { id, name: vals.name, ...(set === 'v17' ? { facet_id: m2o(vals.facet_id, facets), folder_id: facets.get(vals.facet_id)!.folder_id } : {}), write_date: stamp() })
      return id
    })
    return many ? ids : ids[0]!
  }

  /** mail.thread.message_post: one record (ensure_one), a note or comment in its chatter. */
  function messagePost(model: string, ids: number[], kw: Row): number {
    if (model !== 'documents.document') throw fault.notFound(`The method 'message_post' does not exist on the model '${model}'`)
    if (ids.length !== 1) throw fault.value(`Expected singleton: ${model}(${ids.join(', ')})`)
    if (!docs.get(ids[0]!)) throw fault.missing(`Record ${model}(${ids[0]}) does not exist or has been deleted.`)
    const messageType = kw.message_type ?? 'notification'
    if (!['comment', 'notification', 'email', 'user_notification'].includes(messageType)) throw fault.value(`Wrong value for mail.message.message_type: '${messageType}'`)
    const subtype = kw.subtype_xmlid ? MAIL_SUBTYPES[kw.subtype_xmlid] : undefined
    if (kw.subtype_xmlid && !subtype) throw fault.value(`External ID not found in the system: ${kw.subtype_xmlid}`)
    const body = String(kw.body ?? '')
    const id = nextId++
    mailMessages.set(id, {
      id, model, res_id: ids[0], body: kw.body_is_html ? body : `<p>${escapeHtml(body)}</p>`, message_type: messageType,
      subtype_id: subtype ?? false, author_id: [3, 'Connector'], subject: kw.subject ?? false, date: stamp(), write_date: stamp(),
    })
    return id
  }

  /**
   * The one core both transports call: arguments by name, bound like Python's
   * `inspect.signature(func).bind(records, **kwargs)`.
   */
  function execute(protocol: 'jsonrpc' | 'json2', model: string, method: string, ids: number[], kw: Row, context: Row): unknown {
    calls.push({ model, method, protocol })
    if (!modelExists(model)) {
      if (protocol === 'jsonrpc') throw new OdooFault(200, 'odoo.exceptions.UserError', `Object ${model} doesn't exist`)
      throw fault.notFound(`the model '${model}' does not exist`)
    }
    const sig = SIGNATURES[method]
    if (!sig || (method === 'context_get' && model !== 'res.users')) throw fault.notFound(`The method '${method}' does not exist on the model '${model}'`)
    if (method.startsWith('_')) throw fault.access(`Private methods (such as '${model}.${method}') cannot be called remotely.`)
    if (sig.apiModel && ids.length > 0) throw fault.unprocessable(`cannot call ${model}.${method} with ids`)
    for (const k of Object.keys(kw)) if (!sig.params.includes(k) && !(sig.kwOnly ?? []).includes(k)) throw fault.unprocessable(`got an unexpected keyword argument '${k}'`)
    for (const k of sig.required ?? []) if (!(k in kw)) throw fault.unprocessable(`missing a required argument: '${k}'`)
    if (denied.some((d) => d.model === model && (d.method === undefined || d.method === method))) {
      throw fault.access(`You are not allowed to access '${model}' records. This operation is allowed for the following groups: Documents / User. Contact your administrator to request access if necessary.`)
    }
    switch (method) {
      case 'context_get': return { lang: 'fr_FR', tz: 'Europe/Paris', uid }
      case 'search_read': return search(model, kw.domain ?? [], kw, context).map((r) => project(model, r, kw.fields))
      case 'search': return search(model, kw.domain ?? [], kw, context).map((r) => r.id)
      case 'search_count': return search(model, kw.domain ?? [], kw, context).length
      case 'read': return ids.map((id) => table(model).get(id)).filter(Boolean).map((r) => project(model, r!, kw.fields))
      case 'write': return write(model, ids, kw.vals)
      case 'create': return create(model, kw.vals_list)
      case 'message_post': {
        const id = messagePost(model, ids, kw)
        return protocol === 'json2' ? [id] : id
      }
      case 'fields_get': {
        const attrs: string[] | undefined = kw.attributes
        return Object.fromEntries(Object.entries(fieldsOf(model)).map(([n, f]) => [n, attrs ? Object.fromEntries(Object.entries(f).filter(([a]) => attrs.includes(a))) : f]))
      }
    }
    throw fault.notFound(`The method '${method}' does not exist on the model '${model}'`)
  }

  /** JSON-RPC's `execute_kw(db, uid, key, model, method, args, kwargs)`: positional args named by the signature. */
  function executeKw(model: string, method: string, args: any[], kw: Row): unknown {
    const sig = SIGNATURES[method]
    const { context, ...named } = kw
    let ids: number[] = []
    let rest = args
    if (sig && !sig.apiModel) {
      ids = Array.isArray(args[0]) ? args[0] : args[0] === undefined ? [] : [args[0]]
      rest = args.slice(1)
    }
    const params = sig?.params ?? []
    if (rest.length > params.length) throw fault.unprocessable(`${method}() takes ${params.length + 1} positional argument${params.length ? 's' : ''} but ${rest.length + 1} were given`)
    rest.forEach((v, i) => {
      const p = params[i]!
      if (p in named) throw fault.unprocessable(`multiple values for argument '${p}'`)
      named[p] = v
    })
    return execute('jsonrpc', model, method, ids, named, context ?? {})
  }

  // ---- HTTP --------------------------------------------------------------------------------------

  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!
      requests.push({ method: req.method ?? '', path, headers: req.headers, body })
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
        res.end(JSON.stringify(payload))
      }
      const notFound = () => { res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }); res.end(HTML_404) }

      if (redirect && redirect.times > 0) {
        redirect.times--
        res.writeHead(redirect.status, { location: redirect.target + (req.url ?? '/') })
        res.end()
        return
      }
      if (throttled.count > 0 && throttled.after > 0) throttled.after--
      else if (throttled.count > 0) {
        throttled.count--
        res.writeHead(429, { 'content-type': 'text/html', ...(throttled.retryAfter !== null ? { 'retry-after': throttled.retryAfter } : {}) })
        res.end('<h1>Too Many Requests</h1>')
        return
      }

      if (path === '/web/version' && req.method === 'GET' && opts.webVersion !== false) {
        calls.push({ method: 'web/version', protocol: 'http' })
        const info = VERSION_INFO[set]
        return send(200, { version_info: info, version: `${info[0]}.${info[1]}` })
      }

      const json2Route = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(path)
      if (json2 && path.startsWith('/json/2')) {
        const error = (f: OdooFault) => send(f.status === 200 ? 422 : f.status, { name: f.odooName, message: f.message, arguments: [f.message, f.status], context: {}, debug: `Traceback (most recent call last):\n  …\n${f.odooName}: ${f.message}` })
        if (!json2Route || req.method !== 'POST') return error(fault.notFound('Did you mean POST /json/2/<model>/<method>?'))
        const auth = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')
        if (!auth || auth[1] !== apiKey) return error(new OdooFault(401, 'werkzeug.exceptions.Unauthorized', 'Invalid apikey'))
        let msg: unknown
        try { msg = body ? JSON.parse(body) : {} } catch { return error(new OdooFault(400, 'werkzeug.exceptions.BadRequest', 'Invalid JSON data')) }
        if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return error(new OdooFault(400, 'werkzeug.exceptions.BadRequest', 'Invalid JSON data: expected an object'))
        const { ids, context, ...kw } = msg as Row
        try {
          return send(200, execute('json2', decodeURIComponent(json2Route[1]!), decodeURIComponent(json2Route[2]!), Array.isArray(ids) ? ids : [], kw, context ?? {}))
        } catch (e) {
          if (e instanceof OdooFault) return error(e)
          throw e
        }
      }

      if (path === '/jsonrpc' && req.method === 'POST' && rpc) {
        let msg: Row
        try { msg = JSON.parse(body) } catch { res.writeHead(400); res.end('bad json'); return }
        const reply = (payload: Row) => send(200, { jsonrpc: '2.0', id: msg.id, ...payload })
        const { service, method, args } = msg.params ?? {}
        try {
          if (service === 'common' && method === 'authenticate') {
            calls.push({ method: 'authenticate', protocol: 'jsonrpc' })
            const [db, user, key] = args
            return reply({ result: db === database && user === login && key === apiKey ? uid : false })
          }
          if (service === 'common' && method === 'version') return reply({ result: { server_version_info: VERSION_INFO[set], server_version: VERSION_INFO[set].slice(0, 2).join('.') } })
          if (service === 'db' && set !== 'v20') return reply({ result: [database] })
          if (service === 'object' && method === 'execute_kw') {
            const [db, u, key, model, m, a, kw] = args
            if (db !== database || u !== uid || key !== apiKey) throw new OdooFault(200, 'odoo.exceptions.AccessDenied', 'Access Denied')
            return reply({ result: executeKw(model, m, a ?? [], kw ?? {}) })
          }
          throw new OdooFault(200, 'builtins.KeyError', `'${service}'`)
        } catch (e) {
          if (!(e instanceof OdooFault)) throw e
          return reply({ error: { code: 200, message: 'Odoo Server Error', data: { name: e.odooName, message: e.message, arguments: [e.message], context: {}, debug: '' } } })
        }
      }
      notFound()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const addFolder = (name: string, parentId?: number) => {
    const id = nextId++
    if (foldersAreDocs) docs.set(id, { id, name, type: 'folder', folder_id: m2o(parentId, docs), active: true, tag_ids: [], write_date: stamp(), shortcut_document_id: false, owner_id: false, res_model: false })
    else folders.set(id, { id, name, parent_folder_id: m2o(parentId, folders), active: true })
    return id
  }
  // 19.0 (saas~18.5) created one global Inbox folder, with no parent.
  const inboxId = json2 && hasDocuments ? addFolder('Inbox') : undefined

  return {
    url,
    calls,
    requests,
    set,
    json2,
    inboxId,
    addFolder,
    addTag(name) {
      const id = nextId++
      tags.set(id, { id, name })
      return id
    },
    addDocument(d) {
      const id = nextId++
      const now = stamp()
      for (const k of Object.keys(d.extra ?? {})) customFields.add(k)
      docs.set(id, {
        id, name: d.name, type: 'binary', folder_id: m2o(d.folderId, folderTable()), tag_ids: d.tagIds ?? [],
        mimetype: d.mimetype ?? 'application/pdf', datas: Buffer.from(d.bytes).toString('base64'), checksum: sha1(d.bytes), file_size: d.bytes.length,
        create_date: now, write_date: now, active: true, partner_id: false, owner_id: [uid, 'Connector'], shortcut_document_id: false,
        // saas~18.4 cleared res_model/res_id of documents that pointed at themselves.
        res_model: json2 ? false : 'documents.document', res_id: json2 ? false : id,
        ...d.extra,
      })
      return id
    },
    touch(id, values) {
      write('documents.document', [id], { ...(values.tagIds ? { tag_ids: [[6, 0, values.tagIds]] } : {}), ...(values.folderId ? { folder_id: values.folderId } : {}) })
    },
    replaceContent(id, bytes) {
      write('documents.document', [id], { datas: Buffer.from(bytes).toString('base64'), checksum: sha1(bytes), file_size: bytes.length })
    },
    document: (id) => docs.get(id),
    tagNames: (id) => ((docs.get(id)?.tag_ids ?? []) as number[]).map((t) => tags.get(t)?.name ?? `?${t}`).sort(),
    tags: () => [...tags.values()].map((t) => ({ id: t.id, name: t.name, ...(Array.isArray(t.facet_id) ? { facetId: t.facet_id[0] } : {}) })),
    messages: (id) =>
      [...mailMessages.values()]
        .filter((m) => m.model === 'documents.document' && m.res_id === id)
        .sort((a, b) => a.id - b.id)
        .map((m) => ({ id: m.id, body: m.body, message_type: m.message_type, subtype: Array.isArray(m.subtype_id) ? m.subtype_id[1] : false, date: m.date })),
    redirectTo(target, status = 307, times = Infinity) {
      redirect = target === null ? null : { target, status, times }
    },
    throttle(count, retryAfter, after = 0) {
      throttled = { count, retryAfter, after }
    },
    deny(model, method) {
      if (model === null) denied.length = 0
      else denied.push({ model, method })
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}
