import type { UpdateObject } from 'kysely'
import type { Database } from './database'
import type { DB } from './schema'
import { now } from './sql-now'
import type { SecretBox } from '../secrets/secret-box'

export interface WebhookInput {
  readonly url: string
  readonly secret: string
  readonly events: readonly string[]
  readonly enabled?: boolean
}

export function createWebhook(db: Database, secrets: SecretBox, input: WebhookInput) {
  return db
    .insertInto('webhooks')
    .values({ url: input.url, secret_enc: secrets.seal(input.secret), events: JSON.stringify(input.events), enabled: input.enabled ?? true })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export function updateWebhook(db: Database, secrets: SecretBox, id: string, patch: Partial<WebhookInput>) {
  const set: UpdateObject<DB, 'webhooks'> = { updated_at: now() }
  if (patch.url !== undefined) set.url = patch.url
  if (patch.secret !== undefined) set.secret_enc = secrets.seal(patch.secret)
  if (patch.events !== undefined) set.events = JSON.stringify(patch.events)
  if (patch.enabled !== undefined) set.enabled = patch.enabled
  return db.updateTable('webhooks').set(set).where('id', '=', id).returningAll().executeTakeFirst()
}

export function getWebhook(db: Database, id: string) {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst()
}

export function listWebhooks(db: Database) {
  return db.selectFrom('webhooks').selectAll().orderBy('id').execute()
}

export async function deleteWebhook(db: Database, id: string): Promise<boolean> {
  const r = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst()
  return Number(r.numDeletedRows) > 0
}

/** The delivery log of a webhook, newest first, keyset on id. */
export function listDeliveries(db: Database, webhookId: string, beforeId: string | undefined, limit: number) {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit)
  if (beforeId) q = q.where('id', '<', beforeId)
  return q.execute()
}

export function getDelivery(db: Database, id: string) {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst()
}
