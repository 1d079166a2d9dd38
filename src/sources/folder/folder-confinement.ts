import { mkdir, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { Localized } from '../../domain/localized'

/** Where folder sources may live: the operator's roots (FOLDER_SOURCE_ROOTS, else INBOX_DIR), never DATA_DIR. */
export interface FolderConfinement {
  readonly roots: readonly string[]
  readonly dataDir: string
  readonly inboxDir: string
}

export type ConfinedFolder = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: Localized }

const within = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep)

/**
 * The real path of `path` as the file system resolves it (`..`, symbolic links), for a folder that may
 * not exist yet: the longest existing prefix is resolved and the rest appended.
 */
async function resolveReal(path: string): Promise<string> {
  let head = resolve(path)
  const tail: string[] = []
  for (;;) {
    try {
      return join(await realpath(head), ...tail.reverse())
    } catch {
      const parent = dirname(head)
      if (parent === head) return join(head, ...tail.reverse())
      tail.push(relative(parent, head))
      head = parent
    }
  }
}

/**
 * Checks that a folder source's path is inside an allowed root once resolved, and is neither DATA_DIR,
 * anything above it, nor anything inside it but the inbox (the secret key and the database live there).
 * With `create`, makes the folder, which only ever happens inside an allowed root.
 */
export async function confineFolder(path: string, c: FolderConfinement, opts: { create?: boolean } = {}): Promise<ConfinedFolder> {
  if (!isAbsolute(path)) return { ok: false, reason: { fr: `Le chemin ${path} n’est pas absolu.`, en: `The path ${path} is not absolute.` } }
  const real = await resolveReal(path)
  const dataDir = await resolveReal(c.dataDir)
  const inbox = await resolveReal(c.inboxDir)
  const roots = await Promise.all(c.roots.map(resolveReal))
  if (within(dataDir, real) || (within(real, dataDir) && !within(real, inbox))) {
    return {
      ok: false,
      reason: {
        fr: `Le dossier ${path} est refusé : il contient les données du connecteur (DATA_DIR, sa clé secrète et sa base) ou en fait partie. Choisissez un dossier de dépôt à part.`,
        en: `The folder ${path} is refused: it holds or is part of the connector's own data (DATA_DIR, its secret key and database). Choose a separate drop folder.`,
      },
    }
  }
  if (!roots.some((r) => within(real, r))) {
    const list = c.roots.join(', ')
    return {
      ok: false,
      reason: {
        fr: `Le dossier ${path} est hors des dossiers autorisés (${list}). L’exploitant de la machine en autorise d’autres avec FOLDER_SOURCE_ROOTS.`,
        en: `The folder ${path} is outside the allowed folders (${list}). The machine's operator allows others with FOLDER_SOURCE_ROOTS.`,
      },
    }
  }
  if (opts.create) await mkdir(real, { recursive: true })
  return { ok: true, path: real }
}
