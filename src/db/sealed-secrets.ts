import { sql } from 'kysely'
import type { Database } from './database'

/**
 * One secret sealed at rest (a technical password, a webhook secret, an Odoo API key, the SMTP password), or undefined
 * when none is stored: tells at start-up whether the secret key in use is the one they were sealed with.
 */
export async function oneSealedSecret(db: Database): Promise<string | undefined> {
  const r = await sql<{ sealed: string }>`
    select technical_password_enc as sealed from accounts
    union all select secret_enc from webhooks
    union all select config->>'apiKeyEnc' from sources where config->>'apiKeyEnc' is not null
    union all select password_enc from mail_settings where password_enc is not null
    limit 1`.execute(db)
  return r.rows[0]?.sealed
}
