/**
 * The sample invoices of README "Try it" (samples/*.pdf): printed PDFs from the sandbox's demo supplier to
 * the sandbox's seeded recipients, each showing one path through the tabs. Run `npx tsx scripts/make-samples.ts`
 * to make them again (the same bytes each time: the corpus painter is seeded).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { invoicePdf, type InvoicePdfOptions } from '../test/support/invoice-pdf'

const SAMPLES: ReadonlyArray<{ file: string; pdf: InvoicePdfOptions }> = [
  // Complete: the demo account submits it on its own; paid about a minute later (sandbox clock).
  { file: 'facture-F-2026-0001-complete.pdf', pdf: { seed: 9001, recipientIndex: 0, number: 'F-2026-0001', serviceCode: 'SERV_TECH', engagement: null } },
  // Red in To submit: the recipient requires a service code the invoice does not print (choose ACHATS).
  { file: 'facture-F-2026-0002-sans-service.pdf', pdf: { seed: 9002, recipientIndex: 1, number: 'F-2026-0002', serviceCode: null, engagement: null, serviceLabel: null } },
  // The sandbox's outcome rules by invoice number: RECYCL → A_RECYCLER, SUSPEN → SUSPENDUE, REJET → REJETEE.
  { file: 'facture-F-2026-RECYCL-0003.pdf', pdf: { seed: 9003, recipientIndex: 0, number: 'F-2026-RECYCL-0003', serviceCode: 'SERV_TECH', engagement: null } },
  { file: 'facture-F-2026-SUSPEN-0004.pdf', pdf: { seed: 9004, recipientIndex: 0, number: 'F-2026-SUSPEN-0004', serviceCode: 'SERV_TECH', engagement: null } },
  { file: 'facture-F-2026-REJET-0005.pdf', pdf: { seed: 9005, recipientIndex: 0, number: 'F-2026-REJET-0005', serviceCode: 'SERV_TECH', engagement: null } },
]

const dir = join(import.meta.dirname, '..', 'samples')
mkdirSync(dir, { recursive: true })
for (const s of SAMPLES) {
  const { bytes } = await invoicePdf(s.pdf)
  writeFileSync(join(dir, s.file), bytes)
  console.log(`samples/${s.file} (${bytes.length} bytes)`)
}
