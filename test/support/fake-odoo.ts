import { createServer, type Server } from 'node:http'
import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'

/**
 * A fake Odoo speaking JSON-RPC on loopback (`POST /jsonrpc`): `common.authenticate` and
 * `object.execute_kw` with search_read, search, read, write and fields_get on the Documents models,
 * in either model set: 'v17' (documents.folder, per-workspace facets) or 'v18' (folders are
 * documents.document rows with type 'folder', global tags). Domains are evaluated for real
 * (prefix &, |, !; =, !=, >, >=, <, <=, in, not in, child_of, ilike), and every write bumps
 * write_date as Odoo does.
 */
export type ModelSet = 'v17' | 'v18'

export interface FakeOdoo {
  readonly url: string
  readonly calls: Array<{ model?: string; method: string }>
  readonly set: ModelSet
  /** Adds a folder; returns its id. */
  addFolder(name: string, parentId?: number): number
  addTag(name: string): number
  /** Adds a PDF (or any file) document; returns its id. */
  addDocument(d: { name: string; folderId: number; bytes: Uint8Array; tagIds?: number[]; mimetype?: string; extra?: Record<string, unknown> }): number
  /** Re-tags or moves a document (write_date changes, content does not). */
  touch(id: number, values: { tagIds?: number[]; folderId?: number }): void
  /** Replaces a document's content (a new version: checksum changes). */
  replaceContent(id: number, bytes: Uint8Array): void
  document(id: number): Record<string, any> | undefined
  close(): Promise<void>
}

type Row = Record<string, any>

export async function startFakeOdoo(opts: { set: ModelSet; database?: string; login?: string; apiKey?: string }): Promise<FakeOdoo> {
  const database = opts.database ?? 'odoo'
  const login = opts.login ?? 'connector@example.com'
  const apiKey = opts.apiKey ?? 'odoo-api-key-0123456789'
  const set = opts.set
  const docs = new Map<number, Row>()
  const folders = new Map<number, Row>() // v17 only
  const tags = new Map<number, Row>()
  const facets = new Map<number, Row>()
  const calls: FakeOdoo['calls'] = []
  let nextId = 100
  let clock = Date.UTC(2026, 10, 1, 8, 0, 0)
  // Odoo writes naive UTC `YYYY-MM-DD HH:MM:SS`; two writes in the same second share a write_date.
  const stamp = () => new Date((clock += 400)).toISOString().slice(0, 19).replace('T', ' ')
  const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex')

  const parentOf = (id: number): number | undefined => {
    const f = set === 'v18' ? docs.get(id) : folders.get(id)
    const p = set === 'v18' ? f?.folder_id : f?.parent_folder_id
    return Array.isArray(p) ? p[0] : undefined
  }
  const m2o = (id: number | undefined, table: Map<number, Row>) => (id === undefined ? false : [id, table.get(id)?.name ?? '?'])

  function table(model: string): Map<number, Row> {
    if (model === 'documents.document') return docs
    if (model === 'documents.folder' && set === 'v17') return folders
    if (model === 'documents.tag') return tags
    if (model === 'documents.facet' && set === 'v17') return facets
    throw rpcError('ValueError', `Object ${model} doesn't exist`)
  }

  function rpcError(name: string, message: string) {
    return Object.assign(new Error(message), { rpc: { name, message } })
  }

  const get = (row: Row, field: string) => {
    const v = row[field]
    return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string' ? v[0] : v
  }

  function term(row: Row, [field, op, value]: [string, string, any]): boolean {
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
      default: throw rpcError('ValueError', `Invalid operator ${op}`)
    }
  }

  function evalDomain(row: Row, domain: any[]): boolean {
    let i = 0
    const expr = (): boolean => {
      const tok = domain[i++]
      if (tok === '&') { const a = expr(); const b = expr(); return a && b }
      if (tok === '|') { const a = expr(); const b = expr(); return a || b }
      if (tok === '!') return !expr()
      if (!Array.isArray(tok)) throw rpcError('ValueError', `Invalid domain term ${JSON.stringify(tok)}`)
      return term(row, tok as any)
    }
    let ok = true
    while (i < domain.length) ok = expr() && ok // implicit AND at top level
    return ok
  }

  function project(row: Row, fields?: string[]) {
    const out: Row = { id: row.id }
    for (const f of fields && fields.length ? fields : Object.keys(row)) {
      if (f === 'datas' && !(fields ?? []).includes('datas')) continue
      out[f] = f in row ? row[f] : false
    }
    return out
  }

  function search(model: string, domain: any[], kw: Row): Row[] {
    const active = kw.context?.active_test === false
    let rows = [...table(model).values()].filter((r) => (active || r.active !== false) && evalDomain(r, domain))
    const order = String(kw.order ?? 'id asc').split(',').map((s) => s.trim().split(/\s+/) as [string, string?])
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

  function fieldsGet(model: string) {
    if (model !== 'documents.document') return { name: { type: 'char' } }
    const base: Row = {
      name: { type: 'char' }, checksum: { type: 'char' }, mimetype: { type: 'char' }, datas: { type: 'binary' },
      tag_ids: { type: 'many2many', relation: 'documents.tag' }, write_date: { type: 'datetime' },
    }
    if (set === 'v18') {
      base.type = { type: 'selection', selection: [['binary', 'File'], ['url', 'URL'], ['folder', 'Folder']] }
      base.folder_id = { type: 'many2one', relation: 'documents.document' }
      base.shortcut_document_id = { type: 'many2one', relation: 'documents.document' }
    } else {
      base.type = { type: 'selection', selection: [['binary', 'File'], ['url', 'URL'], ['empty', 'Request']] }
      base.folder_id = { type: 'many2one', relation: 'documents.folder' }
    }
    return base
  }

  function write(model: string, ids: number[], values: Row) {
    const t = table(model)
    for (const id of ids) {
      const row = t.get(id)
      if (!row) throw rpcError('MissingError', `Record ${model}(${id}) does not exist`)
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
          row.folder_id = m2o(v as number, set === 'v18' ? docs : folders)
        } else row[k] = v
      }
      row.write_date = stamp()
    }
    return true
  }

  function executeKw(model: string, method: string, args: any[], kw: Row): unknown {
    calls.push({ model, method })
    switch (method) {
      case 'search_read': return search(model, args[0] ?? [], kw).map((r) => project(r, kw.fields))
      case 'search': return search(model, args[0] ?? [], kw).map((r) => r.id)
      case 'read': return (args[0] as number[]).map((id) => table(model).get(id)).filter(Boolean).map((r) => project(r!, kw.fields ?? args[1]))
      case 'write': return write(model, args[0], args[1])
      case 'fields_get': return fieldsGet(model)
      default: throw rpcError('AttributeError', `The method '${method}' does not exist on the model '${model}'`)
    }
  }

  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const reply = (payload: Row) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(payload)) }
      if (req.method !== 'POST' || req.url !== '/jsonrpc') { res.writeHead(404); res.end('not found'); return }
      let msg: Row
      try { msg = JSON.parse(body) } catch { res.writeHead(400); res.end('bad json'); return }
      const { service, method, args } = msg.params ?? {}
      try {
        if (service === 'common' && method === 'authenticate') {
          calls.push({ method: 'authenticate' })
          const [db, user, key] = args
          return reply({ jsonrpc: '2.0', id: msg.id, result: db === database && user === login && key === apiKey ? 2 : false })
        }
        if (service === 'object' && method === 'execute_kw') {
          const [db, uid, key, model, m, a, kw] = args
          if (db !== database || uid !== 2 || key !== apiKey) throw rpcError('odoo.exceptions.AccessDenied', 'Access Denied')
          return reply({ jsonrpc: '2.0', id: msg.id, result: executeKw(model, m, a ?? [], kw ?? {}) })
        }
        throw rpcError('KeyError', `unknown ${service}.${method}`)
      } catch (e: any) {
        reply({ jsonrpc: '2.0', id: msg.id, error: { code: 200, message: 'Odoo Server Error', data: { name: e.rpc?.name ?? 'Error', message: e.rpc?.message ?? String(e) } } })
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    calls,
    set,
    addFolder(name, parentId) {
      const id = nextId++
      if (set === 'v18') docs.set(id, { id, name, type: 'folder', folder_id: m2o(parentId, docs), active: true, tag_ids: [], write_date: stamp(), shortcut_document_id: false })
      else folders.set(id, { id, name, parent_folder_id: m2o(parentId, folders), active: true })
      return id
    },
    addTag(name) {
      const id = nextId++
      tags.set(id, { id, name })
      return id
    },
    addDocument(d) {
      const id = nextId++
      const now = stamp()
      docs.set(id, {
        id, name: d.name, type: 'binary', folder_id: m2o(d.folderId, set === 'v18' ? docs : folders), tag_ids: d.tagIds ?? [],
        mimetype: d.mimetype ?? 'application/pdf', datas: Buffer.from(d.bytes).toString('base64'), checksum: sha1(d.bytes), file_size: d.bytes.length,
        create_date: now, write_date: now, active: true, partner_id: false, owner_id: [2, 'Connector'], shortcut_document_id: false, ...d.extra,
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
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
