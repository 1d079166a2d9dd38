import type { JobKind, JobPayloads, JobRun } from '../workflows/jobs'

/** Runs one job of kind K: it calls one workflow and nothing else (src/wiring.ts lists them all). */
export type JobHandler<K extends JobKind> = (payload: JobPayloads[K], run: JobRun) => Promise<unknown>

/** A handler for every job kind: a kind added to src/workflows/jobs.ts without one does not compile. */
export type JobHandlerMap = { readonly [K in JobKind]: JobHandler<K> }
