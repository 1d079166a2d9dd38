import { z } from 'zod'
import { answerBase, cppId, optText, parametresRetour, type ParametresPagination } from './schema-helpers'

// ---- structures/v1/rechercher (reference §2.4) ----

export interface RechercherStructuresRequest {
  readonly structure?: {
    readonly identifiantStructure?: string
    readonly typeIdentifiantStructure?: 'SIRET' | 'UE_HORS_FRANCE' | 'HORS_UE' | 'RIDET' | 'TAHITI' | 'AUTRE' | 'PARTICULIER'
    readonly raisonSocialeStructure?: string
    readonly statutStructure?: 'ACTIF' | 'INACTIF'
    readonly typeStructure?: 'PRIVEE' | 'PUBLIQUE'
    readonly adresseCodePostal?: string
  }
  readonly restreindreStructuresPrivees?: boolean
  readonly parametres?: ParametresPagination
}

export const structureResume = z.looseObject({
  idStructureCPP: cppId,
  identifiantStructure: z.string(),
  designationStructure: optText,
  typeIdentifiantStructure: optText,
  statut: optText,
})
export type StructureResume = z.output<typeof structureResume>

export const rechercherStructuresResponse = z.looseObject({
  ...answerBase,
  listeStructures: z.array(structureResume).nullish().transform((v) => v ?? []),
  parametresRetour: parametresRetour.nullish(),
})
export type RechercherStructuresResponse = z.output<typeof rechercherStructuresResponse>

// ---- structures/v1/consulter ----

export interface ConsulterStructureRequest {
  /** The swagger's name; GO's `idStructure` is wrong (reference §2.4). */
  readonly idStructureCPP: number
  readonly codeLangue?: 'FR' | 'EN'
}

export const consulterStructureResponse = z.looseObject({
  ...answerBase,
  informationGenerales: z
    .looseObject({
      idStructureCPP: cppId.nullish(),
      identifiantStructure: optText,
      typeIdentifiantStructure: optText,
      libelleStructure: optText,
      raisonSociale: optText,
      numeroTVA: optText,
      structurePriveePublique: optText,
      dateExpirationMotPasseCompteTech: optText,
      statut: optText,
    })
    .nullish(),
  adressePostaleDuSiege: z.looseObject({}).nullish(),
  parametres: z
    .looseObject({
      codeServiceDoitEtreRenseigne: z.boolean().nullish(),
      numeroEJDoitEtreRenseigne: z.boolean().nullish(),
      gestionNumeroEJOuCodeService: z.boolean().nullish(),
      statutMiseEnPaiementNestPasRemonte: z.boolean().nullish(),
    })
    .nullish(),
})
export type ConsulterStructureResponse = z.output<typeof consulterStructureResponse>

export type StructureRequirement = 'none' | 'service' | 'engagement' | 'service_or_engagement' | 'service_and_engagement'

/** OCA's order (reference §2.4): either-or first, then both, service only, EJ only, none. */
export function structureRequirement(parametres: ConsulterStructureResponse['parametres']): StructureRequirement {
  if (parametres?.gestionNumeroEJOuCodeService) return 'service_or_engagement'
  const s = !!parametres?.codeServiceDoitEtreRenseigne
  const e = !!parametres?.numeroEJDoitEtreRenseigne
  return s && e ? 'service_and_engagement' : s ? 'service' : e ? 'engagement' : 'none'
}

// ---- structures/v1/rechercher/services ----

export interface RechercherServicesStructureRequest {
  readonly idStructure: number
  readonly parametresRechercherServicesStructure?: ParametresPagination & {
    readonly triColonne?: 'CodeService' | 'LibelleService' | 'DateDbtService' | 'DateFinService' | 'EstActif'
  }
}

export const serviceResume = z.looseObject({
  idService: cppId,
  codeService: z.string(),
  libelleService: optText,
  estActif: z.boolean().nullish(),
  statutService: optText,
  dateDbtService: optText,
  dateFinService: optText,
})
export type ServiceResume = z.output<typeof serviceResume>

export const rechercherServicesStructureResponse = z.looseObject({
  ...answerBase,
  listeServices: z.array(serviceResume).nullish().transform((v) => v ?? []),
  parametresRetour: parametresRetour.nullish(),
})
export type RechercherServicesStructureResponse = z.output<typeof rechercherServicesStructureResponse>

// ---- structures/v1/consulter/service ----

export interface ConsulterServiceRequest {
  readonly idStructure: number
  readonly idService: number
  readonly codeLangue?: 'FR' | 'EN'
}

export const consulterServiceResponse = z.looseObject({
  ...answerBase,
  informationsGenerales: z.looseObject({ codeService: optText, nomService: optText, descriptionService: optText }).nullish(),
  parametres: z
    .looseObject({
      /** An engagement number is required for this service. */
      numeroEngagement: z.boolean().nullish(),
      miseEnPaiement: z.boolean().nullish(),
      dateDebutValidite: optText,
      dateFinValidite: optText,
    })
    .nullish(),
})
export type ConsulterServiceResponse = z.output<typeof consulterServiceResponse>

// ---- engagementsJuridiques/v1/rechercher ----

export interface RechercherEngagementsJuridiquesRequest {
  /** The supplier's own idStructureCPP (reference §2.4, OCA). */
  readonly structureReceptriceEngagementJuridique: number
  /** At most 50 characters (OCA refuses longer before calling). */
  readonly numeroEngagementJuridique?: string
  readonly etatCourantEngagementJuridique?: string
}

export const engagementJuridique = z.looseObject({
  numeroEngagementJuridique: optText,
  etatCourantEngagementJuridique: optText,
  idStructureEmettrice: cppId.nullish(),
})
export const rechercherEngagementsJuridiquesResponse = z.looseObject({
  ...answerBase,
  /** Empty means unknown. */
  listeEngagementJuridique: z.array(engagementJuridique).nullish().transform((v) => v ?? []),
  parametresRetour: parametresRetour.nullish(),
})
export type RechercherEngagementsJuridiquesResponse = z.output<typeof rechercherEngagementsJuridiquesResponse>
