import type { Logger } from 'pino'
import type { SourceAdapter, ScanContext } from '../source-adapter'
import type { SecretBox } from '../../secrets/secret-box'
import type { RuleMatch } from '../../domain/filing-rule'
import { createOdooClient, domainAnd, domainOr, type Domain, type OdooClient } from './odoo-client'
import type { OdooConfig } from './odoo-config'

export type OdooModelSet = 'v13-17' | 'v18+'

export interface OdooCursor {
  readonly writeDate: string
  readonly id: number
}

const DOC = 'documents.document'
const BASE_FIELDS = ['id', 'name', 'folder_id', 'tag_ids', 'checksum', 'mimetype', 'file_size', 'write_date', 'create_date', 'partner_id', 'owner_id']

/**
 * v18 made folders `documents.document` rows (`type = 'folder'`); before, they were `documents.folder`.
 * `fields_get` tells which: the `type` selection offers `folder` only from 18 on.
 */
export async function detectModelSet(client: OdooClient): Promise<OdooModelSet> {
  const fields = await client.fieldsGet(DOC, ['type', 'relation', 'selection'])
  const types = (fields.type?.selection ?? []).map(([v]) => v)
  if (types.includes('folder') || fields.folder_id?.relation === DOC) return 'v18+'
  return 'v13-17'
}

interface Folders {
  ancestors(id: number | undefined): number[]
  name(id: number | undefined): string | undefined
}

async function loadFolders(client: OdooClient, set: OdooModelSet): Promise<Folders> {
  type Many2one = [number, string] | false
  // One shape for both model sets: the parent folder is `folder_id` from 18 on, `parent_folder_id` before.
  const rows: { id: number; name: string; parent: Many2one }[] = set === 'v18+'
    ? (await client.searchRead<{ id: number; name: string; folder_id: Many2one }>(DOC, [['type', '=', 'folder']], { fields: ['id', 'name', 'folder_id'] })).map((r) => ({ id: r.id, name: r.name, parent: r.folder_id }))
    : (await client.searchRead<{ id: number; name: string; parent_folder_id: Many2one }>('documents.folder', [], { fields: ['id', 'name', 'parent_folder_id'] })).map((r) => ({ id: r.id, name: r.name, parent: r.parent_folder_id }))
  const parent = new Map<number, number | undefined>()
  const names = new Map<number, string>()
  for (const r of rows) {
    parent.set(r.id, r.parent ? r.parent[0] : undefined)
    names.set(r.id, r.name)
  }
  return {
    ancestors(id) {
      const out: number[] = []
      for (let cur = id; cur !== undefined && !out.includes(cur); cur = parent.get(cur)) out.push(cur)
      return out
    },
    name: (id) => (id === undefined ? undefined : names.get(id)),
  }
}

/** A rule as an Odoo domain, for the part Odoo can filter (folder, tags); null when a tag it names does not exist. */
export function ruleDomain(match: RuleMatch, tagIds: ReadonlyMap<string, number>): Domain | null {
  const terms: Domain[] = []
  if (match.folderId !== undefined) terms.push([['folder_id', 'child_of', match.folderId]])
  const ids = (names: readonly string[] | undefined) => (names ?? []).map((n) => tagIds.get(n.toLowerCase()))
  const all = ids(match.tags?.all)
  const any = ids(match.tags?.any)
  if (all.includes(undefined) || (any.length > 0 && any.every((i) => i === undefined))) return null
  for (const id of all) terms.push([['tag_ids', 'in', [id]]])
  if (any.length > 0) terms.push([['tag_ids', 'in', any.filter((i) => i !== undefined)]])
  const none = ids(match.tags?.none).filter((i) => i !== undefined)
  if (none.length > 0) terms.push([['tag_ids', 'not in', none]])
  return domainAnd(terms)
}

/**
 * Odoo Documents as a source. Polls `documents.document` PDFs in the root folder, filtered by the
 * filing rules as domains, in (write_date, id) order from a keyset cursor. Tagging or moving a
 * document bumps write_date without touching its content, so each row is deduped on (id, checksum)
 * before its bytes are read: a re-tag is a duplicate, a changed checksum is a new version.
 */
export function odooSource(rawConfig: unknown, secrets: SecretBox, logger: Logger, clientFactory = createOdooClient): SourceAdapter {
  return {
    async scan(ctx: ScanContext) {
      const config = rawConfig as OdooConfig
      const client = clientFactory({ url: config.url, database: config.database, login: config.login, apiKey: secrets.open(config.apiKeyEnc), timeoutMs: config.timeoutMs ?? 30_000 })
      await client.authenticate()
      const set = await detectModelSet(client)
      const folders = await loadFolders(client, set)
      const tags = await client.searchRead<{ id: number; name: string }>('documents.tag', [], { fields: ['id', 'name'] })
      const tagName = new Map(tags.map((t) => [t.id, t.name]))
      const tagId = new Map(tags.map((t) => [t.name.toLowerCase(), t.id]))

      let receivedTagId: number | undefined
      if (config.receivedTag) {
        receivedTagId = tagId.get(config.receivedTag.toLowerCase())
        if (receivedTagId === undefined) ctx.note(`the tag "${config.receivedTag}" does not exist in Odoo: create it, documents are not tagged meanwhile`)
      }

      const base: Domain[] = [[['type', '=', 'binary']], [['mimetype', '=', 'application/pdf']]]
      if (set === 'v18+') base.push([['shortcut_document_id', '=', false]])
      if (config.rootFolderId) base.push([['folder_id', 'child_of', config.rootFolderId]])
      const enabled = ctx.rules.filter((r) => r.enabled)
      if (ctx.rules.length > 0) {
        const doms = enabled.map((r) => ruleDomain(r.match, tagId)).filter((d): d is Domain => d !== null)
        // No rule can match (all disabled, or naming tags Odoo lacks): nothing enters.
        if (doms.length === 0) return {}
        base.push(domainOr(doms))
      }

      let cursor = (ctx.source.cursor as OdooCursor | null) ?? null
      // write_date has one-second precision and is stamped when a transaction starts, not when it
      // commits: a row may appear later with a write_date at or before our cursor. So every scan
      // re-reads an overlap window before the cursor; those rows are deduped on (id, checksum)
      // without downloading anything. Within one scan, a strict (write_date, id) keyset pages on.
      const overlap = config.overlapSeconds ?? 60
      const from = cursor ? shiftOdooDate(cursor.writeDate, -overlap) : null
      let last: OdooCursor | null = null
      const fields = [...BASE_FIELDS, ...(config.metadataFields ?? [])]
      const pageSize = config.pageSize ?? 100
      for (let page = 0; page < (config.maxPagesPerScan ?? 20); page++) {
        if (ctx.signal.aborted) return {}
        const keyset: Domain[] = last
          ? [['|', ['write_date', '>', last.writeDate], '&', ['write_date', '=', last.writeDate], ['id', '>', last.id]]]
          : from ? [[['write_date', '>=', from]]] : []
        const rows = await client.searchRead<Record<string, any>>(DOC, domainAnd([...base, ...keyset]), { fields, order: 'write_date asc, id asc', limit: pageSize })
        for (const r of rows) {
          const folderId: number | undefined = Array.isArray(r.folder_id) ? r.folder_id[0] : undefined
          const tagNames = (r.tag_ids ?? []).map((id: number) => tagName.get(id)).filter(Boolean) as string[]
          const hostMetadata: Record<string, unknown> = {
            ...r,
            folder: folders.name(folderId) ?? (Array.isArray(r.folder_id) ? r.folder_id[1] : null),
            tags: tagNames,
            partner: Array.isArray(r.partner_id) ? r.partner_id[1] : null,
            odooModelSet: set,
          }
          const outcome = await ctx.receive({
            sourceRef: String(r.id),
            checksum: typeof r.checksum === 'string' && r.checksum ? `odoo:${r.checksum}` : undefined,
            filename: String(r.name ?? `document-${r.id}.pdf`),
            hostMetadata,
            candidate: { folderIds: folders.ancestors(folderId), tags: tagNames },
            read: async () => {
              const [d] = await client.read<{ datas: string | false }>(DOC, [r.id], ['datas'])
              const bytes = d && d.datas ? Buffer.from(d.datas, 'base64') : Buffer.alloc(0)
              return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), size: bytes.length }
            },
          })
          if ((outcome.kind === 'received' || outcome.kind === 'refused') && receivedTagId !== undefined) {
            try {
              await client.write(DOC, [r.id], { tag_ids: [[4, receivedTagId]] })
            } catch (e) {
              ctx.note(`document ${r.id}: could not add the tag "${config.receivedTag}": ${e instanceof Error ? e.message : String(e)}`)
            }
          }
          last = { writeDate: String(r.write_date), id: Number(r.id) }
          if (!cursor || last.writeDate > cursor.writeDate) cursor = last
        }
        if (cursor) await ctx.saveCursor(cursor)
        if (rows.length < pageSize) return {}
      }
      logger.debug({ sourceId: ctx.source.id }, 'odoo scan stopped at its page limit; continuing in a follow-up scan')
      return { more: true }
    },
  }
}

/** Odoo's naive UTC `YYYY-MM-DD HH:MM:SS`, shifted by some seconds. */
export function shiftOdooDate(d: string, seconds: number): string {
  const t = Date.parse(d.replace(' ', 'T') + 'Z')
  if (Number.isNaN(t)) return d
  return new Date(t + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')
}
