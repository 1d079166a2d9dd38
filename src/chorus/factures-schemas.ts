import { z } from 'zod'
import { answerBase, chorusAmount, cppId, optText, parametresRetour, type AmountInput, type FileInput, type ParametresPagination } from './schema-helpers'

// ---- factures/v1/deposer/pdf (reference §2.1) ----

export interface DeposerPdfRequest {
  readonly fichierFacture: FileInput
  /** With its extension. */
  readonly nomFichier: string
  readonly formatDepot: 'PDF_NON_SIGNE' | 'PDF_SIGNE_PADES' | 'PDF_SIGNE_XADES'
}

/** pieceJointeId plus what Chorus's OCR read; any of it may be missing. Creates no invoice. */
export const deposerPdfResponse = z.looseObject({
  ...answerBase,
  pieceJointeId: cppId,
  numeroFacture: optText,
  dateFacture: optText,
  codeDestinataire: optText,
  codeServiceExecutant: optText,
  codeFournisseur: optText,
  codeDeviseFacture: optText,
  typeFacture: optText,
  typeTva: optText,
  numeroBonCommande: optText,
  montantHtTotal: chorusAmount.nullish(),
  montantTVA: chorusAmount.nullish(),
  montantTtcAvantRemiseGlobalTTC: chorusAmount.nullish(),
  montantAPayer: chorusAmount.nullish(),
})
export type DeposerPdfResponse = z.output<typeof deposerPdfResponse>

// ---- factures/v1/soumettre ----

export type ModeDepot = 'SAISIE_API' | 'DEPOT_PDF_API' | 'DEPOT_PDF_SIGNE_API'
export type TypeFacture = 'FACTURE' | 'AVOIR'
export type TypeTva = 'TVA_SUR_DEBIT' | 'TVA_SUR_ENCAISSEMENT' | 'EXONERATION' | 'SANS_TVA'

export interface SoumettreRequest {
  readonly modeDepot: ModeDepot
  readonly numeroFactureSaisi?: string
  /** `YYYY-MM-DD` only: a datetime gets HTTP 500 from Chorus (reference §2.1, FE exemple.py), so the client refuses it before sending. */
  readonly dateFacture: string
  readonly commentaire?: string
  readonly destinataire: { readonly codeDestinataire: string; readonly codeServiceExecutant?: string }
  readonly fournisseur: {
    readonly idFournisseur: number
    readonly idServiceFournisseur?: number
    readonly codeCoordonneesBancairesFournisseur?: number
  }
  readonly cadreDeFacturation: {
    readonly codeCadreFacturation: string
    readonly codeStructureValideur?: string
    readonly codeServiceValideur?: string
  }
  readonly references: {
    readonly deviseFacture: string
    readonly typeFacture: TypeFacture
    readonly typeTva: TypeTva
    readonly motifExonerationTva?: string
    readonly numeroMarche?: string
    /** Carries the engagement number (EJ). */
    readonly numeroBonCommande?: string
    readonly numeroFactureOrigine?: string
    readonly modePaiement?: 'CHEQUE' | 'PRELEVEMENT' | 'VIREMENT' | 'ESPECE' | 'AUTRE' | 'REPORT'
  }
  readonly lignePoste?: readonly {
    readonly lignePosteNumero: number
    readonly lignePosteReference?: string
    readonly lignePosteDenomination: string
    readonly lignePosteQuantite: AmountInput
    readonly lignePosteUnite?: string
    readonly lignePosteMontantUnitaireHT: AmountInput
    readonly lignePosteMontantRemiseHT?: AmountInput
    readonly lignePosteTauxTva?: string
    readonly lignePosteTauxTvaManuel?: AmountInput
  }[]
  readonly ligneTva?: readonly {
    readonly ligneTvaMontantBaseHtParTaux: AmountInput
    readonly ligneTvaMontantTvaParTaux: AmountInput
    readonly ligneTvaTaux?: string
    readonly ligneTvaTauxManuel?: AmountInput
  }[]
  readonly montantTotal: {
    readonly montantHtTotal: AmountInput
    readonly montantTVA: AmountInput
    readonly montantTtcTotal: AmountInput
    readonly montantRemiseGlobaleTTC?: AmountInput
    readonly motifRemiseGlobaleTTC?: string
    readonly montantAPayer: AmountInput
  }
  readonly pieceJointePrincipale?: readonly { readonly pieceJointePrincipaleDesignation?: string; readonly pieceJointePrincipaleId: number }[]
  readonly pieceJointeComplementaire?: readonly PieceJointeComplementaire[]
}

export interface PieceJointeComplementaire {
  readonly pieceJointeComplementaireId: number
  readonly pieceJointeComplementaireDesignation?: string
  readonly pieceJointeComplementaireType?: string
  readonly pieceJointeComplementaireNumeroLigneFacture?: number
  readonly pieceJointeComplementaireIdLiaison?: number
}

export const soumettreResponse = z.looseObject({
  ...answerBase,
  identifiantFactureCPP: cppId,
  numeroFacture: z.string(),
  dateDepot: optText,
  statutFacture: optText,
  identifiantStructure: optText,
  empreinteCertificatDepot: optText,
})
export type SoumettreResponse = z.output<typeof soumettreResponse>

// ---- factures/v1/deposer/flux ----

export interface DeposerFluxRequest {
  readonly fichierFlux: FileInput
  /** With its extension, at most 200 characters. */
  readonly nomFichier: string
  readonly syntaxeFlux: string
  readonly avecSignature: boolean
}

/** Asynchronous: a flow number, no invoice id yet (follow it with consulterCRDetaille). */
export const deposerFluxResponse = z.looseObject({
  ...answerBase,
  numeroFluxDepot: z.string(),
  dateDepot: optText,
  syntaxeFlux: optText,
})
export type DeposerFluxResponse = z.output<typeof deposerFluxResponse>

// ---- factures/v1/rechercher/fournisseur ----

export interface RechercherFactureFournisseurRequest {
  readonly numeroFluxDepot?: string
  readonly numeroFacture?: string
  readonly statutCourant?: readonly string[]
  readonly periodeDateDepotDu?: string
  readonly periodeDateDepotAu?: string
  readonly periodeDateHeureEtatCourantDu?: string
  readonly periodeDateHeureEtatCourantAu?: string
  readonly typeFacture?: TypeFacture
  readonly listeDestinataire?: readonly string[]
  /** Page size and sort; the client reads every page whatever page is asked. */
  readonly rechercheFactureParFournisseur?: ParametresPagination
}

export const factureFournisseurResume = z.looseObject({
  identifiantFactureCPP: cppId,
  numeroFacture: z.string(),
  statut: z.string(),
  numeroFluxDepot: optText,
  dateDepot: optText,
  dateFacture: optText,
  dateHeureEtatCourant: optText,
  codeDestinataire: optText,
  codeServiceExecutant: optText,
  montantHT: chorusAmount.nullish(),
  montantTTC: chorusAmount.nullish(),
  montantAPayer: chorusAmount.nullish(),
  typeFacture: optText,
  modeDepot: optText,
  commentaireEtatCourant: optText,
  rejetTraite: z.boolean().nullish(),
})
export type FactureFournisseurResume = z.output<typeof factureFournisseurResume>

export const rechercherFactureFournisseurResponse = z.looseObject({
  ...answerBase,
  listeFactures: z.array(factureFournisseurResume).nullish().transform((v) => v ?? []),
  parametresRetour: parametresRetour.nullish(),
})
export type RechercherFactureFournisseurResponse = z.output<typeof rechercherFactureFournisseurResponse>

// ---- factures/v1/consulter/fournisseur ----

export interface ConsulterFactureFournisseurRequest {
  readonly identifiantFactureCPP: number
}

export const consulterFactureFournisseurResponse = z.looseObject({
  ...answerBase,
  facture: z.looseObject({
    statutFacture: optText,
    numeroFacture: optText,
    modeDepot: optText,
    commentaire: optText,
    identifiantFactureCPP: cppId.nullish(),
    dateFacture: optText,
    dateDepot: optText,
    cadreDeFacturation: z.looseObject({}).nullish(),
    destinataire: z.looseObject({ codeDestinataire: optText, codeServiceExecutant: optText }).nullish(),
    fournisseur: z.looseObject({}).nullish(),
    references: z.looseObject({ numeroBonCommande: optText, typeFacture: optText }).nullish(),
    montantTotal: z
      .looseObject({
        montantHtTotal: chorusAmount.nullish(),
        montantTVA: chorusAmount.nullish(),
        montantTtcTotal: chorusAmount.nullish(),
        montantAPayer: chorusAmount.nullish(),
      })
      .nullish(),
    lignesDePoste: z.array(z.looseObject({})).nullish(),
    recapitulatifDeTva: z.array(z.looseObject({})).nullish(),
    listeDesPiecesJointes: z.array(z.looseObject({})).nullish(),
  }),
})
export type ConsulterFactureFournisseurResponse = z.output<typeof consulterFactureFournisseurResponse>

// ---- factures/v1/consulter/historique ----

export interface ConsulterHistoriqueRequest {
  /** = identifiantFactureCPP. */
  readonly idFacture: number
  readonly nbResultatsMaximum?: number
}

export const histoStatut = z.looseObject({
  histoStatutId: cppId.nullish(),
  histoStatutCode: z.string(),
  histoStatutDatePassage: optText,
  histoStatutCommentaire: optText,
  histoStatutUtilisateurNom: optText,
  histoStatutUtilisateurPrenom: optText,
})
export type HistoStatut = z.output<typeof histoStatut>

export const consulterHistoriqueResponse = z.looseObject({
  ...answerBase,
  idFacture: cppId.nullish(),
  numeroFacture: optText,
  modeDepot: optText,
  statutCourantCode: z.string(),
  /** Newest first (reference §2.2, PASTELL). */
  historiquesDesStatuts: z
    .looseObject({ histoStatut: z.array(histoStatut).nullish().transform((v) => v ?? []) })
    .nullish()
    .transform((v) => v ?? { histoStatut: [] }),
  derniereAction: z.looseObject({ derniereActionCode: optText, derniereActionId: cppId.nullish() }).nullish(),
})
export type ConsulterHistoriqueResponse = z.output<typeof consulterHistoriqueResponse>

// ---- factures/v1/recycler (only while A_RECYCLER) ----

export interface RecyclerRequest {
  readonly identifiantFactureCPP: number
  readonly destinataire: { readonly codeDestinataire: string; readonly codeServiceExecutant?: string }
  readonly commentaire?: string
  /**
   * [uncertain] How the engagement number changes during recycling is not documented (reference §2.3; GO
   * sends a `reference` object). We send `references.numeroBonCommande`, as in soumettre; the sandbox reads it.
   */
  readonly references?: { readonly numeroBonCommande?: string }
}

export const recyclerResponse = z.looseObject({
  ...answerBase,
  identifiantFactureCPP: cppId,
  numeroFacture: optText,
  dateDepot: optText,
  statutFacture: optText,
})
export type RecyclerResponse = z.output<typeof recyclerResponse>

// ---- factures/v1/completer (only while SUSPENDUE) ----

export interface CompleterRequest {
  readonly identifiantFactureCPP: number
  /** At most 2000 characters. */
  readonly commentaire?: string
  readonly pieceJointeComplementaire?: readonly PieceJointeComplementaire[]
}

export const completerResponse = z.looseObject({
  ...answerBase,
  identifiantFactureCPP: cppId,
  numeroFacture: optText,
  dateTraitement: optText,
})
export type CompleterResponse = z.output<typeof completerResponse>
