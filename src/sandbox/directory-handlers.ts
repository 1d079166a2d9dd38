import { NO_HIT, REFUSALS, refuse } from './sandbox-errors'
import { advanceFlows, flowState, paginate, type Handler } from './factures-handlers'
import type { SeedStructure } from './seed-directory'

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined)
const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()

function structureOrRefuse(store: Parameters<Handler>[0], id: unknown): SeedStructure {
  const s = num(id) !== undefined ? store.structureById(num(id)!) : undefined
  return s ?? refuse(REFUSALS.structureMissing())
}

// ---- structures/v1/rechercher (reference §2.4) ----

export const rechercherStructures: Handler = (store, _account, body) => {
  const f = body.structure ?? {}
  type Row = { idStructureCPP: number; identifiantStructure: string; designationStructure: string; typeIdentifiantStructure: string; statut: string; prive: boolean }
  const rows: Row[] = [
    ...store.structures.map((s) => ({ idStructureCPP: s.idStructureCPP, identifiantStructure: s.siret, designationStructure: s.name, typeIdentifiantStructure: 'SIRET', statut: s.active ? 'ACTIVE' : 'INACTIVE', prive: false })),
    ...store.suppliers.map((s) => ({ idStructureCPP: s.idStructureCPP, identifiantStructure: s.siret, designationStructure: s.name, typeIdentifiantStructure: 'SIRET', statut: 'ACTIVE', prive: true })),
  ]
  const list = rows.filter((r) => {
    if (f.identifiantStructure && r.identifiantStructure !== String(f.identifiantStructure).replace(/\s/g, '')) return false
    if (f.typeIdentifiantStructure && r.typeIdentifiantStructure !== f.typeIdentifiantStructure) return false
    if (f.raisonSocialeStructure && !fold(r.designationStructure).includes(fold(String(f.raisonSocialeStructure)))) return false
    if (f.statutStructure === 'ACTIF' && r.statut !== 'ACTIVE') return false
    if (f.statutStructure === 'INACTIF' && r.statut !== 'INACTIVE') return false
    if (f.typeStructure === 'PUBLIQUE' && r.prive) return false
    if (f.typeStructure === 'PRIVEE' && !r.prive) return false
    if (body.restreindreStructuresPrivees === true && r.prive) return false
    return true
  })
  if (list.length === 0) return NO_HIT
  const { slice, parametresRetour } = paginate(list, body.parametres)
  return { listeStructures: slice.map(({ prive: _p, ...r }) => r), parametresRetour }
}

// ---- structures/v1/consulter ----

export const consulterStructure: Handler = (store, account, body) => {
  const id = num(body.idStructureCPP)
  const supplier = id !== undefined ? store.supplierById(id) : undefined
  if (supplier) {
    const own = account.structures.includes(supplier.idStructureCPP)
    return {
      informationGenerales: {
        idStructureCPP: supplier.idStructureCPP,
        identifiantStructure: supplier.siret,
        typeIdentifiantStructure: 'SIRET',
        libelleStructure: supplier.name,
        raisonSociale: supplier.name,
        structurePriveePublique: 'PRIVEE',
        // The calling technical account's own password expiry.
        dateExpirationMotPasseCompteTech: own ? (account.passwordExpiresOn ?? null) : null,
      },
      parametres: { codeServiceDoitEtreRenseigne: false, numeroEJDoitEtreRenseigne: false, gestionNumeroEJOuCodeService: false, statutMiseEnPaiementNestPasRemonte: false },
    }
  }
  const s = structureOrRefuse(store, body.idStructureCPP)
  return {
    informationGenerales: {
      idStructureCPP: s.idStructureCPP,
      identifiantStructure: s.siret,
      typeIdentifiantStructure: 'SIRET',
      libelleStructure: s.name,
      raisonSociale: s.name,
      structurePriveePublique: 'PUBLIQUE',
      statut: s.active ? 'ACTIVE' : 'INACTIVE',
    },
    adressePostaleDuSiege: { ligneAdresse1: '1 place de la Simulation', codePostal: '76000', ville: 'Sandbox', codePays: 'FR' },
    parametres: {
      codeServiceDoitEtreRenseigne: s.serviceRequired,
      numeroEJDoitEtreRenseigne: s.engagementRequired,
      gestionNumeroEJOuCodeService: s.serviceOrEngagementRequired,
      statutMiseEnPaiementNestPasRemonte: false,
    },
  }
}

// ---- structures/v1/rechercher/services ----

export const rechercherServices: Handler = (store, _account, body) => {
  const s = structureOrRefuse(store, body.idStructure)
  if (s.services.length === 0) return NO_HIT
  const p = body.parametresRechercherServicesStructure
  const list = [...s.services]
  if (p?.triColonne === 'CodeService') list.sort((a, b) => a.code.localeCompare(b.code))
  if (p?.triSens === 'Descendant') list.reverse()
  const { slice, parametresRetour } = paginate(list, p)
  return {
    listeServices: slice.map((v) => ({
      idService: v.idService,
      codeService: v.code,
      libelleService: v.label,
      estActif: v.active,
      statutService: v.active ? 'ACTIF' : 'INACTIF',
      dateDbtService: '2020-01-01',
      dateFinService: v.active ? null : '2025-12-31',
    })),
    parametresRetour,
  }
}

// ---- structures/v1/consulter/service ----

export const consulterService: Handler = (store, _account, body) => {
  const s = structureOrRefuse(store, body.idStructure)
  const v = s.services.find((x) => x.idService === num(body.idService)) ?? refuse(REFUSALS.serviceMissing())
  return {
    informationsGenerales: { codeService: v.code, nomService: v.label, descriptionService: v.label },
    parametres: { numeroEngagement: v.engagementRequired, miseEnPaiement: true, dateDebutValidite: '2020-01-01', dateFinValidite: v.active ? null : '2025-12-31' },
  }
}

// ---- engagementsJuridiques/v1/rechercher ----

export const rechercherEngagements: Handler = (store, _account, body) => {
  const receiver = num(body.structureReceptriceEngagementJuridique) ?? refuse(REFUSALS.missingField('structureReceptriceEngagementJuridique'))
  const list = store.engagements.filter(
    (e) =>
      e.idStructureReceptrice === receiver &&
      (!body.numeroEngagementJuridique || e.numeroEngagementJuridique === body.numeroEngagementJuridique) &&
      (!body.etatCourantEngagementJuridique || e.etatCourantEngagementJuridique === body.etatCourantEngagementJuridique),
  )
  if (list.length === 0) return NO_HIT
  return { listeEngagementJuridique: list, parametresRetour: { pageCourante: 1, pages: 1, nbResultatsParPage: list.length, total: list.length } }
}

// ---- transverses ----

export const recupererStructuresActives: Handler = (store, account) => ({
  listeStructures: account.structures.map((id) => {
    const s = store.supplierById(id)
    return { idStructureCPP: id, identifiant: s?.siret ?? null, designationStructure: s?.name ?? null }
  }),
})

export const ajouterFichier: Handler = (store, account, body) => {
  if (typeof body.pieceJointeFichier !== 'string' || !body.pieceJointeFichier) refuse(REFUSALS.missingField('pieceJointeFichier'))
  const bytes = Buffer.from(body.pieceJointeFichier, 'base64')
  // AIFE's attachment rules (reference "Updates checked 2026-11"): each file under 10 MB, not empty, a name of at most 50 characters.
  if (bytes.length >= 10 * 1024 * 1024) refuse(REFUSALS.fileTooLarge())
  if (bytes.length === 0) refuse(REFUSALS.badRequest('pieceJointeFichier est vide'))
  const nom = typeof body.pieceJointeNom === 'string' && body.pieceJointeNom ? body.pieceJointeNom : refuse(REFUSALS.missingField('pieceJointeNom'))
  if (nom.length > 50) refuse(REFUSALS.badRequest('pieceJointeNom dépasse 50 caractères'))
  if (!body.pieceJointeTypeMime) refuse(REFUSALS.missingField('pieceJointeTypeMime'))
  if (!body.pieceJointeExtension) refuse(REFUSALS.missingField('pieceJointeExtension'))
  const a = store.addAttachment(account.structures, nom, bytes.length, undefined)
  return { pieceJointeId: a.id }
}

export const consulterCRDetaille: Handler = (store, account, body) => {
  const flow = typeof body.numeroFluxDepot === 'string' ? store.state.flows.get(body.numeroFluxDepot) : undefined
  if (!flow || !flow.supplierIds.some((s) => account.structures.includes(s))) refuse(REFUSALS.flowMissing())
  advanceFlows(store)
  const { state, at } = flowState(store, flow)
  const final = state === 'IN_REJETE' || state === 'IN_INTEGRE' || state === 'IN_INCIDENTE'
  return {
    etatCourantDepotFlux: state,
    // [uncertain] the interface code per syntax is not public; FSO1110A is the reference's example.
    codeInterfaceDepotFlux: 'FSO1110A',
    dateDepotFlux: new Date(flow.dateDepot).toISOString(),
    dateHeureEtatCourantFlux: new Date(at).toISOString(),
    nomFichier: `FSO1110A_CPP001_${flow.numeroFluxDepot}`,
    listeErreurDP: final ? flow.errorsDP : [],
    listeErreurTechnique: final ? flow.errorsTechnique : [],
  }
}
