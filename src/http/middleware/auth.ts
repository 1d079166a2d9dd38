import type { MiddlewareHandler } from 'hono'
import { AppError } from '../../domain/app-error'
import type { Database } from '../../db/database'
import { findActiveApiKey, roleAtLeast } from '../../db/api-keys'
import type { Role } from '../../db/schema'
import type { AppEnv } from '../app-env'

/** Every /api route: a valid `Authorization: Bearer <key>`, else 401. Keys never travel in URLs. */
export function authenticate(db: Database): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
    const key = m ? await findActiveApiKey(db, m[1]!) : undefined
    if (!key) {
      c.header('WWW-Authenticate', 'Bearer realm="chorus-pro-connector"')
      throw new AppError(401, 'unauthorized', {
        fr: header ? 'Clé d’API invalide ou révoquée. Demandez une nouvelle clé à votre administrateur.' : 'Clé d’API absente. Envoyez l’en-tête Authorization: Bearer <clé>.',
        en: header ? 'Invalid or revoked API key. Ask your administrator for a new key.' : 'Missing API key. Send the header Authorization: Bearer <key>.',
      })
    }
    c.set('apiKey', key)
    await next()
  }
}

const roleNames = { viewer: { fr: 'lecteur', en: 'viewer' }, operator: { fr: 'opérateur', en: 'operator' }, admin: { fr: 'administrateur', en: 'admin' } }

/** The route's minimum role; 403 with the role needed when the key's role is weaker. */
export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.get('apiKey')
    if (!key || !roleAtLeast(key.role, role)) {
      throw new AppError(403, 'forbidden', {
        fr: `Cette action demande le rôle ${roleNames[role].fr} ; la clé utilisée a le rôle ${key ? roleNames[key.role].fr : 'aucun'}.`,
        en: `This action needs the ${roleNames[role].en} role; the key used has the ${key ? roleNames[key.role].en : 'no'} role.`,
      }, { requiredRole: role, keyRole: key?.role })
    }
    await next()
  }
}
