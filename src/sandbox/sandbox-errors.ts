/**
 * The sandbox's refusals: `{ codeRetour, libelle }` answered with HTTP 400, the convention GO's client
 * parses (reference §4). Codes are per operation (2000x). Where the reference quotes a real code or text
 * (completer GDP_MSG_11.0xx, flux introuvable POQ_MSG_01.003, search no-hit TRA_MSG_00.015, the duplicate
 * number sentence, Open Bee's labels) it is used verbatim; the other message numbers are the sandbox's own
 * (2026-11-21: no public source gives them) and keep the real `XXX_MSG_NN.NNN - text` shape.
 */
export interface SandboxRefusal {
  readonly codeRetour: number
  readonly libelle: string
  /** HTTP status; 400 unless the real platform is known to answer otherwise. */
  readonly status?: number
}

export const OK = { codeRetour: 0, libelle: 'TRA_MSG_00.000' } as const
export const NO_HIT: SandboxRefusal = { codeRetour: 20000, libelle: 'TRA_MSG_00.015', status: 200 }

export const REFUSALS = {
  missingField: (field: string): SandboxRefusal => ({ codeRetour: 20099, libelle: `GCU_MSG_01.001 - Le champ ${field} est obligatoire.` }),
  supplierUnknown: (): SandboxRefusal => ({
    codeRetour: 20001,
    libelle: "GDP_MSG_01.001 - L'identifiant fournisseur de la demande de paiement n'est pas reference dans notre systeme pour ce compte.",
  }),
  recipientUnknown: (siret: string): SandboxRefusal => ({ codeRetour: 20002, libelle: `GDP_MSG_01.002 - Destinataire non trouvé ou inactif (${siret}).` }),
  serviceRequired: (): SandboxRefusal => ({ codeRetour: 20003, libelle: 'GDP_MSG_01.003 - Le code service est obligatoire pour ce destinataire.' }),
  engagementRequired: (): SandboxRefusal => ({ codeRetour: 20004, libelle: "GDP_MSG_01.004 - Le numéro d'engagement est obligatoire pour ce destinataire." }),
  serviceUnknown: (code: string): SandboxRefusal => ({ codeRetour: 20005, libelle: `GDP_MSG_01.005 - Le service exécutant ${code} est inconnu ou inactif pour ce destinataire.` }),
  duplicate: (): SandboxRefusal => ({
    codeRetour: 20006,
    // docs "Bien renseigner son numéro de facture" (reference §4).
    libelle: 'GDP_MSG_01.006 - Vous avez déjà déposé une demande de paiement avec ce numéro de facture pour cette structure.',
  }),
  totals: (detail: string): SandboxRefusal => ({ codeRetour: 20007, libelle: `GDP_MSG_01.007 - La synthèse d'entête n'est pas correcte : ${detail}.` }),
  attachmentUnknown: (id: unknown): SandboxRefusal => ({ codeRetour: 20008, libelle: `GDP_MSG_01.008 - La pièce jointe ${String(id)} n'existe pas.` }),
  invoiceNumberInvalid: (why: string): SandboxRefusal => ({ codeRetour: 20009, libelle: `GDP_MSG_01.009 - Le numéro de facture ${why}.` }),
  serviceOrEngagement: (): SandboxRefusal => ({
    codeRetour: 20010,
    libelle: "GDP_MSG_01.010 - Le code service ou le numéro d'engagement doit être renseigné pour ce destinataire.",
  }),
  publicServiceReserved: (): SandboxRefusal => ({
    codeRetour: 20011,
    libelle: 'GDP_MSG_01.011 - Le service FACTURES_PUBLIQUES est réservé aux factures entre entités publiques.',
  }),
  pdfUnreadable: (): SandboxRefusal => ({ codeRetour: 20001, libelle: "GDP_MSG_02.001 - Cette facture n'a pas pu être analysée." }),
  fileTooLarge: (): SandboxRefusal => ({ codeRetour: 20002, libelle: 'GDP_MSG_02.002 - Le fichier dépasse la taille maximale autorisée (10 Mo).' }),
  // CPP-2017 ChorusPro API/Gobal.cs (reference §4).
  invoiceMissing: (): SandboxRefusal => ({ codeRetour: 20000, libelle: "GDP_MSG_11.008 - La demande de paiement n'existe pas." }),
  notSuspended: (): SandboxRefusal => ({ codeRetour: 20002, libelle: "GDP_MSG_11.033 - Le statut de la demande de paiement n'est pas Suspendue." }),
  notToRecycle: (): SandboxRefusal => ({ codeRetour: 20002, libelle: "GDP_MSG_12.033 - La facture n'est pas au statut A_RECYCLER." }),
  flowMissing: (): SandboxRefusal => ({ codeRetour: 20001, libelle: 'POQ_MSG_01.003 - Flux introuvable.' }),
  structureMissing: (): SandboxRefusal => ({ codeRetour: 20001, libelle: 'GSO_MSG_01.001 - La structure demandée est introuvable.' }),
  serviceMissing: (): SandboxRefusal => ({ codeRetour: 20002, libelle: "GSO_MSG_01.002 - Le service demandé n'existe pas." }),
  frameworkUnknown: (code: string): SandboxRefusal => ({ codeRetour: 20012, libelle: `GDP_MSG_01.012 - Le cadre de facturation ${code} n'existe pas.` }),
  validatorRequired: (code: string): SandboxRefusal => ({ codeRetour: 20013, libelle: `GDP_MSG_01.013 - La structure valideuse est obligatoire pour le cadre de facturation ${code}.` }),
  paidButDue: (): SandboxRefusal => ({ codeRetour: 20014, libelle: 'GDP_MSG_01.014 - Une facture déjà payée (cadre A2) doit avoir un montant à payer nul.' }),
  badRequest: (detail: string): SandboxRefusal => ({ codeRetour: 20098, libelle: `GCU_MSG_01.002 - Requête invalide : ${detail}.` }),
} as const

export class RefusalError extends Error {
  constructor(readonly refusal: SandboxRefusal) {
    super(refusal.libelle)
  }
}

export function refuse(refusal: SandboxRefusal): never {
  throw new RefusalError(refusal)
}
