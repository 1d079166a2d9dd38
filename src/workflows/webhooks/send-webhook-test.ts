import type { Ports } from '../ports'

/** A signed `webhook.test` event for one webhook, sent now by the queue (3 attempts: a person is watching). */
export async function sendWebhookTest(ports: Ports, webhookId: string) {
  return ports.db.transaction().execute(async (trx) => {
    const payload = { event: 'webhook.test', occurredAt: ports.now().toISOString(), data: { message: 'Test du webhook / webhook test' } }
    const row = await trx.insertInto('webhook_deliveries').values({ webhook_id: webhookId, event: 'webhook.test', payload: JSON.stringify(payload) }).returningAll().executeTakeFirstOrThrow()
    await ports.jobs.enqueue('webhook.deliver', { deliveryId: row.id }, { within: trx, maxAttempts: 3 })
    return row
  })
}
