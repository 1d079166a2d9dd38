import { z } from '@hono/zod-openapi'
import type { InvoiceRow } from '../../db/schema'
import { describeStatus } from '../../domain/invoice-status'
import { parisDay, whenOf } from '../../domain/deposit-date'

/** DESIGN.md "Shapes the host relies on": an invoice. Extend, never rename. */
export const InvoiceSchema = z
  .object({
    id: z.string(),
    chorusInvoiceId: z.string(),
    invoiceNumber: z.string(),
    invoiceType: z.string(),
    status: z.string().openapi({ description: 'Chorus Pro status code, raw', example: 'MISE_A_DISPOSITION' }),
    statusLabel: z.object({ fr: z.string(), en: z.string() }).openapi({ description: 'The status as a person reads it; the raw code when Chorus Pro sent one the connector does not know' }),
    statusGroup: z.enum(['in_progress', 'to_process', 'paid', 'rejected', 'closed']).nullable().openapi({ description: 'Null for a status code the connector does not know (kept and shown raw)' }),
    statusKnown: z.boolean(),
    statusAt: z.string(),
    statusComment: z.string().nullable(),
    recipientSiret: z.string().nullable(),
    recipientName: z.string().nullable(),
    serviceCode: z.string().nullable(),
    engagementNumber: z.string().nullable(),
    currency: z.string(),
    amountNet: z.string().nullable().openapi({ example: '1234.56' }),
    amountVat: z.string().nullable(),
    amountGross: z.string().nullable(),
    amountDue: z.string().nullable(),
    invoiceDate: z.string().nullable().openapi({ example: '2026-11-20' }),
    depositedAt: z.string().nullable().openapi({ description: 'When it was deposited: an ISO instant when the time is known (our own submission), else the Paris day alone (YYYY-MM-DD): Chorus Pro gives only a day for invoices deposited elsewhere, and no time is made up', example: '2026-11-21' }),
    depositedOn: z.string().nullable().openapi({ description: 'The day it was deposited (Paris), always a date', example: '2026-11-21' }),
    depositTimeKnown: z.boolean().openapi({ description: 'Whether depositedAt carries a known time' }),
    flowNumber: z.string().nullable(),
    documentId: z.string().nullable().openapi({ description: 'Null when the invoice was submitted outside the connector' }),
    accountId: z.string(),
    toProcess: z.boolean(),
    handled: z.boolean(),
    handling: z.unknown().nullable(),
    final: z.boolean(),
  })
  .openapi('Invoice')

export function presentInvoice(r: InvoiceRow) {
  const status = describeStatus(r.status)
  return {
    id: r.id,
    chorusInvoiceId: String(r.chorus_invoice_id),
    invoiceNumber: r.invoice_number,
    invoiceType: r.invoice_type,
    status: r.status,
    statusLabel: status.label,
    statusGroup: status.group,
    statusKnown: status.known,
    statusAt: r.status_at.toISOString(),
    statusComment: r.status_comment,
    recipientSiret: r.recipient_siret,
    recipientName: r.recipient_name,
    serviceCode: r.service_code,
    engagementNumber: r.engagement_number,
    currency: r.currency,
    amountNet: r.amount_net,
    amountVat: r.amount_vat,
    amountGross: r.amount_gross,
    amountDue: r.amount_due,
    invoiceDate: r.invoice_date,
    ...deposit(r.deposited_at),
    flowNumber: r.flow_number,
    documentId: r.document_id,
    accountId: r.account_id,
    toProcess: r.to_process,
    handled: r.handled,
    handling: r.handling ?? null,
    final: r.final,
  }
}

export const InvoiceEventSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ description: '`status` (from Chorus Pro history) or `action` (a person or the system acted)' }),
    status: z.string().nullable(),
    occurredAt: z.string(),
    actor: z.string().nullable(),
    comment: z.string().nullable(),
    payload: z.unknown().nullable(),
  })
  .openapi('InvoiceEvent')

export function presentEvent(e: { id: string; kind: string; status: string | null; occurred_at: Date; actor: string | null; comment: string | null; payload: unknown }) {
  return { id: e.id, kind: e.kind, status: e.status, occurredAt: e.occurred_at.toISOString(), actor: e.actor, comment: e.comment, payload: e.payload ?? null }
}

/** A stored deposit as the API gives it: a known time as an instant, a bare day as a date (domain/deposit-date.ts). */
function deposit(at: Date | null): { depositedAt: string | null; depositedOn: string | null; depositTimeKnown: boolean } {
  if (!at) return { depositedAt: null, depositedOn: null, depositTimeKnown: false }
  const when = whenOf(at)
  return when.kind === 'date'
    ? { depositedAt: when.date, depositedOn: when.date, depositTimeKnown: false }
    : { depositedAt: when.at.toISOString(), depositedOn: parisDay(when.at), depositTimeKnown: true }
}
