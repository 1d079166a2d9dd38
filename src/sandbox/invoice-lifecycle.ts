/**
 * How sandbox invoices move, on an accelerated clock (reference §7): DEPOSEE → EN_COURS_ACHEMINEMENT →
 * MISE_A_DISPOSITION → SERVICE_FAIT → MANDATEE → MISE_EN_PAIEMENT, or a branch that stops at
 * A_RECYCLER (recycler → DEPOSEE), SUSPENDUE (completer → COMPLETEE) or REJETEE (final). Statuses are
 * computed lazily when an invoice is read, so 10,000 invoices cost no timers.
 */
export type BranchStatus = 'A_RECYCLER' | 'SUSPENDUE' | 'REJETEE'

export interface PlannedStep {
  readonly code: string
  readonly comment?: string
}

export interface StatusEntry {
  readonly id: number
  readonly code: string
  readonly at: number
  readonly comment: string | undefined
}

export interface Lifecycle {
  history: StatusEntry[]
  /** Steps still to come, one per `stepMs`. */
  plan: PlannedStep[]
  nextAt: number
}

export const NORMAL_PATH = ['EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MANDATEE', 'MISE_EN_PAIEMENT'] as const

/** A rule that sends matching invoices into a branch. The first matching rule wins. */
export interface OutcomeRule {
  /** A regular expression (source, case-insensitive) tested on the invoice number. */
  readonly numeroFacture?: string
  /** Exact recipient SIRET. */
  readonly codeDestinataire?: string
  /** A share of invoices, 0..1, picked by a hash of the invoice number (deterministic: same number, same fate). */
  readonly rate?: number
  readonly status: BranchStatus
  readonly comment?: string
}

/** Default: everything progresses normally, except invoice numbers that ask for a branch by name. */
export const DEFAULT_OUTCOME_RULES: readonly OutcomeRule[] = [
  { numeroFacture: 'RECYCL', status: 'A_RECYCLER', comment: "Numéro d'engagement ou code service erroné : merci de recycler la facture." },
  { numeroFacture: 'SUSPEN', status: 'SUSPENDUE', comment: 'Pièce justificative manquante : merci de compléter la facture.' },
  { numeroFacture: 'REJET', status: 'REJETEE', comment: 'Données de facturation erronées : facture rejetée.' },
]

const BRANCH_COMMENT: Record<BranchStatus, string> = {
  A_RECYCLER: 'Données d’acheminement erronées.',
  SUSPENDUE: 'Pièce justificative manquante.',
  REJETEE: 'Facture rejetée par le destinataire.',
}

/** FNV-1a of the invoice number mapped to [0, 1). */
export function stableFraction(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) / 0x1_0000_0000
}

export function pickBranch(rules: readonly OutcomeRule[], invoice: { numeroFacture: string; codeDestinataire: string }): OutcomeRule | undefined {
  return rules.find((r) => {
    if (r.numeroFacture !== undefined && !new RegExp(r.numeroFacture, 'i').test(invoice.numeroFacture)) return false
    if (r.codeDestinataire !== undefined && r.codeDestinataire !== invoice.codeDestinataire) return false
    if (r.rate !== undefined && stableFraction(invoice.numeroFacture) >= r.rate) return false
    return true
  })
}

export function planFor(branch: OutcomeRule | undefined): PlannedStep[] {
  const step = (code: string, comment?: string): PlannedStep => (comment ? { code, comment } : { code })
  if (!branch) return NORMAL_PATH.map((c) => step(c))
  const comment = branch.comment ?? BRANCH_COMMENT[branch.status]
  if (branch.status === 'A_RECYCLER') return [step('EN_COURS_ACHEMINEMENT'), step('A_RECYCLER', comment)]
  return [step('EN_COURS_ACHEMINEMENT'), step('MISE_A_DISPOSITION'), step(branch.status, comment)]
}

/** After a manual status change: continue along the normal path if the status is on it, else wait for an action. */
export function planAfter(code: string): PlannedStep[] {
  const i = (NORMAL_PATH as readonly string[]).indexOf(code)
  if (code === 'DEPOSEE') return NORMAL_PATH.map((c) => ({ code: c }))
  if (code === 'COMPLETEE') return NORMAL_PATH.slice(1).map((c) => ({ code: c }))
  return i >= 0 ? NORMAL_PATH.slice(i + 1).map((c) => ({ code: c })) : []
}

export function currentStatus(l: Lifecycle): StatusEntry {
  return l.history[l.history.length - 1]!
}
