import { AsyncLocalStorage } from 'node:async_hooks'

const background = new AsyncLocalStorage<true>()

/**
 * Runs `work` as background work: on the embedded database's one connection, its queries wait while a
 * request's queries are queued (see pglite-thread-dialect.ts). The job worker runs everything it does
 * this way; requests, start-up and the CLI stay in front.
 */
export function asBackground<T>(work: () => Promise<T>): Promise<T> {
  return background.run(true, work)
}

/** True inside asBackground(). */
export function isBackground(): boolean {
  return background.getStore() === true
}
