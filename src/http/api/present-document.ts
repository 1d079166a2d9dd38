import { z } from '@hono/zod-openapi'
import type { DocumentRow } from '../../db/schema'
import type { DocumentSummaryRow } from '../../db/documents'
import type { FieldName } from '../../domain/invoice-fields'
import type { Lang } from '../../domain/localized'
import { documentState, DOCUMENT_STATES } from '../../domain/document-state'

const FieldSchema = z.object({ value: z.string().nullable(), origin: z.string(), confidence: z.number() })

/** The form fields a list row carries (the columns of the tabs and of a host's list). */
export const SUMMARY_FIELDS: readonly FieldName[] = ['invoiceNumber', 'invoiceType', 'invoiceDate', 'currency', 'recipientSiret', 'recipientLabel', 'amountGross']

/**
 * A document as a list shows it: the keys of DESIGN.md's document shape ("Shapes the host relies on"),
 * with `fields` limited to SUMMARY_FIELDS, and neither the host's metadata nor the size and checksum.
 * A 200-row page of whole documents was 250 KB (footprint bench, README); `?view=full` still gives
 * whole ones. The error stays whole: Chorus Pro's own words (`raw`) are short and a list shows them.
 */
export const DocumentSummarySchema = z
  .object({
    id: z.string(),
    filename: z.string(),
    stage: z.enum(['received', 'analysing', 'to_submit', 'submitting', 'submitted', 'removed']),
    state: z.enum(DOCUMENT_STATES as [string, ...string[]]),
    fields: z.record(z.string(), FieldSchema),
    problems: z.array(z.object({ code: z.string(), field: z.string().nullable(), message: z.string() })),
    error: z.object({ code: z.string(), message: z.string(), raw: z.unknown().nullable() }).nullable(),
    hasFacturX: z.boolean(),
    recipientName: z.string().nullable().openapi({ description: 'The recipient’s name in the Chorus Pro directory, when its SIRET was looked up' }),
    accountId: z.string().nullable(),
    invoiceId: z.string().nullable(),
    receivedAt: z.string(),
    sourceId: z.string(),
    sourceRef: z.string().openapi({ description: 'The host’s reference of the document (its id in the host), or sha256:… for a file without one' }),
    hasFile: z.boolean(),
    supersededBy: z.string().nullable(),
    removedAt: z.string().nullable().openapi({ description: 'When the document was removed (restorable by an admin)' }),
    removedBy: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('DocumentSummary', { description: `A list row: the fields a list shows (${SUMMARY_FIELDS.join(', ')}); the whole document is at GET /documents/{id}` })

/** The document shape of DESIGN.md ("Shapes the host relies on"): extend, never rename. */
export const DocumentSchema = DocumentSummarySchema.extend({
  size: z.number(),
  checksum: z.string(),
  hostMetadata: z.record(z.string(), z.unknown()),
  submission: z
    .object({
      auto: z.boolean().openapi({ description: 'The account submits ready documents on its own (the 10-minute sweep)' }),
      heldForPersonUntil: z.string().nullable().openapi({ description: 'A person saved the form: no automatic submission before this instant (Validate submits at once)' }),
    })
    .optional()
    .openapi({ description: 'How the document will go to Chorus Pro (GET /documents/{id} only)' }),
}).openapi('Document')

export type PresentedDocument = z.infer<typeof DocumentSchema>
export type PresentedDocumentSummary = z.infer<typeof DocumentSummarySchema>

function pickMessage(m: unknown, lang: Lang): string {
  if (typeof m === 'string') return m
  if (m && typeof m === 'object') {
    const o = m as Record<string, unknown>
    if (typeof o[lang] === 'string') return o[lang] as string
    if (typeof o.fr === 'string') return o.fr
  }
  return ''
}

/** An error stored as `{ code, message: {fr,en} | string, raw? }` (ours or the lead's submission errors), for one language. */
export function presentError(e: unknown, lang: Lang): { code: string; message: string; raw: unknown } | null {
  if (!e || typeof e !== 'object') return null
  const o = e as Record<string, unknown>
  return { code: String(o.code ?? 'error'), message: pickMessage(o.message ?? o.messages, lang), raw: o.raw ?? null }
}

function recipientNameOf(extracted: unknown): string | null {
  const name = (extracted as { info?: { recipientName?: unknown } } | null)?.info?.recipientName
  return typeof name === 'string' && name.trim() ? name : null
}

/** A list row (listDocuments' columns). */
export function presentDocumentSummary(d: DocumentSummaryRow, lang: Lang): PresentedDocumentSummary {
  const fields = (d.fields ?? {}) as PresentedDocument['fields']
  return {
    ...common(d, lang),
    fields: Object.fromEntries(SUMMARY_FIELDS.flatMap((f) => (fields[f] ? [[f, fields[f]]] : []))),
    recipientName: d.recipient_name?.trim() ? d.recipient_name : null,
  }
}

/** The whole document (the detail route, `?view=full` lists, push answers). */
export function presentDocument(d: DocumentRow, lang: Lang): PresentedDocument {
  return {
    ...common(d, lang),
    fields: (d.fields ?? {}) as PresentedDocument['fields'],
    recipientName: recipientNameOf(d.extracted),
    size: d.size,
    checksum: d.checksum,
    hostMetadata: d.host_metadata ?? {},
  }
}

function common(d: DocumentSummaryRow | DocumentRow, lang: Lang) {
  const problems = Array.isArray(d.problems) ? d.problems : []
  return {
    id: d.id,
    filename: d.filename,
    stage: d.stage,
    state: documentState(d),
    problems: problems.map((p: any) => ({ code: String(p?.code ?? 'problem'), field: p?.field ?? null, message: pickMessage(p?.message, lang) })),
    // A submission error is the more recent news when both exist.
    error: presentError(d.submit_error, lang) ?? presentError(d.analysis_error, lang),
    hasFacturX: d.has_facturx,
    accountId: d.account_id,
    invoiceId: d.invoice_id,
    receivedAt: d.received_at.toISOString(),
    sourceId: d.source_id,
    sourceRef: d.source_ref,
    hasFile: d.blob_sha256 !== null,
    supersededBy: d.superseded_by,
    removedAt: d.removed_at ? d.removed_at.toISOString() : null,
    removedBy: d.removed_by,
    updatedAt: d.updated_at.toISOString(),
  }
}
