import type { Logger } from 'pino'
import type { Database } from '../db/database'
import type { SecretBox } from '../secrets/secret-box'
import type { ChorusClient, ChorusEnvironment } from '../chorus'
import type { CopyOut } from '../db/copy-out'
import type { JobQueue } from './jobs'
import type { AddressPolicy } from '../domain/address-policy'

/**
 * What workflows and routes are given instead of importing adapters. `chorus` is bound once the
 * HTTP server listens (in sandbox mode the client calls our own port), so read it at call time,
 * never capture it at construction.
 */
export interface Ports {
  readonly db: Database
  readonly logger: Logger
  readonly secrets: SecretBox
  readonly chorus: ChorusClient
  readonly chorusEnv: ChorusEnvironment
  /** Injected for tests of date rules ("not in the future", password expiry). */
  readonly now: () => Date
  /** The job queue: `ports.jobs.enqueue(kind, payload, { within: trx })` (kinds in ./jobs.ts). */
  readonly jobs: JobQueue
  /** Where webhooks may be delivered (WEBHOOK_ALLOWED_HOSTS opens loopback and link-local targets). */
  readonly webhookTargets: AddressPolicy
  readonly dataDir: string
  readonly inboxDir: string
  /** Where folder sources may live (FOLDER_SOURCE_ROOTS); the inbox alone when absent. */
  readonly folderSourceRoots?: readonly string[]
  /** PostgreSQL's COPY TO STDOUT for bulk exports; absent on PGlite. */
  readonly copyOut?: CopyOut
}
