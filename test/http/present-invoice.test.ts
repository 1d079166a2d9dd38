import { describe, expect, it } from 'vitest'
import { presentInvoice } from '../../src/http/api/present-invoice'
import { depositedAt } from '../../src/domain/deposit-date'
import type { InvoiceRow } from '../../src/db/schema'

const row = (deposited_at: Date | null) =>
  ({
    id: '1', chorus_invoice_id: '42', invoice_number: 'F-1', invoice_type: 'FACTURE', status: 'DEPOSEE', status_at: new Date('2026-11-21T09:00:00Z'),
    status_comment: null, recipient_siret: '11000000000015', recipient_name: null, service_code: null, engagement_number: null, currency: 'EUR',
    amount_net: '100.00', amount_vat: '20.00', amount_gross: '120.00', amount_due: '120.00', invoice_date: '2026-11-20', deposited_at,
    flow_number: null, document_id: null, account_id: '1', to_process: false, handled: false, handling: null, final: false,
  }) as unknown as InvoiceRow

describe('an invoice’s deposit in the API (issue 17: no invented time)', () => {
  it('gives a day Chorus Pro gave alone as a date, with depositTimeKnown false', () => {
    expect(presentInvoice(row(depositedAt('2026-11-21', null)))).toMatchObject({ depositedAt: '2026-11-21', depositedOn: '2026-11-21', depositTimeKnown: false })
  })

  it('gives a known moment as an instant and its Paris day', () => {
    // 23:30 UTC on the 21st is already the 22nd in Paris.
    const known = new Date('2026-11-21T23:30:00.000Z')
    expect(presentInvoice(row(depositedAt('2026-11-22', known)))).toMatchObject({ depositedAt: '2026-11-21T23:30:00.000Z', depositedOn: '2026-11-22', depositTimeKnown: true })
  })

  it('gives nothing when nothing is known', () => {
    expect(presentInvoice(row(null))).toMatchObject({ depositedAt: null, depositedOn: null, depositTimeKnown: false })
  })
})
