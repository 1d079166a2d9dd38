/**
 * Factur-X / ZUGFeRD profiles, from the guideline id (BT-24). Only EN16931 and richer carry every
 * field Chorus Pro's structured route (IN_DP_E2_CII_FACTURX) checks; MINIMUM and BASIC WL have no
 * invoice lines and are, in France, not invoices in the legal sense.
 */
export const FACTURX_PROFILES = ['MINIMUM', 'BASIC WL', 'BASIC', 'EN16931', 'EXTENDED'] as const
export type FacturxProfile = (typeof FACTURX_PROFILES)[number]

export function facturxProfileOf(guidelineId: string | null): FacturxProfile | null {
  if (!guidelineId) return null
  const id = guidelineId.trim().toLowerCase()
  if (id.includes('extended')) return 'EXTENDED'
  if (id.includes('basicwl') || id.includes('basic-wl') || id.includes('basic wl')) return 'BASIC WL'
  if (id.includes('minimum')) return 'MINIMUM'
  if (id.includes(':basic')) return 'BASIC'
  // Plain EN16931, and CIUS built on it (XRechnung, Peppol BIS) whose id starts with it.
  if (id.startsWith('urn:cen.eu:en16931:2017')) return 'EN16931'
  return null
}

export function isAtLeastEn16931(profile: FacturxProfile | null): boolean {
  return profile === 'EN16931' || profile === 'EXTENDED'
}
