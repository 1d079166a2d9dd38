import { withLuhnDigit } from '../domain/siret'

export interface SeedService {
  readonly idService: number
  readonly code: string
  readonly label: string
  readonly active: boolean
  /** An engagement number is required for invoices to this service (consulter/service `parametres.numeroEngagement`). */
  readonly engagementRequired: boolean
}

export interface SeedStructure {
  readonly siret: string
  readonly idStructureCPP: number
  readonly name: string
  readonly active: boolean
  readonly serviceRequired: boolean
  readonly engagementRequired: boolean
  readonly serviceOrEngagementRequired: boolean
  readonly services: readonly SeedService[]
}

export interface SeedEngagement {
  readonly numeroEngagementJuridique: string
  /** The public structure that issued it. */
  readonly idStructureEmettrice: number
  /** The supplier it was issued to (`structureReceptriceEngagementJuridique`). */
  readonly idStructureReceptrice: number
  readonly etatCourantEngagementJuridique: 'COMMANDE'
}

let nextServiceId = 41_000_001
function service(code: string, label: string, active = true, engagementRequired = false): SeedService {
  return { idService: nextServiceId++, code, label, active, engagementRequired }
}

/** FACTURES_PUBLIQUES exists on most public structures and is for public-to-public invoices only (reference §2.4, OCA). */
const publicOnly = () => service('FACTURES_PUBLIQUES', 'Factures entre entités publiques')

/**
 * The seeded directory: one structure per rule a submission must respect (none, service, engagement,
 * either, both, inactive), with active and inactive services, service-level engagement requirements and
 * enough similar names (the schools) to need more than one page of 10. SIRETs are valid (Luhn).
 */
export const SEED_STRUCTURES: readonly SeedStructure[] = [
  {
    siret: withLuhnDigit('2176000000001'),
    idStructureCPP: 25_000_101,
    name: 'Commune de Sandbox-sur-Mer',
    active: true,
    serviceRequired: false,
    engagementRequired: false,
    serviceOrEngagementRequired: false,
    services: [service('SERV_TECH', 'Services techniques'), service('TRAVAUX', 'Direction des travaux', true, true), publicOnly()],
  },
  {
    siret: withLuhnDigit('2276000000001'),
    idStructureCPP: 25_000_102,
    name: 'Département du Bac-à-Sable',
    active: true,
    serviceRequired: true,
    engagementRequired: false,
    serviceOrEngagementRequired: false,
    services: [service('ACHATS', 'Direction des achats'), service('ANCIENS_ACHATS', 'Ancienne direction des achats', false), publicOnly()],
  },
  {
    siret: withLuhnDigit('2676000000001'),
    idStructureCPP: 25_000_103,
    name: 'Centre hospitalier de Sandbox',
    active: true,
    serviceRequired: false,
    engagementRequired: true,
    serviceOrEngagementRequired: false,
    services: [service('PHARMACIE', 'Pharmacie centrale'), publicOnly()],
  },
  {
    siret: withLuhnDigit('1976000000001'),
    idStructureCPP: 25_000_104,
    name: 'Université de Sandbox',
    active: true,
    serviceRequired: false,
    engagementRequired: false,
    serviceOrEngagementRequired: true,
    services: [service('LABO', 'Laboratoire de simulation'), publicOnly()],
  },
  {
    siret: withLuhnDigit('1100000000001'),
    idStructureCPP: 25_000_105,
    name: 'Ministère de la Simulation',
    active: true,
    serviceRequired: true,
    engagementRequired: true,
    serviceOrEngagementRequired: false,
    services: [service('DAF', 'Direction administrative et financière'), service('SG', 'Secrétariat général'), service('CABINET', 'Cabinet', false), publicOnly()],
  },
  {
    siret: withLuhnDigit('2000000000001'),
    idStructureCPP: 25_000_106,
    name: 'Syndicat intercommunal dissous',
    active: false,
    serviceRequired: false,
    engagementRequired: false,
    serviceOrEngagementRequired: false,
    services: [service('SECRETARIAT', 'Secrétariat', false)],
  },
  ...Array.from({ length: 12 }, (_, i): SeedStructure => ({
    siret: withLuhnDigit(`21760${String(i + 10).padStart(3, '0')}00001`),
    idStructureCPP: 25_000_200 + i,
    name: `École élémentaire de Sandbox n°${i + 1}`,
    active: true,
    serviceRequired: false,
    engagementRequired: false,
    serviceOrEngagementRequired: false,
    services: [service('DIRECTION', 'Direction de l’école')],
  })),
]

/** Convenience handles on the seed for tests and demos. */
export const SEED = {
  noRequirement: SEED_STRUCTURES[0]!,
  serviceRequired: SEED_STRUCTURES[1]!,
  engagementRequired: SEED_STRUCTURES[2]!,
  serviceOrEngagement: SEED_STRUCTURES[3]!,
  serviceAndEngagement: SEED_STRUCTURES[4]!,
  inactive: SEED_STRUCTURES[5]!,
  schools: SEED_STRUCTURES.slice(6),
} as const

export function seedEngagements(supplierIdStructureCPP: number): readonly SeedEngagement[] {
  const ej = (n: string, s: SeedStructure): SeedEngagement => ({
    numeroEngagementJuridique: n,
    idStructureEmettrice: s.idStructureCPP,
    idStructureReceptrice: supplierIdStructureCPP,
    etatCourantEngagementJuridique: 'COMMANDE',
  })
  return [
    ej('EJ-2026-0001', SEED.engagementRequired),
    ej('EJ-2026-0002', SEED.serviceAndEngagement),
    ej('EJ-2026-0003', SEED.serviceOrEngagement),
    ej('EJ-2026-0004', SEED.noRequirement),
  ]
}
