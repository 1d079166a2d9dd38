/**
 * The fields of a submission form, each with where it came from and how sure the reader was.
 * Several readers fill the same fields (embedded XML, PDF text, Chorus Pro OCR, recipient mappings,
 * host metadata, a person's edits); `mergeFields` keeps, per field, the value of the most trusted
 * origin, so every reader can stay simple and the merge rule lives in one pure place (DESIGN.md,
 * "Field precedence").
 */
import type { Localized } from './localized'

export const FIELD_NAMES = [
  'invoiceNumber',
  'invoiceType',
  /** Chorus Pro's cadre de facturation, as its API code (domain/billing-framework.ts); absent means A1. */
  'billingFramework',
  'invoiceDate',
  'currency',
  'supplierSiret',
  'recipientSiret',
  'recipientLabel',
  'serviceCode',
  'engagementNumber',
  'amountNet',
  'amountVat',
  'amountGross',
  'amountDue',
] as const
export type FieldName = (typeof FIELD_NAMES)[number]

/**
 * Origins, most trusted first. A person's edit beats everything; host metadata and mappings are
 * deliberate associations; the embedded XML is structured data the supplier signed off; text is a
 * heuristic reading; Chorus Pro OCR reads the same page with less context, so it only fills gaps.
 */
export const FIELD_ORIGINS = ['person', 'host', 'mapping', 'xml', 'text', 'chorus_ocr'] as const
export type FieldOrigin = (typeof FIELD_ORIGINS)[number]

export type InvoiceType = 'FACTURE' | 'AVOIR'

export interface FieldValue {
  /**
   * The value as the form needs it (amounts "1234.56", dates YYYY-MM-DD, SIRET 14 digits).
   * `null` is a deliberate "no value" (a person cleared a wrongly read field): it wins like a value,
   * so a cleared field does not come back from a less trusted reader.
   */
  readonly value: string | null
  readonly origin: FieldOrigin
  /** 0..1; 1 for values nobody guessed (person, host, XML). */
  readonly confidence: number
}

/** One reader's output, or the merged form: a field is absent when nobody said anything about it. */
export type InvoiceFields = Partial<Record<FieldName, FieldValue>>

/** Rank of an origin in the precedence order: 0 is the most trusted. */
export function originRank(origin: FieldOrigin): number {
  return FIELD_ORIGINS.indexOf(origin)
}

export function isFieldName(v: unknown): v is FieldName {
  return typeof v === 'string' && (FIELD_NAMES as readonly string[]).includes(v)
}

/**
 * Builds a layer from plain values, for the readers that have no per-field confidence (person, host,
 * mapping). `undefined` and '' are skipped (nothing said); `null` is kept (deliberately empty).
 */
export function fieldLayer(
  origin: FieldOrigin,
  values: Partial<Record<FieldName, string | null | undefined>>,
  confidence = 1,
): InvoiceFields {
  const out: Partial<Record<FieldName, FieldValue>> = {}
  for (const name of FIELD_NAMES) {
    const v = values[name]
    if (v === undefined || v === '') continue
    out[name] = { value: v, origin, confidence }
  }
  return out
}

/**
 * Merges layers field by field: the most trusted origin wins; between two values of the same origin,
 * the higher confidence wins, then the earlier layer. Pure; the order of layers only breaks exact ties.
 * A stray entry whose origin is unknown is ignored rather than trusted.
 */
export function mergeFields(layers: readonly InvoiceFields[]): InvoiceFields {
  const out: Partial<Record<FieldName, FieldValue>> = {}
  for (const name of FIELD_NAMES) {
    let best: FieldValue | undefined
    for (const layer of layers) {
      const candidate = layer[name]
      if (!candidate || originRank(candidate.origin) < 0) continue
      if (candidate.value === '') continue
      if (!best || isBetter(candidate, best)) best = candidate
    }
    if (best) out[name] = best
  }
  return out
}

function isBetter(a: FieldValue, b: FieldValue): boolean {
  const ra = originRank(a.origin)
  const rb = originRank(b.origin)
  if (ra !== rb) return ra < rb
  return a.confidence > b.confidence
}

export interface FieldDisagreement {
  readonly field: FieldName
  readonly kept: FieldValue
  readonly other: FieldValue
}

/**
 * Where a less trusted reader read something else than the kept value (e.g. the XML says one
 * recipient SIRET, the printed page another): worth showing to the person, never decided silently.
 */
export function fieldDisagreements(layers: readonly InvoiceFields[]): FieldDisagreement[] {
  const merged = mergeFields(layers)
  const out: FieldDisagreement[] = []
  for (const name of FIELD_NAMES) {
    const kept = merged[name]
    if (!kept || kept.value === null) continue
    for (const layer of layers) {
      const other = layer[name]
      if (!other || other === kept || other.value === null || other.value === '') continue
      if (normalizeForCompare(other.value) !== normalizeForCompare(kept.value)) out.push({ field: name, kept, other })
    }
  }
  return out
}

function normalizeForCompare(v: string): string {
  return v.replace(/[\s\u00a0\u202f]/g, '').toUpperCase()
}

export const ORIGIN_LABELS: Record<FieldOrigin, Localized> = {
  person: { fr: 'saisie manuelle', en: 'edited by a person' },
  host: { fr: 'métadonnées de la GED', en: 'host metadata' },
  mapping: { fr: 'correspondance destinataire', en: 'recipient mapping' },
  xml: { fr: 'XML Factur-X/UBL intégré', en: 'embedded Factur-X/UBL XML' },
  text: { fr: 'texte du PDF', en: 'PDF text' },
  chorus_ocr: { fr: 'OCR Chorus Pro', en: 'Chorus Pro OCR' },
}
