import type { Ports } from '../ports'
import {
  checkDirectory,
  findMapping,
  suggestMappings,
  type DirectoryCheck,
  type MappingMatch,
  type RecipientMapping,
} from '../../db/recipient-mappings'

export interface ResolvedRecipient {
  /** The mapping that applies (the account's before a global one), or null. */
  readonly match: MappingMatch | null
  /** The directory check of the applied mapping; null when there is none. */
  readonly directory: DirectoryCheck | null
  /**
   * Close labels for a person to choose from, only when no mapping applies. Never applied on their
   * own: a wrong recipient is an invoice sent to the wrong public body.
   */
  readonly suggestions: ReadonlyArray<{ readonly mapping: RecipientMapping; readonly score: number; readonly directory: DirectoryCheck }>
}

export interface ResolveOptions {
  readonly suggestionLimit?: number
  /**
   * Refreshes the cached directory entry of a SIRET before it is read (the directory lookup
   * workflow, when wired). Its failure is not the resolver's: the cache is read as it is.
   */
  readonly refreshDirectory?: (siret: string) => Promise<unknown>
}

/** The label printed on an invoice → the routing to use, its directory status, and suggestions. */
export async function resolveRecipient(
  ports: Pick<Ports, 'db' | 'chorusEnv' | 'logger'>,
  input: { readonly label: string; readonly accountId?: string | number | null | undefined },
  options: ResolveOptions = {},
): Promise<ResolvedRecipient> {
  const match = await findMapping(ports.db, input.accountId ?? null, input.label)
  if (match) {
    if (options.refreshDirectory) {
      try {
        await options.refreshDirectory(match.mapping.recipientSiret)
      } catch (err) {
        ports.logger.warn({ err: err instanceof Error ? { message: err.message, name: err.name } : String(err), siret: match.mapping.recipientSiret }, 'directory refresh failed; using the cached directory')
      }
    }
    const [directory] = await checkDirectory(ports.db, ports.chorusEnv, [match.mapping])
    return { match, directory: directory!, suggestions: [] }
  }
  const found = await suggestMappings(ports.db, input.accountId ?? null, input.label, options.suggestionLimit ?? 5)
  const checks = await checkDirectory(ports.db, ports.chorusEnv, found.map((s) => s.mapping))
  return { match: null, directory: null, suggestions: found.map((s, i) => ({ ...s, directory: checks[i]! })) }
}
