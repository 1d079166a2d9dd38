import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema'
import type { Ports } from '../ports'

/**
 * `document.needs_attention`: a document waits in To submit, red (analysis left problems, or Chorus Pro
 * refused its submission), with its reasons. `account.password_expiring`: a supplier account's
 * technical password expires within 30 days or has expired (the daily account check, once a day). Both are what
 * the tab pages show, so a host can raise its own alerts.
 */
export const WEBHOOK_EVENTS = ['document.analysed', 'document.error', 'document.needs_attention', 'invoice.submitted', 'invoice.status_changed', 'invoice.to_process', 'account.password_expiring'] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

/**
 * Records one delivery per enabled webhook subscribed to the event and enqueues its sending, in the
 * caller's transaction: the event exists exactly when the change that caused it does. Sending,
 * signing and retries are the `webhook.deliver` job's work.
 */
export async function emitWebhookEvent(ports: Pick<Ports, 'jobs'>, db: Kysely<DB> | Transaction<DB>, event: WebhookEvent, data: Record<string, unknown>): Promise<number> {
  const hooks = await db.selectFrom('webhooks').select(['id', 'events']).where('enabled', '=', true).execute()
  let n = 0
  for (const h of hooks) {
    const events = h.events as string[]
    if (events.length > 0 && !events.includes(event)) continue
    const payload = { event, occurredAt: new Date().toISOString(), data }
    const d = await db.insertInto('webhook_deliveries').values({ webhook_id: h.id, event, payload: JSON.stringify(payload) }).returning('id').executeTakeFirstOrThrow()
    await ports.jobs.enqueue('webhook.deliver', { deliveryId: d.id }, { within: db })
    n++
  }
  return n
}
