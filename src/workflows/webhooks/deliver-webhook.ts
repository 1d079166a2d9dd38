import { createHmac, timingSafeEqual } from 'node:crypto'
import { sql } from 'kysely'
import { PermanentJobError, type JobRun } from '../jobs'
import type { Ports } from '../ports'
import { AddressRefused, guardedPost } from '../../net/guarded-post'

export const SIGNATURE_HEADER = 'x-chorus-signature'
export const TIMESTAMP_HEADER = 'x-chorus-timestamp'
export const EVENT_HEADER = 'x-chorus-event'
export const DELIVERY_HEADER = 'x-chorus-delivery'
export const DELIVERY_TIMEOUT_MS = 10_000

/**
 * `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the webhook's secret. Signing the timestamp
 * with the body lets the host refuse replays: check the signature, then that the timestamp is recent.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

/** For hosts (and tests): constant-time check of a signature, and of the timestamp's age. */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string, opts: { toleranceSeconds?: number; now?: number } = {}): boolean {
  const age = Math.abs((opts.now ?? Date.now()) / 1000 - Number(timestamp))
  if (!Number.isFinite(age) || age > (opts.toleranceSeconds ?? 300)) return false
  const expected = Buffer.from(signWebhook(secret, timestamp, body))
  const got = Buffer.from(signature)
  return expected.length === got.length && timingSafeEqual(expected, got)
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'skipped'

/**
 * Sends one recorded delivery (the `webhook.deliver` job). 2xx: delivered. Anything else is recorded
 * (status, error, attempt count) and thrown so the job queue retries with its backoff; 410 Gone stops
 * at once. The last attempt marks the delivery failed. A disabled or deleted webhook is skipped.
 */
export async function deliverWebhook(ports: Ports, deliveryId: string, run: Pick<JobRun, 'lastAttempt'>): Promise<DeliveryOutcome> {
  const d = await ports.db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select(['d.id', 'd.event', 'd.payload', 'd.state', 'w.url', 'w.secret_enc', 'w.enabled'])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst()
  if (!d || d.state !== 'pending') return 'skipped'
  if (!d.enabled) {
    await ports.db.updateTable('webhook_deliveries').set({ state: 'failed', error: 'webhook disabled before delivery' }).where('id', '=', deliveryId).execute()
    return 'skipped'
  }
  const body = JSON.stringify({ id: d.id, ...(d.payload as Record<string, unknown>) })
  const timestamp = String(Math.floor(ports.now().getTime() / 1000))
  const secret = ports.secrets.open(d.secret_enc)
  let status: number | null = null
  let error: string | null = null
  try {
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'chorus-pro-connector-webhooks',
      [EVENT_HEADER]: d.event,
      [DELIVERY_HEADER]: d.id,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
    }
    const res = await guardedPost(new URL(d.url), headers, body, { policy: ports.webhookTargets, timeoutMs: DELIVERY_TIMEOUT_MS, keepChars: 200 })
    status = res.status
    // A redirect is not followed: the receiver must answer itself.
    if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}${res.text ? `: ${res.text}` : ''}`
  } catch (e) {
    if (e instanceof AddressRefused) error = `address refused: ${e.message}`
    else error = (e as Error).name === 'TimeoutError' ? `no answer within ${DELIVERY_TIMEOUT_MS} ms` : `network error: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`
  }
  if (!error) {
    await ports.db
      .updateTable('webhook_deliveries')
      .set({ state: 'delivered', attempts: sql<number>`attempts + 1`, response_status: status, error: null, delivered_at: ports.now() })
      .where('id', '=', deliveryId)
      .execute()
    return 'delivered'
  }
  const last = status === 410 || run.lastAttempt
  await ports.db
    .updateTable('webhook_deliveries')
    .set({ state: last ? 'failed' : 'pending', attempts: sql<number>`attempts + 1`, response_status: status, error })
    .where('id', '=', deliveryId)
    .execute()
  if (status === 410) throw new PermanentJobError(`webhook delivery ${deliveryId}: the receiver answered 410 Gone`)
  if (last) return 'failed'
  throw new Error(`webhook delivery ${deliveryId}: ${error}`)
}
