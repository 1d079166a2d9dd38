import type { Localized } from './localized'
import { RESERVED_SERVICE_CODE } from './recipient-label'

/** What the directory says about a recipient, as much as choosing a service needs. */
export interface StructureServices {
  readonly found: boolean
  readonly active: boolean
  readonly name: string | null
  readonly serviceRequired: boolean
  readonly engagementRequired: boolean
  readonly serviceOrEngagement: boolean
  readonly services: ReadonlyArray<{ readonly code: string; readonly label: string | null; readonly active: boolean; readonly engagementRequired: boolean }>
}

export interface ServiceChoice {
  readonly code: string
  readonly label: string | null
  /** An engagement number must come with it (the structure's rule or the service's own). */
  readonly engagementRequired: boolean
}

/**
 * The services an invoice to this recipient can be sent to, as Chorus Pro would accept them (issue 17,
 * item 5): active ones only, never FACTURES_PUBLIQUES (public-to-public invoices), each saying whether
 * it needs an engagement number.
 */
export function acceptableServices(s: StructureServices): ServiceChoice[] {
  if (!s.found || !s.active) return []
  return s.services
    .filter((v) => v.active && v.code.toUpperCase() !== RESERVED_SERVICE_CODE)
    .map((v) => ({ code: v.code, label: v.label, engagementRequired: s.engagementRequired || v.engagementRequired }))
    .sort((a, b) => a.code.localeCompare(b.code))
}

/** "ACHATS (Direction des achats)" or, needing an engagement, "TRAVAUX (Direction des travaux) : numéro d’engagement exigé". */
export function serviceChoiceText(c: ServiceChoice): Localized {
  const name = c.label ? `${c.code} (${c.label})` : c.code
  return c.engagementRequired ? { fr: `${name} : numéro d’engagement exigé`, en: `${name}: engagement number required` } : { fr: name, en: name }
}

/** What the recipient asks of every invoice, in a sentence; null when it asks nothing. */
export function structureNeeds(s: StructureServices): Localized | null {
  const who = s.name ?? ''
  if (!s.found) return { fr: 'SIRET inconnu de l’annuaire Chorus Pro : vérifiez-le.', en: 'SIRET unknown to the Chorus Pro directory: check it.' }
  if (!s.active) return { fr: `${who} est inactif dans Chorus Pro : il ne reçoit plus de factures.`, en: `${who} is inactive in Chorus Pro: it no longer receives invoices.` }
  if (s.serviceRequired && s.engagementRequired) return { fr: `${who} exige un code service et un numéro d’engagement.`, en: `${who} requires a service code and an engagement number.` }
  if (s.serviceRequired) return { fr: `${who} exige un code service.`, en: `${who} requires a service code.` }
  if (s.engagementRequired) return { fr: `${who} exige un numéro d’engagement.`, en: `${who} requires an engagement number.` }
  if (s.serviceOrEngagement) return { fr: `${who} exige un code service ou un numéro d’engagement.`, en: `${who} requires a service code or an engagement number.` }
  return null
}
