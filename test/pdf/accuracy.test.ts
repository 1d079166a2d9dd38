import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { FIELD_NAMES, mergeFields, type FieldName } from '../../src/domain/invoice-fields'
import { analysePdfLocally, type LocalPdfAnalysis } from '../../src/pdf/analyse-pdf-locally'
import { buildCorpus, type CorpusEntry } from './corpus/build-corpus'

/**
 * Reads the whole corpus (generated invoices of six layouts, three fonts, two writers, odd drawing
 * order; pdftocairo re-writes with embedded fonts; Factur-X/ZUGFeRD/UBL PDFs) and prints per-field
 * accuracy. Raise TEXT_THRESHOLD as the reader improves; the XML must always be read exactly.
 * Known gap (2026-11-21): pdfjs inserts spaces inside glyph-positioned words of the pdftocairo files
 * ("S IR E T", "M ontant HT"), so some labels are missed there; the generated corpus reads at 100%.
 */
const TEXT_THRESHOLD = 0.95
const FIELD_THRESHOLD = 0.8

const fixtures = join(import.meta.dirname, '../fixtures/pdf')

interface Scored {
  entry: { id: string; generator: string }
  expected: Partial<Record<FieldName, string>>
  analysis: LocalPdfAnalysis
  source: CorpusEntry | null
}

let scored: Scored[] = []

beforeAll(async () => {
  const corpus = await buildCorpus()
  const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, Partial<Record<FieldName, string>>>
  const cairo = Object.entries(expected).map(([file, exp]) => ({
    entry: { id: file, generator: 'pdftocairo/embedded-fonts' },
    expected: exp,
    bytes: new Uint8Array(readFileSync(join(fixtures, file))),
  }))
  const all = [...corpus.map((e) => ({ entry: e, expected: e.expectedText, bytes: e.bytes, source: e })), ...cairo.map((c) => ({ ...c, source: null }))]
  scored = []
  for (const a of all) scored.push({ entry: a.entry, expected: a.expected, source: a.source, analysis: await analysePdfLocally(a.bytes) })
}, 60_000)

describe('accuracy on the corpus', () => {
  it('has at least 30 invoices, several Factur-X (with /Kids-only and /AF-only) and a UBL one', () => {
    expect(scored.length).toBeGreaterThanOrEqual(30)
    const xml = scored.filter((s) => s.source?.xml)
    expect(xml.length).toBeGreaterThanOrEqual(5)
    expect(xml.some((s) => s.source!.xml!.via === 'kids')).toBe(true)
    expect(xml.some((s) => s.source!.xml!.via === 'af')).toBe(true)
    expect(xml.some((s) => s.source!.xml!.syntax === 'UBL')).toBe(true)
  })

  it('reads the printed text above the threshold, field by field', () => {
    const perField = new Map<FieldName, { ok: number; total: number }>()
    const misses: string[] = []
    for (const s of scored) {
      for (const f of FIELD_NAMES) {
        const exp = s.expected[f]
        const got = s.analysis.text.fields[f]?.value ?? undefined
        if (exp === undefined && got === undefined) continue
        const c = perField.get(f) ?? { ok: 0, total: 0 }
        c.total++
        if (exp === got) c.ok++
        else misses.push(`${s.entry.id} [${s.entry.generator}] ${f}: expected ${exp ?? '(none)'}, read ${got ?? '(none)'}`)
        perField.set(f, c)
      }
    }
    let ok = 0
    let total = 0
    const rows = [...perField.entries()].map(([f, c]) => {
      ok += c.ok
      total += c.total
      return { field: f, correct: c.ok, total: c.total, accuracy: `${((100 * c.ok) / c.total).toFixed(1)}%` }
    })
    console.table(rows)
    console.log(`text accuracy: ${ok}/${total} = ${((100 * ok) / total).toFixed(1)}% over ${scored.length} PDFs`)
    if (misses.length) console.log('misses:\n' + misses.join('\n'))
    expect(ok / total).toBeGreaterThanOrEqual(TEXT_THRESHOLD)
    for (const r of rows) expect(r.correct / r.total, r.field).toBeGreaterThanOrEqual(FIELD_THRESHOLD)
  })

  it('reads every Factur-X/UBL field exactly, with profile, route flag and the path it was found by', () => {
    const xmlDocs = scored.filter((s) => s.source?.expectedXml)
    let total = 0
    for (const s of xmlDocs) {
      const src = s.source!
      const xml = s.analysis.xml
      expect(xml?.found, src.id).toBe(true)
      expect(xml?.syntax, src.id).toBe(src.xml!.syntax)
      expect(xml?.profile, src.id).toBe(src.xml!.profile)
      expect(xml?.validForStructuredRoute, `${src.id} ${xml?.structuredRouteProblems.join(',')}`).toBe(src.xml!.validForStructuredRoute)
      expect(xml?.via, src.id).toBe(src.xml!.via)
      for (const f of FIELD_NAMES) {
        total++
        expect(xml?.fields[f]?.value, `${src.id} ${f}`).toBe(src.expectedXml![f])
        if (xml?.fields[f]) expect(xml.fields[f]!.origin).toBe('xml')
      }
      // What the workflow will do: XML first, text fills the rest (recipientLabel is not in the XML).
      const merged = mergeFields([s.analysis.text.fields, xml!.fields])
      for (const f of FIELD_NAMES) expect(merged[f]?.value, `${src.id} merged ${f}`).toBe(src.expectedText[f])
    }
    console.log(`Factur-X/UBL: ${xmlDocs.length} PDFs, ${total} fields read exactly`)
  })

  it('gives every text field a confidence in [0, 1] and origin text', () => {
    for (const s of scored)
      for (const v of Object.values(s.analysis.text.fields)) {
        expect(v.origin).toBe('text')
        expect(v.confidence).toBeGreaterThanOrEqual(0)
        expect(v.confidence).toBeLessThanOrEqual(1)
      }
  })
})
