import { describe, expect, it } from 'vitest'
import { checkCompleteness, type CompletenessInput, type RecipientDirectory } from '../../src/domain/completeness'
import { fieldLayer } from '../../src/domain/invoice-fields'

const dir = (over: Partial<RecipientDirectory> = {}): RecipientDirectory => ({
  found: true,
  active: true,
  serviceRequired: false,
  engagementRequired: false,
  serviceOrEngagement: false,
  services: [
    { code: 'ACHATS', active: true, engagementRequired: false },
    { code: 'OLD', active: false, engagementRequired: false },
    { code: 'TRAVAUX', active: true, engagementRequired: true },
    { code: 'FACTURES_PUBLIQUES', active: true, engagementRequired: false },
  ],
  ...over,
})

const base = { invoiceNumber: 'F-2026-0001', invoiceDate: '2026-10-01', recipientSiret: '21760000000012', amountNet: '100.00', amountVat: '20.00', amountGross: '120.00' }
const input = (fields: Record<string, string | undefined>, over: Partial<CompletenessInput> = {}): CompletenessInput => ({
  fields: fieldLayer('text', { ...base, ...fields }),
  hasAccount: true,
  directory: dir(),
  pdfSize: 10_000,
  today: '2026-11-21',
  ...over,
})
const codes = (i: CompletenessInput) => checkCompleteness(i).map((p) => p.code)

describe('completeness', () => {
  it('is ready when everything Chorus Pro checks is right', () => {
    expect(checkCompleteness(input({}))).toEqual([])
  })

  it('catches what Chorus Pro would refuse, each with its field', () => {
    expect(codes(input({ invoiceNumber: undefined }))).toEqual(['invoice_number_missing'])
    expect(codes(input({ invoiceNumber: '2026-10-01' }))).toEqual(['invoice_number_is_date'])
    expect(codes(input({ invoiceNumber: 'X'.repeat(21) }))).toEqual(['invoice_number_too_long'])
    expect(codes(input({ invoiceDate: '2026-11-22' }))).toEqual(['invoice_date_future'])
    expect(codes(input({ invoiceDate: '2026-02-30' }))).toEqual(['invoice_date_invalid'])
    expect(codes(input({ amountGross: '121.00' }))).toEqual(['amounts_inconsistent'])
    expect(codes(input({ amountVat: undefined }))).toEqual(['amount_missing'])
    expect(codes(input({ amountDue: '130.00' }))).toEqual(['amount_due_inconsistent'])
    expect(codes(input({}, { pdfSize: 11 * 1024 * 1024 }))).toEqual(['pdf_too_large'])
    expect(codes(input({}, { hasAccount: false }))).toEqual(['account_missing'])
    expect(codes(input({}, { duplicate: { where: 'chorus', chorusInvoiceId: '42' } }))).toEqual(['invoice_number_duplicate'])
    const p = checkCompleteness(input({ amountGross: '121.00' }))[0]!
    expect(p.field).toBe('amountGross')
    expect(p.message.fr).toMatch(/HT 100.00 \+ TVA 20.00/)
    expect(p.message.en).toMatch(/Net 100.00/)
  })

  it('applies the directory rules: recipient, services, engagement, either-or, reserved service', () => {
    expect(codes(input({ recipientSiret: '21760000000013' }))).toEqual(['recipient_siret_invalid'])
    expect(codes(input({}, { directory: dir({ found: false, active: false }) }))).toEqual(['recipient_unknown'])
    expect(codes(input({}, { directory: dir({ active: false }) }))).toEqual(['recipient_inactive'])
    expect(codes(input({}, { directory: undefined }))).toEqual(['directory_unavailable'])
    expect(codes(input({}, { directory: dir({ serviceRequired: true }) }))).toEqual(['service_required'])
    expect(codes(input({ serviceCode: 'ACHATS' }, { directory: dir({ serviceRequired: true }) }))).toEqual([])
    expect(codes(input({ serviceCode: 'NOPE' }))).toEqual(['service_unknown'])
    expect(codes(input({ serviceCode: 'OLD' }))).toEqual(['service_inactive'])
    expect(codes(input({ serviceCode: 'FACTURES_PUBLIQUES' }))).toEqual(['service_reserved'])
    expect(codes(input({ serviceCode: 'TRAVAUX' }))).toEqual(['engagement_required'])
    expect(codes(input({ serviceCode: 'TRAVAUX', engagementNumber: 'EJ1' }))).toEqual([])
    expect(codes(input({}, { directory: dir({ engagementRequired: true }) }))).toEqual(['engagement_required'])
    expect(codes(input({}, { directory: dir({ serviceOrEngagement: true }) }))).toEqual(['service_or_engagement_required'])
    expect(codes(input({ engagementNumber: 'EJ1' }, { directory: dir({ serviceOrEngagement: true }) }))).toEqual([])
    expect(codes(input({ engagementNumber: 'E'.repeat(51) }))).toEqual(['engagement_too_long'])
    expect(codes(input({ engagementNumber: 'EJ1' }, { engagementKnown: false }))).toEqual(['engagement_unknown'])
  })

  it('treats a deliberately cleared field as absent', () => {
    const fields = { ...fieldLayer('text', base), invoiceNumber: { value: null, origin: 'person' as const, confidence: 1 } }
    expect(checkCompleteness({ ...input({}), fields }).map((p) => p.code)).toEqual(['invoice_number_missing'])
  })
})
