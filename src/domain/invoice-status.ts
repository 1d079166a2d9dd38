import type { Localized } from './localized'

/**
 * Chorus Pro invoice statuses (`statutFacture`, `statut`, `statutCourantCode`): the full enumeration of
 * the published PHP client (turbo124/piste-gouv-fr `src/Api/ChorusPro/Type/IStatutFacture.php`, 57
 * codes, reference §3.3 and "Updates checked 2026-11"), each with a French and an English label, a group
 * and whether it is final (polling stops). Statuses are stored raw as received; a code missing here (the
 * list may have grown in 2025–2026, the reference cannot tell) is kept and shown raw: see `describeStatus`.
 *
 * Groups: `in_progress` (on its way, nothing to do), `to_process` (the supplier must act: in the connector
 * for A_RECYCLER and SUSPENDUE, on the Chorus Pro portal for the others), `paid`, `rejected` (refused; a
 * new invoice or a credit note is needed), `closed` (ended without payment: abandoned, deleted, replaced).
 *
 * Where the reference gives no meaning (the works-contract states `*_MOE`, `*_MOA`, the validator states
 * `*_1`, `*_2`), the labels follow the code's own words, and such statuses are never final, so that the
 * invoice keeps being polled (with its back-off) rather than being dropped on a guess.
 */
export type StatusGroup = 'in_progress' | 'to_process' | 'paid' | 'rejected' | 'closed'

export interface StatusInfo {
  readonly label: Localized
  readonly group: StatusGroup
  /** Polling stops at a final status (REJETEE only once a person has handled it: see isFinalStatus). */
  readonly final: boolean
}

const s = (fr: string, en: string, group: StatusGroup, final = false): StatusInfo => ({ label: { fr, en }, group, final })

export const INVOICE_STATUS_INFO = {
  // The supplier's usual path (reference §3.3).
  DEPOSEE: s('Déposée', 'Deposited', 'in_progress'),
  EN_COURS_ACHEMINEMENT: s('En cours d’acheminement', 'Being routed', 'in_progress'),
  MISE_A_DISPOSITION: s('Mise à disposition', 'Made available', 'in_progress'),
  PRISE_EN_COMPTE_DESTINATAIRE: s('Prise en compte par le destinataire', 'Taken into account by the recipient', 'in_progress'),
  A_RECYCLER: s('À recycler', 'To recycle', 'to_process'),
  SUSPENDUE: s('Suspendue', 'Suspended', 'to_process'),
  COMPLETEE: s('Complétée', 'Completed', 'in_progress'),
  REJETEE: s('Rejetée', 'Rejected', 'rejected'),
  SERVICE_FAIT: s('Service fait', 'Service done', 'in_progress'),
  MANDATEE: s('Mandatée', 'Mandated', 'in_progress'),
  MISE_A_DISPOSITION_COMPTABLE: s('Mise à disposition comptable', 'Made available to accounting', 'in_progress'),
  COMPTABILISEE: s('Comptabilisée', 'Booked', 'in_progress'),
  MISE_EN_PAIEMENT: s('Mise en paiement', 'Payment issued', 'paid', true),
  // Before or beside the deposit.
  BROUILLON: s('Brouillon', 'Draft', 'in_progress'),
  INTERPRETEE_OCR: s('Interprétée par l’OCR (à vérifier sur le portail)', 'Read by OCR (to check on the portal)', 'to_process'),
  A_COMPLETER: s('À compléter (sur le portail)', 'To complete (on the portal)', 'to_process'),
  ASSOCIEE: s('Associée', 'Associated', 'in_progress'),
  EN_COURS_TRAITEMENT_PIVOT_S: s('En cours de traitement', 'Being processed', 'in_progress'),
  EN_ATTENTE_RECYCLAGE_FOURNISSEUR: s('En attente de recyclage par le fournisseur', 'Awaiting recycling by the supplier', 'to_process'),
  NON_CONFORME: s('Non conforme', 'Not compliant', 'rejected'),
  ERREUR_DESTINATAIRE_PD: s('Erreur de destinataire (demande de paiement)', 'Wrong recipient (payment request)', 'to_process'),
  ERREUR_DESTINATAIRE_EA: s('Erreur de destinataire (état d’acompte)', 'Wrong recipient (progress statement)', 'to_process'),
  TECHNIQUE_INCONNU: s('Statut technique inconnu de Chorus Pro', 'Technical status unknown to Chorus Pro', 'in_progress'),
  // Ended without payment.
  ABANDONNEE: s('Abandonnée', 'Abandoned', 'closed', true),
  SUPPRIMEE: s('Supprimée', 'Deleted', 'closed', true),
  REMPLACEE_PAR_A22: s('Remplacée par un projet de décompte général (A22)', 'Replaced by a draft final statement (A22)', 'closed', true),
  DUPLIQUE_APRES_REFUS: s('Dupliquée après refus', 'Duplicated after refusal', 'closed', true),
  // Validation by a first and a second validator (subcontractor and co-contractor invoices).
  A_VALIDER_1: s('À valider par le premier valideur', 'Awaiting the first validator', 'in_progress'),
  VALIDEE_1: s('Validée par le premier valideur', 'Validated by the first validator', 'in_progress'),
  REFUSEE_1: s('Refusée par le premier valideur', 'Refused by the first validator', 'rejected'),
  ABSENCE_VALIDATION_1_HORS_DELAI: s('Non validée dans le délai (premier valideur)', 'Not validated in time (first validator)', 'in_progress'),
  A_VALIDER_2: s('À valider par le second valideur', 'Awaiting the second validator', 'in_progress'),
  VALIDEE_2: s('Validée par le second valideur', 'Validated by the second validator', 'in_progress'),
  REFUSEE_2: s('Refusée par le second valideur', 'Refused by the second validator', 'rejected'),
  ABSENCE_VALIDATION_2_HORS_DELAI: s('Non validée dans le délai (second valideur)', 'Not validated in time (second validator)', 'in_progress'),
  ERREUR_FOURNISSEUR_SUR_VALIDEUR: s('Erreur du fournisseur signalée par le valideur', 'Supplier error reported by the validator', 'to_process'),
  ERREUR_COTRAITANT_SUR_VALIDEUR: s('Erreur du cotraitant signalée par le valideur', 'Co-contractor error reported by the validator', 'to_process'),
  // Works contracts: project manager (maîtrise d'œuvre, MOE) and contracting authority (maîtrise d'ouvrage, MOA).
  A_VALIDER_MOE: s('À valider par la maîtrise d’œuvre', 'Awaiting the project manager (MOE)', 'in_progress'),
  A_ASSOCIER_MOE: s('À associer par la maîtrise d’œuvre', 'To be associated by the project manager (MOE)', 'in_progress'),
  MISE_A_DISPOSITION_MOE: s('Mise à disposition de la maîtrise d’œuvre', 'Made available to the project manager (MOE)', 'in_progress'),
  PRISE_EN_COMPTE_MOE: s('Prise en compte par la maîtrise d’œuvre', 'Taken into account by the project manager (MOE)', 'in_progress'),
  REFUSEE_MOE: s('Refusée par la maîtrise d’œuvre', 'Refused by the project manager (MOE)', 'rejected'),
  ERREUR_DE_MOE: s('Erreur de la maîtrise d’œuvre', 'Project manager (MOE) error', 'in_progress'),
  ERREUR_FOURNISSEUR_SUR_MOE: s('Erreur du fournisseur signalée par la maîtrise d’œuvre', 'Supplier error reported by the project manager (MOE)', 'to_process'),
  ERREUR_MOE_SUR_FOURNISSEUR: s('Erreur de la maîtrise d’œuvre signalée par le fournisseur', 'Project manager (MOE) error reported by the supplier', 'in_progress'),
  ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE: s('Non validée par la maîtrise d’œuvre dans le délai réglementaire', 'Not validated by the project manager (MOE) within the legal time', 'in_progress'),
  TRANSMISE_MOA: s('Transmise à la maîtrise d’ouvrage', 'Sent to the contracting authority (MOA)', 'in_progress'),
  A_ASSOCIER_MOA: s('À associer par la maîtrise d’ouvrage', 'To be associated by the contracting authority (MOA)', 'in_progress'),
  MISE_A_DISPOSITION_MOA: s('Mise à disposition de la maîtrise d’ouvrage', 'Made available to the contracting authority (MOA)', 'in_progress'),
  PRISE_EN_COMPTE_MOA: s('Prise en compte par la maîtrise d’ouvrage', 'Taken into account by the contracting authority (MOA)', 'in_progress'),
  REFUSEE_MOA: s('Refusée par la maîtrise d’ouvrage', 'Refused by the contracting authority (MOA)', 'rejected'),
  ERREUR_DE_MOA: s('Erreur de la maîtrise d’ouvrage', 'Contracting authority (MOA) error', 'in_progress'),
  ERREUR_FOURNISSEUR_SUR_MOA: s('Erreur du fournisseur signalée par la maîtrise d’ouvrage', 'Supplier error reported by the contracting authority (MOA)', 'to_process'),
  ERREUR_MOE_SUR_MOA: s('Erreur de la maîtrise d’œuvre signalée par la maîtrise d’ouvrage', 'Project manager (MOE) error reported by the contracting authority (MOA)', 'in_progress'),
  ERREUR_MOA_SUR_FOURNISSEUR: s('Erreur de la maîtrise d’ouvrage signalée par le fournisseur', 'Contracting authority (MOA) error reported by the supplier', 'in_progress'),
  A_ASSOCIER_FOURNISSEUR: s('À associer par le fournisseur', 'To be associated by the supplier', 'to_process'),
  REFUSEE_FOURNISSEUR: s('Refusée par le fournisseur', 'Refused by the supplier', 'rejected'),
} as const satisfies Record<string, StatusInfo>

export type InvoiceStatus = keyof typeof INVOICE_STATUS_INFO

/** Every known code, the supplier's usual path first. */
export const ALL_INVOICE_STATUSES = Object.keys(INVOICE_STATUS_INFO) as InvoiceStatus[]

/**
 * The statuses of the supplier's usual path (reference §3.3 table), in their order: what the tracking
 * filter offers one by one. Every other known code is reachable through its group or typed as a code.
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
] as const satisfies readonly InvoiceStatus[]

export function isKnownStatus(code: string): code is InvoiceStatus {
  return Object.prototype.hasOwnProperty.call(INVOICE_STATUS_INFO, code)
}

export interface StatusDescription {
  readonly code: string
  readonly known: boolean
  /** The code itself (both languages) when unknown: shown raw, never hidden. */
  readonly label: Localized
  /** Null for an unknown code: it belongs to no group, so a group filter never hides or misfiles it. */
  readonly group: StatusGroup | null
}

/** Never throws: an unknown code is described as itself. */
export function describeStatus(code: string): StatusDescription {
  if (!isKnownStatus(code)) return { code, known: false, label: { fr: code, en: code }, group: null }
  const info = INVOICE_STATUS_INFO[code]
  return { code, known: true, label: info.label, group: info.group }
}

/**
 * Statuses a person acts on in the connector: Recycle, Complete, Handle (the "to process" tab). The
 * database's `invoices.to_process` column (migration 0001) computes the same list; change both together.
 */
export const TO_PROCESS_STATUSES: readonly string[] = ['A_RECYCLER', 'SUSPENDUE', 'REJETEE']

/**
 * Polling stops at a final status; REJETEE is final once a person has handled it (before, the rejection
 * still waits for them). An unknown code is not final: it keeps being polled.
 */
export function isFinalStatus(status: string, handled: boolean): boolean {
  if (status === 'REJETEE') return handled
  return isKnownStatus(status) && INVOICE_STATUS_INFO[status].final
}

export function needsAction(status: string, handled: boolean): boolean {
  return TO_PROCESS_STATUSES.includes(status) && !handled
}

const codesOf = (group: StatusGroup) => ALL_INVOICE_STATUSES.filter((c) => INVOICE_STATUS_INFO[c].group === group)

/**
 * The groups offered as tracking filters, each with its codes. `to_process` also holds REJETEE (a
 * rejection waits for a person to handle it), as it always did; REJETEE is in `rejected` too. A
 * null-prototype object, so that a filter word such as `constructor` is no group (and no 500).
 */
export const STATUS_GROUPS: Readonly<Record<string, readonly string[]>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, readonly string[]>, {
    in_progress: codesOf('in_progress'),
    to_process: [...new Set([...codesOf('to_process'), ...TO_PROCESS_STATUSES])],
    paid: codesOf('paid'),
    rejected: codesOf('rejected'),
    closed: codesOf('closed'),
  } satisfies Record<StatusGroup, readonly string[]>),
)

export const STATUS_GROUP_LABELS: Readonly<Record<StatusGroup, Localized>> = {
  in_progress: { fr: 'En cours', en: 'In progress' },
  to_process: { fr: 'À traiter', en: 'To process' },
  paid: { fr: 'Mis en paiement', en: 'Paid' },
  rejected: { fr: 'Rejetées', en: 'Rejected' },
  closed: { fr: 'Closes sans paiement', en: 'Closed without payment' },
}

// ---- Flow statuses (etatCourantDepotFlux of consulterCRDetaille, reference §3.2) ----

/**
 * What a flow's state means for the invoice it carries: still `pending`; `integrated` (the invoice exists);
 * `partly_integrated` (only the correct invoices were: ours may be among the rejected ones); `rejected`
 * (correct the invoice, send it again); `incident` (Chorus Pro did not process the flow: send the same
 * flow again, nothing to correct).
 */
export type FlowOutcome = 'pending' | 'integrated' | 'partly_integrated' | 'rejected' | 'incident'

export interface FlowStatusInfo {
  readonly label: Localized
  readonly outcome: FlowOutcome
  /** Chorus Pro will not change it any more: following the flow stops. */
  readonly final: boolean
  /** What to do, for a person. */
  readonly action: Localized | null
}

const f = (fr: string, en: string, outcome: FlowOutcome, final: boolean, action: Localized | null = null): FlowStatusInfo => ({ label: { fr, en }, outcome, final, action })

/**
 * Sources: reference §3.2 (pypi `chorus-api` README, PHPLIB `IStatus.php`) and "Updates checked 2026-11"
 * (IN_INCIDENTE final: the whole flow must be sent again). The QP_* admissibility labels are not flow
 * states the reference describes in detail: QP_IRRECEVABLE is read as a rejection, the other two as pending.
 */
export const FLOW_STATUS_INFO = {
  IN_RECU: f('Reçu', 'Received', 'pending', false),
  IN_TRAITE_SE_CPP: f('Arrivé dans le système d’échange', 'Arrived in the exchange system', 'pending', false),
  IN_EN_ATTENTE_TRAITEMENT_CPP: f('En attente de traitement', 'Queued', 'pending', false),
  IN_EN_COURS_TRAITEMENT_CPP: f('En cours de traitement', 'Being processed', 'pending', false),
  IN_EN_ATTENTE_RETRAITEMENT_CPP: f('Bloqué, en attente d’une relance manuelle par Chorus Pro', 'Blocked, waiting for Chorus Pro to restart it by hand', 'pending', false, {
    fr: 'Rien à faire de votre côté : Chorus Pro doit relancer le traitement ; le connecteur continue de suivre le flux.',
    en: 'Nothing to do on your side: Chorus Pro must restart the processing; the connector keeps following the flow.',
  }),
  IN_INTEGRE: f('Intégré', 'Integrated', 'integrated', true),
  IN_INTEGRE_PARTIEL: f('Intégré partiellement (seules les factures correctes)', 'Partly integrated (only the correct invoices)', 'partly_integrated', true, {
    fr: 'Les factures en erreur n’ont pas été intégrées : corrigez-les puis renvoyez-les.',
    en: 'The invoices in error were not integrated: correct them, then send them again.',
  }),
  IN_REJETE: f('Rejeté', 'Rejected', 'rejected', true, { fr: 'Corrigez la facture puis renvoyez-la.', en: 'Correct the invoice, then send it again.' }),
  IN_INCIDENTE: f('Incident : flux non traité', 'Incident: flow not processed', 'incident', true, {
    fr: 'Chorus Pro n’a pas traité le flux : renvoyez-le tel quel, sans rien corriger.',
    en: 'Chorus Pro did not process the flow: send it again as it is, nothing to correct.',
  }),
  QP_RECEVABLE: f('Recevable', 'Admissible', 'pending', false),
  QP_RECEVABLE_AVEC_ERREUR: f('Recevable avec erreurs', 'Admissible with errors', 'pending', false),
  QP_IRRECEVABLE: f('Irrecevable', 'Not admissible', 'rejected', true, { fr: 'Corrigez la facture puis renvoyez-la.', en: 'Correct the invoice, then send it again.' }),
} as const satisfies Record<string, FlowStatusInfo>

export type FlowStatus = keyof typeof FLOW_STATUS_INFO

/** Never throws: an unknown flow state is pending (keep following it) and shown raw. */
export function describeFlowStatus(code: string): FlowStatusInfo & { readonly code: string; readonly known: boolean } {
  if (Object.prototype.hasOwnProperty.call(FLOW_STATUS_INFO, code)) return { code, known: true, ...FLOW_STATUS_INFO[code as FlowStatus] }
  return { code, known: false, label: { fr: code, en: code }, outcome: 'pending', final: false, action: null }
}

/** Flow states after which following stops. */
export const FINAL_FLOW_STATES: readonly string[] = (Object.keys(FLOW_STATUS_INFO) as FlowStatus[]).filter((c) => FLOW_STATUS_INFO[c].final)
