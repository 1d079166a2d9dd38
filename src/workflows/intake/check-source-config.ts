import { statSync } from 'node:fs'
import type { SourceRow } from '../../db/sources'
import { AppError } from '../../domain/app-error'
import { FolderConfigSchema } from '../../sources/folder/folder-config'
import { confineFolder, type FolderConfinement } from '../../sources/folder/folder-confinement'
import { OdooConfigInput } from '../../sources/odoo/odoo-config'
import type { Ports } from '../ports'

/** Where this service's folder sources may live. */
export function folderConfinementOf(ports: Pick<Ports, 'dataDir' | 'inboxDir' | 'folderSourceRoots'>): FolderConfinement {
  return { roots: ports.folderSourceRoots ?? [ports.inboxDir], dataDir: ports.dataDir, inboxDir: ports.inboxDir }
}

function invalidConfig(issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>): AppError {
  return new AppError(
    400,
    'invalid_source_config',
    { fr: 'La configuration de la source est invalide : voir details.', en: 'The source configuration is invalid: see details.' },
    issues.map((i) => ({ field: ['config', ...i.path.map(String)].join('.'), message: i.message })),
  )
}

/**
 * Validates a source's config for its kind before it is stored. A folder must resolve (`..` and links
 * followed) inside a root the operator allows and outside the connector's data; it is created there
 * when missing, and nowhere else. An Odoo API key is sealed (the previous one kept when none is given).
 */
export async function checkSourceConfig(ports: Ports, kind: SourceRow['kind'], config: Record<string, unknown>, previous?: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (kind === 'push') {
    if (Object.keys(config).length) throw new AppError(400, 'invalid_source_config', { fr: 'Une source « push » n’a pas de configuration.', en: 'A push source has no configuration.' })
    return {}
  }
  if (kind === 'folder') {
    const r = FolderConfigSchema.safeParse(config)
    if (!r.success) throw invalidConfig(r.error.issues)
    const confined = await confineFolder(r.data.path, folderConfinementOf(ports), { create: true }).catch((e: Error) => {
      throw new AppError(400, 'folder_unusable', { fr: `Le dossier ${r.data.path} est inutilisable (${e.message}). Vérifiez le chemin et les droits.`, en: `The folder ${r.data.path} cannot be used (${e.message}). Check the path and permissions.` }, [{ field: 'config.path', message: e.message }])
    })
    if (!confined.ok) throw new AppError(400, 'folder_not_allowed', confined.reason, [{ field: 'config.path', message: confined.reason.en }])
    if (!statSync(confined.path).isDirectory()) {
      throw new AppError(400, 'folder_unusable', { fr: `${r.data.path} n’est pas un dossier.`, en: `${r.data.path} is not a folder.` }, [{ field: 'config.path', message: 'not a directory' }])
    }
    return r.data
  }
  const keepKey = typeof previous?.apiKeyEnc === 'string'
  const r = (keepKey ? OdooConfigInput.partial({ apiKey: true }) : OdooConfigInput).safeParse(config)
  if (!r.success) throw invalidConfig(r.error.issues)
  const { apiKey, ...rest } = r.data
  return { ...rest, apiKeyEnc: apiKey ? ports.secrets.seal(apiKey) : previous?.apiKeyEnc }
}
