import type { SecretBox } from '../../secrets/secret-box'
import type { Localized } from '../../domain/localized'
import { WriteBackGoneError, type WriteBackDocument, type WriteBackFacts, type WriteBackTarget } from '../write-back-target'
import { createOdooClient, OdooError, type OdooClient } from './odoo-client'
import { odooConnectionOf, OdooWriteBackSettings, WRITE_BACK_GROUPS, type OdooConfig, type OdooWriteBack } from './odoo-config'
import { modelSetOf, type OdooModelSet } from './odoo-source'

const DOC = 'documents.document'

/** The settings as stored, or the defaults for a source saved before write-back existed. */
export function writeBackSettingsOf(config: Partial<OdooConfig>): OdooWriteBack {
  return OdooWriteBackSettings.parse(config.writeBack ?? {})
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** A date and time as Paris reads it: 20/11/2026 14:05 (fr), 20 Nov 2026 14:05 (en). */
export function parisTime(d: Date, lang: 'fr' | 'en'): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: 'Europe/Paris', day: '2-digit', month: lang === 'fr' ? '2-digit' : 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d)
}

/**
 * The chatter note: what happened, the invoice and Chorus Pro numbers, the status, its date and, when
 * Chorus Pro gave one (a refusal, a suspension), its reason. Plain HTML, every value escaped.
 */
export function chatterNote(facts: WriteBackFacts, lang: 'fr' | 'en'): string {
  const t = (m: Localized) => m[lang]
  const title = facts.event === 'submitted'
    ? t({ fr: 'Facture déposée dans Chorus Pro', en: 'Invoice submitted to Chorus Pro' })
    : t({ fr: 'Nouveau statut Chorus Pro', en: 'New Chorus Pro status' })
  const refused = facts.group === 'rejected' || facts.group === 'to_process'
  const rows: Array<[string, string]> = [
    [t({ fr: 'Statut', en: 'Status' }), `${t(facts.label)} (${facts.status})`],
    [t({ fr: 'Date', en: 'Date' }), `${parisTime(facts.statusAt, lang)} (Europe/Paris)`],
    [t({ fr: 'Facture', en: 'Invoice' }), facts.invoiceNumber],
    [t({ fr: 'N° Chorus Pro', en: 'Chorus Pro number' }), facts.chorusInvoiceId],
  ]
  if (facts.comment) rows.push([refused ? t({ fr: 'Motif', en: 'Reason' }) : t({ fr: 'Commentaire', en: 'Comment' }), facts.comment])
  // French puts a space before the colon, English does not.
  const colon = lang === 'fr' ? ' : ' : ': '
  return `<p><b>${escapeHtml(title)}</b></p><ul>${rows.map(([k, v]) => `<li>${escapeHtml(k)}${colon}${escapeHtml(v)}</li>`).join('')}</ul>`
}

/** Whether the settings want a chatter note for this change. */
export function wantsMessage(settings: OdooWriteBack, facts: WriteBackFacts): boolean {
  const key = facts.event === 'submitted' ? 'submitted' : (facts.group ?? 'in_progress')
  return settings.messageOn.includes(key)
}

interface Tags {
  /** Ids of the configured tags that exist now, by name (lower case). */
  find(names: readonly string[]): Promise<Map<string, number>>
  create(name: string): Promise<number>
}

const idOf = (v: unknown): number => {
  const id = Array.isArray(v) ? v[0] : v
  if (typeof id !== 'number') throw new OdooError('rpc', { fr: 'Odoo n’a pas renvoyé d’identifiant', en: 'Odoo returned no id' })
  return id
}

/** v18+: documents.tag is global, its name unique. */
function globalTags(client: OdooClient): Tags {
  return {
    async find(names) {
      const rows = await client.searchRead<{ id: number; name: string }>('documents.tag', [['name', 'in', [...names]]], { fields: ['id', 'name'] })
      return new Map(rows.map((r) => [r.name.toLowerCase(), r.id]))
    },
    async create(name) {
      return idOf(await client.call('documents.tag', 'create', { params: { vals_list: [{ name }] }, positional: ['vals_list'] }))
    },
  }
}

/** v13–17: tags belong to a facet of a workspace (the document's folder); the facet is created when missing. */
async function facetTags(client: OdooClient, folderId: number, facetName: string): Promise<Tags> {
  const found = await client.searchRead<{ id: number }>('documents.facet', [['folder_id', '=', folderId], ['name', '=', facetName]], { fields: ['id'], limit: 1 })
  const facetId = found[0]?.id ?? idOf(await client.call('documents.facet', 'create', { params: { vals_list: [{ name: facetName, folder_id: folderId }] }, positional: ['vals_list'] }))
  return {
    async find(names) {
      const rows = await client.searchRead<{ id: number; name: string }>('documents.tag', [['facet_id', '=', facetId], ['name', 'in', [...names]]], { fields: ['id', 'name'] })
      return new Map(rows.map((r) => [r.name.toLowerCase(), r.id]))
    },
    async create(name) {
      return idOf(await client.call('documents.tag', 'create', { params: { vals_list: [{ name, facet_id: facetId }] }, positional: ['vals_list'] }))
    },
  }
}

/**
 * Odoo Documents as a write-back target, over the source's own client (its transport, redirect and
 * credential rules, errors): the document's tag for the new status group replaces the tag of any other
 * group (one `write` with `(3, id)` and `(4, id)` commands), and a note goes to its chatter
 * (`message_post`, `message_type='comment'`, `subtype_xmlid='mail.mt_note'`). A tag is created when
 * missing; two write-backs creating it at once (v18+ names are unique) find it on the retry.
 */
export function odooWriteBack(rawConfig: unknown, secrets: SecretBox, sourceId: string, clientFactory = createOdooClient): WriteBackTarget {
  const config = rawConfig as OdooConfig
  const settings = writeBackSettingsOf(config)
  return {
    enabled: settings.enabled,
    async apply(doc: WriteBackDocument, facts: WriteBackFacts, signal?: AbortSignal) {
      const id = Number(doc.sourceRef)
      if (!Number.isInteger(id) || id <= 0) throw new WriteBackGoneError(`not an Odoo document id: ${doc.sourceRef}`)
      const client = clientFactory(odooConnectionOf(config, secrets, sourceId, signal))
      const rows = await client.read<{ id: number; tag_ids: number[]; folder_id: [number, string] | false }>(DOC, [id], ['tag_ids', 'folder_id']).catch((e: unknown) => {
        if (e instanceof OdooError && /MissingError/.test(e.remote?.name ?? '')) return []
        throw e
      })
      const row = rows[0]
      if (!row) throw new WriteBackGoneError(`the Odoo document ${id} no longer exists (or the key's user cannot see it)`)
      const outcome: Record<string, unknown> = { documentId: id }

      if (facts.group !== null) {
        const set: OdooModelSet = modelSetOf(await client.fieldsGet(DOC, ['type', 'relation', 'selection']))
        const folderId = Array.isArray(row.folder_id) ? row.folder_id[0] : undefined
        if (set === 'v13-17' && folderId === undefined) throw new WriteBackGoneError(`the Odoo document ${id} has no workspace`)
        const tags = set === 'v18+' ? globalTags(client) : await facetTags(client, folderId!, settings.facet)
        const names = WRITE_BACK_GROUPS.map((g) => settings.tags[g])
        const wanted = settings.tags[facts.group]
        const existing = await tags.find(names)
        let tagId = existing.get(wanted.toLowerCase())
        if (tagId === undefined) {
          try {
            tagId = await tags.create(wanted)
          } catch (e) {
            // Created meanwhile by another write-back (a unique name refused): use that one.
            tagId = (await tags.find([wanted])).get(wanted.toLowerCase())
            if (tagId === undefined) throw e
          }
        }
        const others = [...existing.values()].filter((t) => t !== tagId && row.tag_ids.includes(t))
        const commands = [...others.map((t) => [3, t]), ...(row.tag_ids.includes(tagId) ? [] : [[4, tagId]])]
        if (commands.length > 0) await client.write(DOC, [id], { tag_ids: commands })
        outcome.tag = { id: tagId, name: wanted, removed: others }
      }

      if (wantsMessage(settings, facts)) {
        const posted = await client.call(DOC, 'message_post', {
          ids: [id],
          params: { body: chatterNote(facts, settings.language), body_is_html: true, message_type: 'comment', subtype_xmlid: 'mail.mt_note' },
        })
        outcome.messageId = Array.isArray(posted) ? posted[0] : posted
      }
      return { outcome }
    },
  }
}
