import { now } from '../../db/sql-now'
import { sql } from 'kysely'
import type { Account } from '../../db/schema'
import { technicalAccountOf } from '../../db/accounts'
import { isChorusError } from '../../chorus'
import { compactIdentifier } from '../../domain/siret'
import { todayIn } from '../../domain/calendar-date'
import { passwordExpiry, TECHNICAL_PASSWORD_LIFETIME_DAYS } from '../../domain/password-expiry'
import type { Localized } from '../../domain/localized'
import type { Ports } from '../ports'

export type ConnectionStep = 'piste_application' | 'technical_account' | 'structure_linked' | 'password_expiry'

export interface ConnectionCheck {
  readonly ok: boolean
  readonly checkedAt: string
  readonly steps: ReadonlyArray<{ step: ConnectionStep; ok: boolean; message: Localized; raw?: unknown }>
  readonly chorusStructureId: string | null
  readonly passwordExpiresOn: string | null
  /** Set when the password expires within 30 days (or has expired): domain/password-expiry.ts. */
  readonly passwordWarning: Localized | null
}

const ms = (fr: string, en: string): Localized => ({ fr, en })

/** Refusals of the technical account itself (not of the PISTE application). */
const ACCOUNT_REFUSALS: ReadonlySet<string> = new Set(['technical_account_refused', 'technical_password_expired'])

/**
 * Says exactly what is wrong with a supplier account's access, in the order things can fail: the
 * PISTE application (token), the technical account (cpro-account), the supplier structure linked to it,
 * then the password expiry. Records the structure id and expiry it learns on the account.
 */
export async function testAccountConnection(ports: Ports, account: Account): Promise<ConnectionCheck> {
  const steps: Array<ConnectionCheck['steps'][number]> = []
  let structureId: string | null = account.chorus_structure_id
  let expiresOn: string | null = account.password_expires_on
  const finish = async (): Promise<ConnectionCheck> => {
    const ok = steps.every((s) => s.ok)
    const passwordWarning = expiryWarning(expiresOn, ports.now())
    const check: ConnectionCheck = { ok, checkedAt: ports.now().toISOString(), steps, chorusStructureId: structureId, passwordExpiresOn: expiresOn, passwordWarning }
    await ports.db
      .updateTable('accounts')
      .set({ last_connection_check: JSON.stringify(check), chorus_structure_id: structureId, password_expires_on: expiresOn, updated_at: now() })
      .where('id', '=', account.id)
      .execute()
    return check
  }
  const failure = (step: ConnectionStep, e: unknown) => {
    if (isChorusError(e)) {
      steps.push({ step, ok: false, message: { fr: `${e.messages.fr} ${e.catalogue.action.fr}`, en: `${e.messages.en} ${e.catalogue.action.en}` }, raw: { httpStatus: e.httpStatus, codeRetour: e.codeRetour, libelle: e.libelle } })
    } else {
      steps.push({ step, ok: false, message: ms(`Erreur inattendue : ${(e as Error).message}`, `Unexpected error: ${(e as Error).message}`) })
    }
  }

  // 1. The PISTE application: the health check, sent with the technical account like every call. A refusal
  // of the technical account (401 naming the login or password) comes after the token was accepted: the
  // application is fine, and step 2 says what is wrong with the account.
  const tech = technicalAccountOf(account, ports.secrets)
  try {
    await ports.chorus.healthCheck(tech)
    steps.push({ step: 'piste_application', ok: true, message: ms('Application PISTE acceptée (jeton obtenu).', 'PISTE application accepted (token obtained).') })
  } catch (e) {
    if (!(isChorusError(e) && ACCOUNT_REFUSALS.has(e.catalogue.code))) {
      failure('piste_application', e)
      return finish()
    }
    steps.push({ step: 'piste_application', ok: true, message: ms('Application PISTE acceptée (jeton obtenu).', 'PISTE application accepted (token obtained).') })
  }

  // 2. The technical account, and 3. the supplier structure it may invoice for.
  let structures
  try {
    structures = await ports.chorus.recupererStructuresActivesFournisseur(tech)
    steps.push({ step: 'technical_account', ok: true, message: ms(`Compte technique ${account.technical_login} accepté.`, `Technical account ${account.technical_login} accepted.`) })
  } catch (e) {
    failure('technical_account', e)
    return finish()
  }
  const siret = compactIdentifier(account.siret)
  const linked = structures.listeStructures.find((s) => compactIdentifier(String(s.identifiant ?? '')) === siret)
  if (!linked) {
    const known = structures.listeStructures.map((s) => s.identifiant).filter(Boolean).join(', ') || '—'
    steps.push({
      step: 'structure_linked',
      ok: false,
      message: ms(
        `Le compte technique n’est rattaché à aucune structure de SIRET ${siret} (structures rattachées : ${known}). Rattachez-le dans Chorus Pro ou corrigez le SIRET du compte fournisseur.`,
        `The technical account is not linked to a structure with SIRET ${siret} (linked structures: ${known}). Link it in Chorus Pro or correct the supplier account's SIRET.`,
      ),
    })
    return finish()
  }
  structureId = String(linked.idStructureCPP)
  steps.push({ step: 'structure_linked', ok: true, message: ms(`Structure ${siret} rattachée (idStructureCPP ${structureId}).`, `Structure ${siret} linked (idStructureCPP ${structureId}).`) })

  // 4. Password expiry (consulterStructure, dateExpirationMotPasseCompteTech).
  try {
    const s = await ports.chorus.consulterStructure(tech, { idStructureCPP: Number(structureId) })
    const raw = s.informationGenerales?.dateExpirationMotPasseCompteTech
    expiresOn = raw ? raw.slice(0, 10) : null
    const expiry = passwordExpiry(expiresOn, todayIn('Europe/Paris', ports.now()))
    const unknown = ms(
      `Date d’expiration du mot de passe non communiquée par Chorus Pro (un mot de passe technique expire tous les ${TECHNICAL_PASSWORD_LIFETIME_DAYS} jours).`,
      `Password expiry date not given by Chorus Pro (a technical password expires every ${TECHNICAL_PASSWORD_LIFETIME_DAYS} days).`,
    )
    steps.push({
      step: 'password_expiry',
      ok: !expiry?.expired,
      message: expiry?.warning ?? (expiresOn ? ms(`Mot de passe valide jusqu’au ${expiresOn}.`, `Password valid until ${expiresOn}.`) : unknown),
    })
  } catch (e) {
    failure('password_expiry', e)
  }
  return finish()
}

/**
 * The warning shown on the account, PASSWORD_WARNING_DAYS (30) days before the technical password expires
 * and once it has (domain/password-expiry.ts: 424-day passwords, renewed only by the structure's main manager).
 */
export function expiryWarning(expiresOn: string | null, now: Date): Localized | null {
  return passwordExpiry(expiresOn, todayIn('Europe/Paris', now))?.warning ?? null
}
