import { sql, type RawBuilder } from 'kysely'

/**
 * The database's clock, typed as the Date a timestamp column takes, so `set({ updated_at: now() })`
 * compiles without a cast. The database's clock rather than this process's: several instances on one
 * PostgreSQL then agree on every lease and every "older than" however their own clocks drift.
 */
export function now(): RawBuilder<Date> {
  return sql<Date>`now()`
}

/** `now() + interval` in seconds, for leases and retry times set by the database's clock. */
export function secondsFromNow(seconds: number): RawBuilder<Date> {
  return sql<Date>`now() + make_interval(secs => ${seconds})`
}
