/**
 * Filing rules: which documents of a source enter the connector, and with what. Pure: the adapters
 * describe each candidate (its path or host folder, tags, filename, host metadata) and the first
 * enabled rule, by position, that matches wins. A source without any rule takes every document
 * (so the default inbox works from the first start); once a source has rules, a document that
 * matches none is skipped and counted.
 */
import { FIELD_NAMES, type FieldName, type InvoiceFields } from './invoice-fields'

export type MetadataOp = 'equals' | 'notEquals' | 'in' | 'exists' | 'missing' | 'matches'

export interface MetadataPredicate {
  readonly field: string
  readonly op: MetadataOp
  readonly value?: string | number | boolean | ReadonlyArray<string | number> | undefined
}

export interface RuleMatch {
  /** Folder source: a glob on the file's path relative to the watched root ("clients/**", "*.pdf"). */
  readonly path?: string | undefined
  /** Odoo: a folder (workspace) id; documents in it or in any of its sub-folders match (`child_of`). */
  readonly folderId?: number | undefined
  /** Tag names: every tag of `all`, at least one of `any`, none of `none`. */
  readonly tags?: { readonly all?: readonly string[] | undefined; readonly any?: readonly string[] | undefined; readonly none?: readonly string[] | undefined } | undefined
  /** A glob on the file name alone, case-insensitive ("FAC-*.pdf"). */
  readonly filename?: string | undefined
  readonly metadata?: readonly MetadataPredicate[] | undefined
}

export interface FilingRule {
  readonly id: string
  readonly name: string
  readonly position: number
  readonly enabled: boolean
  readonly match: RuleMatch
  readonly accountId: string | null
  /** host metadata field -> our field name */
  readonly metadataMap: Readonly<Record<string, string>>
}

export interface Candidate {
  readonly filename: string
  /** Folder source: path relative to the watched root, with `/` separators. */
  readonly path?: string | undefined
  /** Odoo: the document's folder and all its ancestors. */
  readonly folderIds?: readonly number[] | undefined
  readonly tags?: readonly string[] | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

export type RuleDecision = { readonly take: true; readonly rule: FilingRule | null } | { readonly take: false; readonly reason: 'no_rule_matched' }

export function chooseRule(candidate: Candidate, rules: readonly FilingRule[]): RuleDecision {
  const enabled = rules.filter((r) => r.enabled).sort((a, b) => a.position - b.position || Number(a.id) - Number(b.id))
  if (rules.length === 0) return { take: true, rule: null }
  for (const r of enabled) if (ruleMatches(candidate, r.match)) return { take: true, rule: r }
  return { take: false, reason: 'no_rule_matched' }
}

export function ruleMatches(c: Candidate, m: RuleMatch): boolean {
  if (m.path !== undefined && !(c.path !== undefined && globToRegExp(m.path).test(c.path))) return false
  if (m.folderId !== undefined && !(c.folderIds ?? []).includes(m.folderId)) return false
  if (m.filename !== undefined && !globToRegExp(m.filename, true).test(c.filename)) return false
  if (m.tags) {
    const have = new Set((c.tags ?? []).map((t) => t.toLowerCase()))
    const has = (t: string) => have.has(t.toLowerCase())
    if (m.tags.all && !m.tags.all.every(has)) return false
    if (m.tags.any && m.tags.any.length > 0 && !m.tags.any.some(has)) return false
    if (m.tags.none && m.tags.none.some(has)) return false
  }
  for (const p of m.metadata ?? []) if (!predicateHolds(c.metadata ?? {}, p)) return false
  return true
}

function lookup(meta: Readonly<Record<string, unknown>>, field: string): unknown {
  if (field in meta) return meta[field]
  // Dotted paths reach into nested host metadata ("partner.name").
  let v: unknown = meta
  for (const part of field.split('.')) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[part]
  }
  return v
}

const asText = (v: unknown): string | undefined => (v === null || v === undefined || v === false ? undefined : Array.isArray(v) ? undefined : String(v))

function predicateHolds(meta: Readonly<Record<string, unknown>>, p: MetadataPredicate): boolean {
  const v = lookup(meta, p.field)
  const text = asText(v)
  switch (p.op) {
    case 'exists':
      return text !== undefined && text !== ''
    case 'missing':
      return text === undefined || text === ''
    case 'equals':
      return text !== undefined && text === String(p.value)
    case 'notEquals':
      return text === undefined || text !== String(p.value)
    case 'in':
      return text !== undefined && Array.isArray(p.value) && p.value.map(String).includes(text)
    case 'matches':
      try {
        return text !== undefined && new RegExp(String(p.value), 'i').test(text)
      } catch {
        return false
      }
  }
}

/**
 * A glob as people write them: `*` stays within one path segment, `**` crosses segments, `?` is one
 * character. A pattern without `/` on a path matches the last segment too ("*.pdf" matches "a/b.pdf"
 * only when anchored at any depth is meant, so we do not: use "**\/*.pdf").
 */
export function globToRegExp(glob: string, caseInsensitive = false): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        i++
        if (glob[i + 1] === '/') {
          i++
          re += '(?:.*/)?'
        } else re += '.*'
      } else re += '[^/]*'
    } else if (ch === '?') re += '[^/]'
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'iu' : 'u')
}

/** The fields a metadata association may fill (everything but those the PDF alone decides). */
export const MAPPABLE_FIELDS: readonly FieldName[] = [
  'invoiceNumber', 'invoiceType', 'invoiceDate', 'currency', 'recipientSiret', 'recipientLabel', 'serviceCode',
  'engagementNumber', 'amountNet', 'amountVat', 'amountGross', 'amountDue', 'supplierSiret',
]

export function isMappableField(v: string): v is FieldName {
  return (MAPPABLE_FIELDS as readonly string[]).includes(v) && (FIELD_NAMES as readonly string[]).includes(v)
}

/**
 * Host metadata through the rule's association, as `host` fields. Values are kept as the host wrote
 * them, trimmed (the analysis normalises and checks them like any other origin); empty ones are skipped.
 */
export function mapHostMetadata(metadata: Readonly<Record<string, unknown>>, map: Readonly<Record<string, string>>): InvoiceFields {
  const out: Record<string, { value: string; origin: 'host'; confidence: number }> = {}
  for (const [hostField, ours] of Object.entries(map)) {
    if (!isMappableField(ours)) continue
    const v = lookup(metadata, hostField)
    const text = typeof v === 'number' ? String(v) : Array.isArray(v) ? (v.length === 2 && typeof v[1] === 'string' ? v[1] : undefined) : asText(v)
    if (text === undefined || text.trim() === '') continue
    out[ours] = { value: text.trim(), origin: 'host', confidence: 1 }
  }
  return out as InvoiceFields
}
