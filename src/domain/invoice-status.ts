/**
 * Chorus Pro invoice statuses (raw codes, ../shared/reference/chorus-pro-api.md §3.3). Stored as
 * received; unknown codes are kept too, since Chorus knows ~60 of them.
 */
export const INVOICE_STATUSES = [
  'DEPOSEE',
  'EN_COURS_ACHEMINEMENT',
  'MISE_A_DISPOSITION',
  'A_RECYCLER',
  'SUSPENDUE',
  'COMPLETEE',
  'REJETEE',
  'SERVICE_FAIT',
  'MANDATEE',
  'MISE_A_DISPOSITION_COMPTABLE',
  'COMPTABILISEE',
  'MISE_EN_PAIEMENT',
] as const
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number]

/** Statuses a person must act on: the "to process" tab. */
export const TO_PROCESS_STATUSES: readonly string[] = ['A_RECYCLER', 'SUSPENDUE', 'REJETEE']

/** Polling stops at payment, and at rejection once a person has handled it. */
export function isFinalStatus(status: string, handled: boolean): boolean {
  return status === 'MISE_EN_PAIEMENT' || (status === 'REJETEE' && handled)
}

export function needsAction(status: string, handled: boolean): boolean {
  return TO_PROCESS_STATUSES.includes(status) && !handled
}

/** Groups shown as filters in tracking. */
export const STATUS_GROUPS: Record<string, readonly string[]> = {
  in_progress: ['DEPOSEE', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION', 'COMPLETEE', 'SERVICE_FAIT', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE'],
  to_process: TO_PROCESS_STATUSES,
  paid: ['MISE_EN_PAIEMENT'],
  rejected: ['REJETEE'],
}
