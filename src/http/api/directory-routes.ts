import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import { compactIdentifier, isValidSiret } from '../../domain/siret'
import { defaultAccount, getAccount } from '../../db/accounts'
import { lookupStructure } from '../../workflows/directory/directory-lookup'
import type { Ports } from '../../workflows/ports'
import { apiRoute, apiRouter } from './api-route'

const StructureSchema = z
  .object({
    siret: z.string(),
    found: z.boolean(),
    active: z.boolean(),
    name: z.string().nullable(),
    chorusStructureId: z.string().nullable(),
    serviceRequired: z.boolean(),
    engagementRequired: z.boolean(),
    serviceOrEngagement: z.boolean(),
    services: z.array(z.object({ code: z.string(), label: z.string().nullable(), active: z.boolean(), engagementRequired: z.boolean() })),
    fetchedAt: z.string(),
    fromCache: z.boolean(),
  })
  .openapi('DirectoryStructure')

/** The Chorus Pro directory as the connector sees it: cached for a day, refreshed on demand. */
export function directoryRoutes(ports: Ports) {
  const app = apiRouter()
  app.openapi(
    apiRoute('viewer', {
      method: 'get',
      path: '/structures/{siret}',
      tags: ['directory'],
      summary: 'A public structure by SIRET: active or not, what it requires (service, engagement), its services',
      request: {
        params: z.object({ siret: z.string() }),
        query: z.object({
          refresh: z.enum(['true', 'false']).optional().openapi({ description: 'Ask Chorus Pro now instead of the daily cache.' }),
          accountId: z.string().regex(/^\d+$/).optional().openapi({ description: 'Supplier account whose technical account asks (default: the only active one).' }),
        }),
      },
      responses: { 200: { description: 'The structure', content: { 'application/json': { schema: StructureSchema } } }, 400: { description: 'Not a valid SIRET, or no account to ask with' } },
    }),
    async (c) => {
      const siret = compactIdentifier(c.req.valid('param').siret)
      const { refresh, accountId } = c.req.valid('query')
      if (!isValidSiret(siret)) throw new AppError(400, 'invalid_siret', { fr: `« ${siret} » n’est pas un SIRET valide (14 chiffres, clé de contrôle).`, en: `"${siret}" is not a valid SIRET (14 digits, check digit).` })
      const account = accountId ? await getAccount(ports.db, accountId) : await defaultAccount(ports.db, ports.chorusEnv)
      if (!account) {
        throw new AppError(400, 'account_required', {
          fr: 'Indiquez accountId : il faut le compte technique d’un compte fournisseur pour interroger l’annuaire Chorus Pro.',
          en: 'Give accountId: a supplier account’s technical account is needed to query the Chorus Pro directory.',
        })
      }
      const s = await lookupStructure(ports, account, siret, refresh === 'true' ? { maxAgeMs: 0 } : {})
      return c.json({ siret, ...s, services: s.services.map((x) => ({ ...x, label: x.label ?? null })), fetchedAt: s.fetchedAt.toISOString() }, 200)
    },
  )
  return app
}
