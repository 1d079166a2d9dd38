import type { Kysely, Transaction } from 'kysely'
import type { Logger } from 'pino'
import type { DB, Job } from '../db/schema'

export interface JobContext {
  readonly db: Kysely<DB>
  readonly logger: Logger
  /** Aborted when the worker shuts down past its deadline or loses the lease. */
  readonly signal: AbortSignal
  /**
   * Marks the job done inside the handler's transaction, so its database effects and its completion
   * commit together (exactly-once for effects that live in the database). Throws LeaseLostError
   * when another worker has taken the job, which rolls the transaction back.
   */
  completeWithin(trx: Transaction<DB>): Promise<void>
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<void>
export type JobHandlers = Readonly<Record<string, JobHandler>>

/** Throw from a handler when retrying cannot help: the job goes to dead at once with this message. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError'
}

/** Throw from a handler to come back later without spending an attempt (e.g. Chorus Pro is down and its circuit is open). */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError'
  constructor(message: string, readonly delayMs: number) {
    super(message)
  }
}
