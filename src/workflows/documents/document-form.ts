import { FIELD_NAMES, mergeFields, type FieldName, type FieldValue, type InvoiceFields } from '../../domain/invoice-fields'
import type { DocumentRow } from '../../db/schema'

/**
 * What `documents.extracted` holds: each reader's layer kept apart, so that a later change (a person's
 * edit, a new recipient mapping) re-merges without reading the PDF again, and every value keeps its origin.
 */
export interface ExtractedLayers {
  readonly person?: InvoiceFields
  readonly host?: InvoiceFields
  readonly mapping?: InvoiceFields
  readonly xml?: InvoiceFields
  readonly text?: InvoiceFields
  readonly chorus_ocr?: InvoiceFields
  /** Facts about the reading (pages, warnings, Factur-X profile, OCR attachment), shown to a person. */
  readonly info?: AnalysisInfo
}

/** The embedded invoice as analysis found it (analyse-document.ts writes it). */
export interface XmlInfo {
  readonly found?: boolean
  readonly profile?: string | null
  readonly validForStructuredRoute?: boolean
  readonly vatBreakdown?: ReadonlyArray<{ readonly base?: string; readonly amount?: string; readonly rate?: string }>
  readonly [more: string]: unknown
}

export interface AnalysisInfo {
  readonly xml?: XmlInfo | null
  /** The recipient's name from the directory, when the recipient was looked up. */
  readonly recipientName?: string | null
  readonly chorusAttachmentId?: number | string | null
  readonly [more: string]: unknown
}

export function layersOf(doc: Pick<DocumentRow, 'extracted' | 'fields'>): ExtractedLayers {
  const extracted = (doc.extracted ?? {}) as ExtractedLayers
  // Intake writes host values straight into `fields` (origin host) before any analysis ran.
  if (!extracted.host) {
    const host = pick(doc.fields as InvoiceFields, 'host')
    if (Object.keys(host).length) return { ...extracted, host }
  }
  return extracted
}

function pick(fields: InvoiceFields, origin: FieldValue['origin']): InvoiceFields {
  const out: Partial<Record<FieldName, FieldValue>> = {}
  for (const name of FIELD_NAMES) if (fields?.[name]?.origin === origin) out[name] = fields[name]
  return out
}

/** The submission form: the most trusted value of each field (DESIGN.md, field precedence). */
export function mergeForm(layers: ExtractedLayers): InvoiceFields {
  return mergeFields([layers.person ?? {}, layers.host ?? {}, layers.mapping ?? {}, layers.xml ?? {}, layers.text ?? {}, layers.chorus_ocr ?? {}])
}

/** A field's value, or undefined when absent or deliberately cleared. */
export function valueOf(fields: InvoiceFields, name: FieldName): string | undefined {
  const v = fields[name]?.value
  return v === null || v === undefined || v.trim() === '' ? undefined : v.trim()
}
