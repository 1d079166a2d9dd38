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

/**
 * ZUGFeRD 1.0 (2014) profiles. Its XML is a CrossIndustryDocument (urn:ferd:CrossIndustryDocument:
 * invoice:1p0), older than and different from the CII D16B of Factur-X / ZUGFeRD 2.x, and Chorus
 * Pro's structured route does not take it, whatever the profile: such an invoice goes the PDF route.
 */
export const ZUGFERD1_PROFILES = ['ZUGFeRD 1.0 BASIC', 'ZUGFeRD 1.0 COMFORT', 'ZUGFeRD 1.0 EXTENDED'] as const
export type Zugferd1Profile = (typeof ZUGFERD1_PROFILES)[number]

/** Any profile an embedded invoice may declare. */
export type InvoiceProfile = FacturxProfile | Zugferd1Profile

/** `urn:ferd:CrossIndustryDocument:invoice:1p0:comfort`, and the release candidate's `urn:ferd:invoice:1.0:comfort`. */
export function zugferd1ProfileOf(guidelineId: string | null): Zugferd1Profile | null {
  const id = guidelineId?.trim().toLowerCase()
  if (!id || !/^urn:ferd:(crossindustrydocument:invoice:1p0|invoice:1\.0|invoice:rc)/.test(id)) return null
  if (id.endsWith(':extended')) return 'ZUGFeRD 1.0 EXTENDED'
  if (id.endsWith(':comfort')) return 'ZUGFeRD 1.0 COMFORT'
  if (id.endsWith(':basic')) return 'ZUGFeRD 1.0 BASIC'
  return null
}
