import type { Logger } from 'pino'
import type { SourceAdapter, ScanContext } from '../source-adapter'
import type { SecretBox } from '../../secrets/secret-box'
import type { RuleMatch } from '../../domain/filing-rule'
import { bilingual, createOdooClient, domainAnd, domainOr, OdooError, type Domain, type OdooClient, type OdooField } from './odoo-client'
import { odooConnectionOf, type OdooConfig } from './odoo-config'

export type OdooModelSet = 'v13-17' | 'v18+'

export interface OdooCursor {
  readonly writeDate: string
  readonly id: number
}

const DOC = 'documents.document'
/** Read when the server has them (fields_get): none is assumed, v19 removed some fields and may remove more. */
const BASE_FIELDS = ['id', 'name', 'folder_id', 'tag_ids', 'checksum', 'mimetype', 'file_size', 'write_date', 'create_date', 'partner_id', 'owner_id']
/** Without these the source cannot work at all. */
const REQUIRED_FIELDS = ['name', 'folder_id', 'tag_ids', 'type', 'mimetype', 'write_date', 'datas']

/**
 * v18 made folders `documents.document` rows (`type = 'folder'`); before, they were `documents.folder`.
 * `fields_get` tells which: the `type` selection offers `folder` only from 18 on. Odoo 19 and 20 keep
 * the v18 model set (a global Inbox folder with no parent; `is_company_root_folder` removed, which
 * this source never reads).
 */
export function modelSetOf(fields: Record<string, OdooField>): OdooModelSet {
  const types = (fields.type?.selection ?? []).map(([v]) => v)
  if (types.includes('folder') || fields.folder_id?.relation === DOC) return 'v18+'
  return 'v13-17'
}

export async function detectModelSet(client: OdooClient): Promise<OdooModelSet> {
  return modelSetOf(await client.fieldsGet(DOC, ['type', 'relation', 'selection']))
}

interface Folders {
  has(id: number): boolean
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
    has: (id) => names.has(id),
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
      const client = clientFactory(odooConnectionOf(config, secrets, ctx.source.id, ctx.signal))
      await client.authenticate()
      const docFields = await client.fieldsGet(DOC, ['type', 'relation', 'selection'])
      const lacking = REQUIRED_FIELDS.filter((f) => !(f in docFields))
      if (lacking.length > 0) {
        throw new OdooError('config', {
          fr: `Le modèle ${DOC} de cet Odoo n'a pas le(s) champ(s) ${lacking.join(', ')} : version de Documents non prise en charge`,
          en: `This Odoo's ${DOC} has no field ${lacking.join(', ')}: a Documents version this source does not support`,
        })
      }
      const set = modelSetOf(docFields)
      const protocol = await client.protocol()
      logger.debug({ sourceId: ctx.source.id, protocol, modelSet: set }, 'odoo source connected')
      const folders = await loadFolders(client, set)
      if (config.rootFolderId !== undefined && !folders.has(config.rootFolderId)) {
        throw new OdooError('config', {
          fr: `Le dossier Odoo ${config.rootFolderId} (rootFolderId) n'existe pas ou l'utilisateur de la clé API ne le voit pas : indiquez l'id d'un dossier de Documents`,
          en: `The Odoo folder ${config.rootFolderId} (rootFolderId) does not exist or the API key's user cannot see it: give the id of a Documents folder`,
        })
      }
      const tags = await client.searchRead<{ id: number; name: string }>('documents.tag', [], { fields: ['id', 'name'] })
      const tagName = new Map(tags.map((t) => [t.id, t.name]))
      const tagId = new Map(tags.map((t) => [t.name.toLowerCase(), t.id]))

      let receivedTagId: number | undefined
      if (config.receivedTag) {
        receivedTagId = tagId.get(config.receivedTag.toLowerCase())
        if (receivedTagId === undefined) {
          ctx.note(bilingual({
            fr: `l'étiquette « ${config.receivedTag} » n'existe pas dans Odoo : créez-la ; en attendant les documents ne sont pas étiquetés`,
            en: `the tag "${config.receivedTag}" does not exist in Odoo: create it, documents are not tagged meanwhile`,
          }))
        }
      }

      const base: Domain[] = [[['type', '=', 'binary']], [['mimetype', '=', 'application/pdf']]]
      if ('shortcut_document_id' in docFields) base.push([['shortcut_document_id', '=', false]])
      if (config.rootFolderId) base.push([['folder_id', 'child_of', config.rootFolderId]])
      const enabled = ctx.rules.filter((r) => r.enabled)
      for (const r of enabled) {
        const unknownTags = [...(r.match.tags?.all ?? []), ...(r.match.tags?.any ?? []), ...(r.match.tags?.none ?? [])].filter((n) => !tagId.has(n.toLowerCase()))
        if (unknownTags.length > 0) {
          const list = unknownTags.map((n) => `"${n}"`).join(', ')
          ctx.note(bilingual({ fr: `la règle « ${r.name} » nomme des étiquettes absentes d'Odoo : ${list}`, en: `the rule "${r.name}" names tags Odoo does not have: ${list}` }))
        }
        if (r.match.folderId !== undefined && !folders.has(r.match.folderId)) {
          ctx.note(bilingual({ fr: `la règle « ${r.name} » nomme le dossier Odoo ${r.match.folderId}, inconnu ou invisible pour l'utilisateur de la clé`, en: `the rule "${r.name}" names the Odoo folder ${r.match.folderId}, unknown or hidden from the key's user` }))
        }
      }
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
      const wanted = [...new Set([...BASE_FIELDS, ...(config.metadataFields ?? [])])]
      const fields = wanted.filter((f) => f === 'id' || f in docFields)
      const absent = (config.metadataFields ?? []).filter((f) => !(f in docFields))
      if (absent.length > 0) ctx.note(bilingual({ fr: `champ(s) absent(s) de ${DOC} dans Odoo, non lus : ${absent.join(', ')}`, en: `field(s) ${DOC} does not have in Odoo, not read: ${absent.join(', ')}` }))
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
            odooProtocol: protocol,
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
              const why = e instanceof Error ? e.message : String(e)
              ctx.note(bilingual({ fr: `document ${r.id} : l'étiquette « ${config.receivedTag} » n'a pas pu être ajoutée`, en: `document ${r.id}: could not add the tag "${config.receivedTag}"` }) + ` (${why})`)
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
