/** Invoices and their history as the pages receive them from the API (GET /invoices, GET /invoices/{id}). */
export interface InvoiceItem {
  id: string
  invoiceNumber: string
  status: string
  statusAt: string
  statusComment: string | null
  recipientSiret: string | null
  recipientName: string | null
  serviceCode: string | null
  engagementNumber: string | null
  amountGross: string | null
  amountNet: string | null
  currency: string
  invoiceDate: string | null
  depositedAt: string | null
  documentId: string | null
  accountId: string | null
  toProcess: boolean
}

export interface HistoryEvent {
  id: string
  kind: string
  status: string | null
  occurredAt: string
  actor: string | null
  comment: string | null
  payload: unknown
}
