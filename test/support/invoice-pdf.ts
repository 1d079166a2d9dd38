import { makeSpec, type InvoiceSpec } from '../pdf/corpus/invoice-spec'
import { paint } from '../pdf/corpus/build-corpus'
import { pdfLibBytes, renderWithPdfLib } from '../pdf/corpus/painting'
import { attachXml, ciiXml } from '../pdf/corpus/facturx'
import { SANDBOX_SUPPLIER_NAME, SANDBOX_SUPPLIER_SIRET, SEED_STRUCTURES } from '../../src/sandbox'

export type { InvoiceSpec }

/**
 * A printed invoice PDF (the corpus's classic French layout) from the demo supplier to a structure of
 * the sandbox's seeded directory. `recipientIndex` picks the structure (0: no requirement, 1: service
 * required, 2: engagement required, 3: either, 4: both, 5: inactive).
 */
export interface InvoicePdfOptions {
  readonly seed: number
  readonly recipientIndex?: number
  readonly number?: string
  readonly serviceCode?: string | null
  readonly engagement?: string | null
  readonly date?: string
  readonly serviceLabel?: string | null
}

export async function invoicePdf(opts: InvoicePdfOptions): Promise<{ bytes: Uint8Array<ArrayBuffer>; spec: InvoiceSpec }> {
  const spec = invoiceSpec(opts)
  const bytes = new Uint8Array(await pdfLibBytes(paint({ seed: opts.seed, layout: 'frClassic', family: 'Helvetica', writer: 'pdf-lib', oddOrder: false, spec })))
  return { bytes, spec }
}

/** The same invoice as a Factur-X PDF (EN16931 CII embedded as factur-x.xml, name tree and /AF). */
export async function facturxPdf(opts: InvoicePdfOptions): Promise<{ bytes: Uint8Array<ArrayBuffer>; spec: InvoiceSpec }> {
  const spec = invoiceSpec(opts)
  const doc = await renderWithPdfLib(paint({ seed: opts.seed, layout: 'frClassic', family: 'Helvetica', writer: 'pdf-lib', oddOrder: false, spec }))
  await attachXml(doc, ciiXml(spec, 'EN16931'), 'factur-x.xml', 'names_and_af')
  return { bytes: new Uint8Array(await doc.save()), spec }
}

function invoiceSpec(opts: InvoicePdfOptions): InvoiceSpec {
  const s = SEED_STRUCTURES[opts.recipientIndex ?? 0]!
  const base = makeSpec(opts.seed, { lang: 'fr' })
  const spec: InvoiceSpec = {
    ...base,
    number: opts.number ?? base.number,
    date: opts.date ?? '2026-10-15',
    supplier: { name: SANDBOX_SUPPLIER_NAME, siret: SANDBOX_SUPPLIER_SIRET, address: ['1 rue du Test', '75001 Paris'] },
    recipient: { name: s.name, siret: s.siret, address: ['Hôtel de ville', '00000 Sandbox'] },
    serviceCode: opts.serviceCode === null ? undefined : (opts.serviceCode ?? base.serviceCode),
    engagement: opts.engagement === null ? undefined : (opts.engagement ?? base.engagement),
    serviceLabel: opts.serviceLabel === null ? undefined : (opts.serviceLabel ?? base.serviceLabel),
  }
  return spec
}
