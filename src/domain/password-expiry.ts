import type { Localized } from './localized'

/**
 * Chorus Pro technical passwords (reference "Updates checked 2026-11", communaute.chorus-pro.gouv.fr
 * "bonnes pratiques"): a technical account's password must be changed every 424 days (about 14 months),
 * and only the structure's main manager ("gestionnaire principal") can change it. `consulterStructure`
 * gives the date (`informationGenerales.dateExpirationMotPasseCompteTech`).
 */
export const TECHNICAL_PASSWORD_LIFETIME_DAYS = 424

/**
 * How far ahead the connector warns. The reference is silent on a period; OCA's reminder e-mail goes 15
 * days ahead (reference §5, 17.0 data/cron.xml). Renewal needs the structure's main manager, often not the
 * person who sees the warning, so we give a month.
 */
export const PASSWORD_WARNING_DAYS = 30

export interface PasswordExpiry {
  readonly expiresOn: string
  /** Whole days from today (Paris) to the expiry day; negative once expired. */
  readonly daysLeft: number
  readonly expired: boolean
  /** Within PASSWORD_WARNING_DAYS, or expired. */
  readonly warn: boolean
  readonly warning: Localized | null
}

const RENEW = {
  fr: `seul le gestionnaire principal de la structure peut le renouveler dans Chorus Pro (il doit l’être tous les ${TECHNICAL_PASSWORD_LIFETIME_DAYS} jours), puis enregistrez le nouveau mot de passe ici`,
  en: `only the structure's main manager can renew it in Chorus Pro (it must be renewed every ${TECHNICAL_PASSWORD_LIFETIME_DAYS} days), then save the new password here`,
}

/** `today` is the Paris calendar day (YYYY-MM-DD). Null when the expiry date is unknown or unreadable. */
export function passwordExpiry(expiresOn: string | null | undefined, today: string): PasswordExpiry | null {
  if (!expiresOn || !/^\d{4}-\d{2}-\d{2}$/.test(expiresOn)) return null
  const daysLeft = Math.round((Date.parse(expiresOn) - Date.parse(today)) / 86_400_000)
  if (!Number.isFinite(daysLeft)) return null
  const expired = daysLeft < 0
  const warn = daysLeft <= PASSWORD_WARNING_DAYS
  const warning: Localized | null = expired
    ? { fr: `Le mot de passe du compte technique a expiré le ${expiresOn} : ${RENEW.fr}.`, en: `The technical account password expired on ${expiresOn}: ${RENEW.en}.` }
    : warn
      ? { fr: `Le mot de passe du compte technique expire dans ${daysLeft} jour(s) (${expiresOn}) : ${RENEW.fr}.`, en: `The technical account password expires in ${daysLeft} day(s) (${expiresOn}): ${RENEW.en}.` }
      : null
  return { expiresOn, daysLeft, expired, warn, warning }
}
