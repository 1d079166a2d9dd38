import { sql } from 'kysely'
import type { Account } from '../../db/schema'
import { technicalAccountOf } from '../../db/accounts'
import { isChorusError, type TechnicalAccount } from '../../chorus'
import type { Ports } from '../ports'

export interface DirectoryService {
  readonly code: string
  readonly label: string | null
  readonly active: boolean
  readonly engagementRequired: boolean
}

export interface DirectoryStructure {
  /** False when Chorus Pro knows no structure with this SIRET. */
  readonly found: boolean
  readonly active: boolean
  readonly name: string | null
  readonly chorusStructureId: string | null
  readonly serviceRequired: boolean
  readonly engagementRequired: boolean
  /** Either a service code or an engagement number must be given (gestionNumeroEJOuCodeService). */
  readonly serviceOrEngagement: boolean
  readonly services: readonly DirectoryService[]
  readonly fetchedAt: Date
  readonly fromCache: boolean
}

export const DEFAULT_DIRECTORY_MAX_AGE_MS = 24 * 3600_000
/** consulter/service is one call per service: beyond this many active services the flag is read on demand. */
const MAX_SERVICE_DETAILS = 50

const isActive = (statut: string | null | undefined) => !statut || /^ACTI/i.test(statut)

function technical(ports: Ports, account: Account | TechnicalAccount): TechnicalAccount {
  return 'technical_password_enc' in account ? technicalAccountOf(account, ports.secrets) : account
}

async function fromCache(ports: Ports, siret: string, maxAgeMs: number): Promise<DirectoryStructure | undefined> {
  const s = await ports.db
    .selectFrom('structures')
    .selectAll()
    .where('environment', '=', ports.chorusEnv)
    .where('siret', '=', siret)
    .where('fetched_at', '>=', new Date(ports.now().getTime() - maxAgeMs))
    .executeTakeFirst()
  if (!s) return undefined
  const services = await ports.db
    .selectFrom('structure_services')
    .select(['code', 'label', 'active', 'engagement_required'])
    .where('environment', '=', ports.chorusEnv)
    .where('siret', '=', siret)
    .orderBy('code')
    .execute()
  return {
    found: s.found,
    active: s.active,
    name: s.name,
    chorusStructureId: s.chorus_structure_id,
    serviceRequired: s.service_required,
    engagementRequired: s.engagement_required,
    serviceOrEngagement: s.service_or_engagement,
    services: services.map((v) => ({ code: v.code, label: v.label, active: v.active, engagementRequired: v.engagement_required })),
    fetchedAt: s.fetched_at,
    fromCache: true,
  }
}

/**
 * A recipient structure as the Chorus Pro directory describes it: from the structures /
 * structure_services cache while fresh (maxAgeMs), else rechercherStructures + consulterStructure +
 * rechercherServicesStructure (+ consulterService for the engagement flag of each active service),
 * and the cache is refreshed. Chorus errors (unavailable, auth) propagate as ChorusError.
 */
export async function lookupStructure(
  ports: Ports,
  account: Account | TechnicalAccount,
  siret: string,
  opts: { maxAgeMs?: number } = {},
): Promise<DirectoryStructure> {
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_DIRECTORY_MAX_AGE_MS
  if (maxAgeMs > 0) {
    const cached = await fromCache(ports, siret, maxAgeMs)
    if (cached) return cached
  }
  const tech = technical(ports, account)
  const chorus = ports.chorus
  const found = await chorus.rechercherStructures(tech, { structure: { identifiantStructure: siret, typeIdentifiantStructure: 'SIRET' } })
  const hit = found.listeStructures.find((s) => s.identifiantStructure === siret)
  const fetchedAt = ports.now()
  if (!hit) {
    const out: DirectoryStructure = { found: false, active: false, name: null, chorusStructureId: null, serviceRequired: false, engagementRequired: false, serviceOrEngagement: false, services: [], fetchedAt, fromCache: false }
    await store(ports, siret, out)
    return out
  }
  const detail = await chorus.consulterStructure(tech, { idStructureCPP: hit.idStructureCPP })
  const p = detail.parametres
  const listed = (await chorus.rechercherServicesStructure(tech, { idStructure: hit.idStructureCPP })).listeServices
  const services: DirectoryService[] = []
  let detailed = 0
  for (const s of listed) {
    const active = s.estActif ?? isActive(s.statutService)
    let engagementRequired = false
    if (active && detailed < MAX_SERVICE_DETAILS) {
      detailed++
      try {
        const d = await chorus.consulterService(tech, { idStructure: hit.idStructureCPP, idService: s.idService })
        engagementRequired = !!d.parametres?.numeroEngagement
      } catch (e) {
        // A service Chorus cannot describe is still listed; only an outage stops the lookup.
        if (isChorusError(e) && e.retryable) throw e
      }
    }
    services.push({ code: s.codeService, label: s.libelleService ?? null, active, engagementRequired })
  }
  const out: DirectoryStructure = {
    found: true,
    active: isActive(detail.informationGenerales?.statut ?? hit.statut),
    name: detail.informationGenerales?.raisonSociale ?? detail.informationGenerales?.libelleStructure ?? hit.designationStructure ?? null,
    chorusStructureId: String(hit.idStructureCPP),
    serviceRequired: !!p?.codeServiceDoitEtreRenseigne,
    engagementRequired: !!p?.numeroEJDoitEtreRenseigne,
    serviceOrEngagement: !!p?.gestionNumeroEJOuCodeService,
    services,
    fetchedAt,
    fromCache: false,
  }
  await store(ports, siret, out)
  return out
}

async function store(ports: Ports, siret: string, s: DirectoryStructure): Promise<void> {
  const env = ports.chorusEnv
  await ports.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('structures')
      .values({
        environment: env,
        siret,
        chorus_structure_id: s.chorusStructureId,
        name: s.name,
        active: s.active,
        service_required: s.serviceRequired,
        engagement_required: s.engagementRequired,
        service_or_engagement: s.serviceOrEngagement,
        found: s.found,
        fetched_at: s.fetchedAt,
      })
      .onConflict((oc) =>
        oc.columns(['environment', 'siret']).doUpdateSet({
          chorus_structure_id: sql`excluded.chorus_structure_id`,
          name: sql`excluded.name`,
          active: sql`excluded.active`,
          service_required: sql`excluded.service_required`,
          engagement_required: sql`excluded.engagement_required`,
          service_or_engagement: sql`excluded.service_or_engagement`,
          found: sql`excluded.found`,
          fetched_at: sql`excluded.fetched_at`,
        }),
      )
      .execute()
    await trx.deleteFrom('structure_services').where('environment', '=', env).where('siret', '=', siret).execute()
    if (s.services.length) {
      // A structure may list the same code twice (an old inactive one and its successor): keep the active one.
      const byCode = new Map<string, DirectoryService>()
      for (const v of s.services) if (!byCode.has(v.code) || v.active) byCode.set(v.code, v)
      await trx
        .insertInto('structure_services')
        .values([...byCode.values()].map((v) => ({ environment: env, siret, code: v.code, label: v.label, active: v.active, engagement_required: v.engagementRequired, fetched_at: s.fetchedAt })))
        .execute()
    }
  })
}
