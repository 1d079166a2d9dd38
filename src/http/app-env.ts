import type { Logger } from 'pino'
import type { Lang } from '../domain/localized'
import type { PublicApiKey } from '../db/api-keys'

/** What middleware puts on the Hono context for the handlers after it. */
export interface AppEnv {
  Variables: {
    requestId: string
    lang: Lang
    logger: Logger
    apiKey: PublicApiKey
  }
}

/** Who did it, for events and the audit log: `key:<id>:<name>`. */
export function actorOf(key: PublicApiKey | undefined): string {
  return key ? `key:${key.id}:${key.name}` : 'system'
}
