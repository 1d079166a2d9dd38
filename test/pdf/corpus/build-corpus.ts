import type { FieldName } from '../../../src/domain/invoice-fields'
import { attachXml, ciiXml, ublXml, type AttachMode, type CiiProfile } from './facturx'
import { expectedFields, laPosteSiret, makeSpec, prng, type InvoiceSpec } from './invoice-spec'
import { commonFor, LAYOUTS, type LayoutName } from './layouts'
import { pdfLibBytes, renderWithPdfLib, shuffled, type FontFamily, type Painting } from './painting'
import { rawPdfBytes } from './raw-pdf-writer'

export interface CorpusEntry {
  readonly id: string
  /** How it was made, for the accuracy table. */
  readonly generator: string
  readonly bytes: Uint8Array
  readonly spec: InvoiceSpec
  /** What the printed text says. */
  readonly expectedText: Partial<Record<FieldName, string>>
  /** For Factur-X/UBL documents: what the XML says, read exactly. */
  readonly expectedXml?: Partial<Record<FieldName, string>>
  readonly xml?: { syntax: 'CII' | 'UBL'; profile: CiiProfile; validForStructuredRoute: boolean; via: string }
}

const FAMILIES: FontFamily[] = ['Helvetica', 'Times', 'Courier']
const LAYOUT_NAMES = Object.keys(LAYOUTS) as LayoutName[]

export interface PlainVariant {
  readonly seed: number
  readonly layout: LayoutName
  readonly family: FontFamily
  readonly writer: 'pdf-lib' | 'raw'
  readonly oddOrder: boolean
  readonly spec: InvoiceSpec
}

/** The plain (text-only) invoices: six layouts × three fonts × two writers, some drawn out of order. */
export function plainVariants(count = 36): PlainVariant[] {
  return Array.from({ length: count }, (_, i) => {
    const layout = LAYOUT_NAMES[i % LAYOUT_NAMES.length]!
    const en = layout === 'enClassic'
    const seed = 1000 + i
    let spec = makeSpec(seed, {
      lang: en ? 'en' : 'fr',
      type: i % 9 === 4 || i % 11 === 5 ? 'AVOIR' : 'FACTURE',
      ...(layout === 'frMultiPage' ? { lineCount: 35 + (i % 20) } : {}),
    })
    if (i === 7) spec = { ...spec, recipient: { ...spec.recipient, name: 'La Poste – Direction des achats', siret: laPosteSiret() } }
    if (i === 10) spec = makeSpec(seed, { lang: 'fr', prepaid: '100.00' })
    return {
      seed,
      layout,
      family: FAMILIES[Math.floor(i / LAYOUT_NAMES.length) % FAMILIES.length]!,
      writer: i % 4 === 3 ? 'raw' : 'pdf-lib',
      oddOrder: i % 5 === 2,
      spec,
    }
  })
}

export function paint(v: PlainVariant): Painting {
  const r = prng(v.seed * 7 + 1)
  const painting = LAYOUTS[v.layout](v.spec, r, commonFor(r, v.family, v.layout === 'enClassic'))
  return v.oddOrder ? { ...painting, ops: shuffled(painting.ops, prng(v.seed).next) } : painting
}

export async function plainEntry(v: PlainVariant): Promise<CorpusEntry> {
  const painting = paint(v)
  const bytes = v.writer === 'raw' ? rawPdfBytes(painting) : await pdfLibBytes(painting, { objectStreams: v.seed % 2 === 0 })
  return {
    id: `plain-${v.seed}-${v.layout}`,
    generator: `${v.writer}/${v.family}${v.oddOrder ? '/odd-order' : ''}`,
    bytes,
    spec: v.spec,
    expectedText: expectedFields(v.spec),
  }
}

interface XmlVariant {
  id: string
  seed: number
  layout: LayoutName
  syntax: 'CII' | 'UBL'
  profile: CiiProfile
  mode: AttachMode
  filename: string
  type?: 'AVOIR'
  prefixes?: { rsm: string; ram: string; udt: string }
}

const XML_VARIANTS: XmlVariant[] = [
  { id: 'facturx-en16931-names-af', seed: 2001, layout: 'frClassic', syntax: 'CII', profile: 'EN16931', mode: 'names_and_af', filename: 'factur-x.xml' },
  { id: 'facturx-en16931-kids-only', seed: 2002, layout: 'frGrid', syntax: 'CII', profile: 'EN16931', mode: 'kids', filename: 'factur-x.xml' },
  { id: 'facturx-extended-af-only', seed: 2003, layout: 'frFooterLegal', syntax: 'CII', profile: 'EXTENDED', mode: 'af', filename: 'factur-x.xml' },
  { id: 'facturx-basic-names-only', seed: 2004, layout: 'frTwoColumns', syntax: 'CII', profile: 'BASIC', mode: 'names', filename: 'factur-x.xml' },
  { id: 'facturx-basicwl-credit-note', seed: 2005, layout: 'frClassic', syntax: 'CII', profile: 'BASIC WL', mode: 'names_and_af', filename: 'factur-x.xml', type: 'AVOIR' },
  { id: 'zugferd-en16931-other-prefixes', seed: 2006, layout: 'enClassic', syntax: 'CII', profile: 'EN16931', mode: 'kids', filename: 'zugferd-invoice.xml', prefixes: { rsm: 'x', ram: 'y', udt: 'z' } },
  { id: 'facturx-minimum', seed: 2007, layout: 'frClassic', syntax: 'CII', profile: 'MINIMUM', mode: 'names_and_af', filename: 'factur-x.xml' },
  { id: 'ubl-invoice-names', seed: 2008, layout: 'enClassic', syntax: 'UBL', profile: 'EN16931', mode: 'names', filename: 'ubl-invoice.xml' },
]

/** Factur-X/ZUGFeRD (CII) and UBL PDFs: the same visual layouts with the XML embedded in every way writers do. */
export async function xmlEntries(): Promise<CorpusEntry[]> {
  const out: CorpusEntry[] = []
  for (const v of XML_VARIANTS) {
    const en = v.layout === 'enClassic'
    const spec = makeSpec(v.seed, { lang: en ? 'en' : 'fr', ...(v.type ? { type: v.type } : {}) })
    const r = prng(v.seed * 7 + 1)
    const doc = await renderWithPdfLib(LAYOUTS[v.layout](spec, r, commonFor(r, 'Helvetica', en)))
    const xml = v.syntax === 'CII' ? ciiXml(spec, v.profile, v.prefixes) : ublXml(spec)
    await attachXml(doc, xml, v.filename, v.mode)
    const expectedXml = expectedFields(spec)
    delete expectedXml.recipientLabel // not an XML field
    out.push({
      id: v.id,
      generator: `pdf-lib+${v.syntax}/${v.mode}`,
      bytes: await doc.save({ useObjectStreams: v.seed % 2 === 0 }),
      spec,
      expectedText: expectedFields(spec),
      expectedXml,
      xml: {
        syntax: v.syntax,
        profile: v.profile,
        validForStructuredRoute: v.syntax === 'CII' && (v.profile === 'EN16931' || v.profile === 'EXTENDED'),
        via: v.mode === 'af' ? 'af' : v.mode === 'kids' ? 'kids' : 'names',
      },
    })
  }
  return out
}

export async function buildCorpus(): Promise<CorpusEntry[]> {
  const plain = await Promise.all(plainVariants().map(plainEntry))
  return [...plain, ...(await xmlEntries())]
}
