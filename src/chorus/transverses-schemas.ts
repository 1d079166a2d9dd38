import { z } from 'zod'
import { answerBase, cppId, optText, type FileInput } from './schema-helpers'

// ---- transverses/v1/ajouter/fichier (reference §2.1) ----

export interface AjouterFichierRequest {
  readonly pieceJointeFichier: FileInput
  readonly pieceJointeNom: string
  readonly pieceJointeTypeMime: string
  /** e.g. "PDF". */
  readonly pieceJointeExtension: string
}

export const ajouterFichierResponse = z.looseObject({ ...answerBase, pieceJointeId: cppId })
export type AjouterFichierResponse = z.output<typeof ajouterFichierResponse>

// ---- transverses/v1/consulterCRDetaille (reference §2.2) ----

export interface ConsulterCRDetailleRequest {
  readonly numeroFluxDepot: string
  readonly syntaxeFlux?: string
}

export const consulterCRDetailleResponse = z.looseObject({
  ...answerBase,
  etatCourantDepotFlux: z.string(),
  codeInterfaceDepotFlux: optText,
  dateDepotFlux: optText,
  dateHeureEtatCourantFlux: optText,
  nomFichier: optText,
  listeErreurDP: z
    .array(z.looseObject({ identifiantFournisseur: optText, identifiantDestinataire: optText, numeroDP: optText, libelleErreurDP: optText }))
    .nullish()
    .transform((v) => v ?? []),
  listeErreurTechnique: z
    .array(z.looseObject({ codeErreur: optText, libelleErreur: optText, natureErreur: optText }))
    .nullish()
    .transform((v) => v ?? []),
})
export type ConsulterCRDetailleResponse = z.output<typeof consulterCRDetailleResponse>

/** Flow states after which polling stops (OCA, reference §3.2; IN_INCIDENTE too, "Updates checked 2026-11"): one list, in the domain. */
export { FINAL_FLOW_STATES } from '../domain/invoice-status'

// ---- transverses/v1/recuperer/structures/actives/fournisseur ----

export const recupererStructuresActivesFournisseurResponse = z.looseObject({
  ...answerBase,
  listeStructures: z
    .array(z.looseObject({ idStructureCPP: cppId, identifiant: optText, designationStructure: optText }))
    .nullish()
    .transform((v) => v ?? []),
})
export type RecupererStructuresActivesFournisseurResponse = z.output<typeof recupererStructuresActivesFournisseurResponse>

// ---- GET transverses/v1/health-check ----

export const healthCheckResponse = z.looseObject({ statusCode: z.union([z.string(), z.number()]).transform(String) })
export type HealthCheckResponse = z.output<typeof healthCheckResponse>
