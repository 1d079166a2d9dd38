import type { Transaction, UpdateObject } from 'kysely'
import type { Database } from './database'
import type { Account, DB } from './schema'
import { now } from './sql-now'
import type { SecretBox } from '../secrets/secret-box'
import type { TechnicalAccount } from '../chorus'
import { registerSecret } from '../logger'

export interface AccountInput {
  readonly name: string
  readonly siret: string
  readonly technicalLogin: string
  readonly technicalPassword: string
  readonly autoSubmit?: boolean
  readonly submissionRoute?: 'auto' | 'pdf' | 'facturx'
  readonly checkEngagements?: boolean
  readonly sendAttachments?: boolean
}

export async function createAccount(db: Database, secrets: SecretBox, environment: string, input: AccountInput & { isDemo?: boolean; chorusStructureId?: number | string | null }): Promise<Account> {
  return db
    .insertInto('accounts')
    .values({
      name: input.name,
      siret: input.siret,
      technical_login: input.technicalLogin,
      technical_password_enc: secrets.seal(input.technicalPassword),
      environment,
      auto_submit: input.autoSubmit ?? false,
      submission_route: input.submissionRoute ?? 'auto',
      submission_route_chosen: input.submissionRoute !== undefined,
      check_engagements: input.checkEngagements ?? false,
      send_attachments: input.sendAttachments ?? false,
      is_demo: input.isDemo ?? false,
      chorus_structure_id: input.chorusStructureId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateAccount(db: Database, secrets: SecretBox, id: string, patch: Partial<AccountInput> & { disabled?: boolean }): Promise<Account | undefined> {
  const set: UpdateObject<DB, 'accounts'> = { updated_at: now() }
  if (patch.name !== undefined) set.name = patch.name
  if (patch.siret !== undefined) {
    set.siret = patch.siret
    set.chorus_structure_id = null // it belongs to the old SIRET; test the connection again to find the new one
  }
  if (patch.technicalLogin !== undefined) set.technical_login = patch.technicalLogin
  if (patch.technicalPassword !== undefined) set.technical_password_enc = secrets.seal(patch.technicalPassword)
  if (patch.autoSubmit !== undefined) set.auto_submit = patch.autoSubmit
  if (patch.submissionRoute !== undefined) {
    set.submission_route = patch.submissionRoute
    set.submission_route_chosen = true
  }
  if (patch.checkEngagements !== undefined) set.check_engagements = patch.checkEngagements
  if (patch.sendAttachments !== undefined) set.send_attachments = patch.sendAttachments
  if (patch.disabled !== undefined) set.disabled_at = patch.disabled ? now() : null
  return db.updateTable('accounts').set(set).where('id', '=', id).returningAll().executeTakeFirst()
}

export function getAccount(db: Database, id: string | number): Promise<Account | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', String(id)).executeTakeFirst()
}

export function listAccounts(db: Database, environment?: string): Promise<Account[]> {
  let q = db.selectFrom('accounts').selectAll().orderBy('id')
  if (environment) q = q.where('environment', '=', environment)
  return q.execute()
}

/** The account's technical account for Chorus calls; its password is decrypted here and registered for log scrubbing. */
export function technicalAccountOf(account: Account, secrets: SecretBox): TechnicalAccount {
  const password = secrets.open(account.technical_password_enc)
  registerSecret(password)
  return { login: account.technical_login, password, label: account.name }
}

/** The account to use when a document names none: the only active one of this environment, or none. */
export async function defaultAccount(db: Database, environment: string): Promise<Account | undefined> {
  const rows = await db.selectFrom('accounts').selectAll().where('environment', '=', environment).where('disabled_at', 'is', null).orderBy('id').limit(2).execute()
  return rows.length === 1 ? rows[0] : undefined
}

/**
 * Takes today's `account.password_expiring` event for the account: true for the first caller of the Paris
 * day `today`, false for every later one (another run, another instance). Use it in the transaction that
 * emits the event, so that the mark and the event commit together.
 */
export async function claimPasswordWarning(db: Database | Transaction<DB>, accountId: string, today: string): Promise<boolean> {
  const r = await db
    .updateTable('accounts')
    .set({ password_warning_sent_on: today })
    .where('id', '=', accountId)
    .where((eb) => eb.or([eb('password_warning_sent_on', 'is', null), eb('password_warning_sent_on', '<>', today)]))
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}
