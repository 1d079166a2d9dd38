import { audit } from '../../db/audit'
import type { Ports } from '../ports'

/** Sends a failed delivery again, with a fresh set of attempts; audited. */
export async function redeliverWebhook(ports: Ports, deliveryId: string, actor: string) {
  const row = await ports.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('webhook_deliveries').set({ state: 'pending', error: null }).where('id', '=', deliveryId).returningAll().executeTakeFirstOrThrow()
    await ports.jobs.enqueue('webhook.deliver', { deliveryId }, { within: trx })
    return r
  })
  await audit(ports.db, { actor, action: 'webhook.redeliver', targetType: 'webhook_delivery', targetId: deliveryId })
  return row
}
