import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import type { Database } from '../../db/database'
import { createUiTicket, purgeExpiredUi } from '../../db/ui-sessions'
import { apiRoute, apiRouter } from './api-route'

export const UI_TABS = ['to-submit', 'to-process', 'tracking', 'recipients', 'settings'] as const

const CreateBody = z
  .object({
    tab: z.enum(UI_TABS).optional().openapi({ description: 'The tab the ticket opens (to-submit by default)' }),
    lang: z.enum(['fr', 'en']).optional().openapi({ description: 'Language of the pages; French by default, else Accept-Language' }),
  })
  .strict()

const TicketSchema = z
  .object({
    url: z.string().openapi({ description: 'One-time link that opens the tab pages (put it in the host’s iframe); it works once, within 60 seconds', example: 'https://connector.example.org/ui/enter?ticket=…' }),
    expiresAt: z.string(),
  })
  .openapi('UiTicket')

/**
 * `POST /ui-sessions`: a one-time ticket link to the tab pages. The pages then act with the role of
 * the key that asked for the ticket (a viewer key gives a read-only session), and no key ever
 * appears in a page or a URL.
 */
/**
 * `publicUrl`: where people reach us, from configuration only (PUBLIC_URL, else the listen address):
 * a link built from the request's Host header would send the ticket wherever a forged header says.
 */
export function uiSessionsRoutes(db: Database, opts: { publicUrl: () => string }) {
  const app = apiRouter()
  app.openapi(
    apiRoute('viewer', {
      method: 'post',
      path: '/ui-sessions',
      tags: ['ui'],
      summary: 'A one-time ticket URL that opens the tab pages with this key’s role (HttpOnly cookie session)',
      request: { body: { required: false, content: { 'application/json': { schema: CreateBody } } } },
      responses: { 201: { description: 'Ticket', content: { 'application/json': { schema: TicketSchema } } } },
    }),
    async (c) => {
      const raw = await c.req.text()
      let json: unknown = {}
      if (raw.trim()) {
        try {
          json = JSON.parse(raw)
        } catch {
          throw new AppError(400, 'malformed_json', { fr: 'Le corps de la requête n’est pas un JSON valide.', en: 'The request body is not valid JSON.' })
        }
      }
      const body = CreateBody.parse(json)
      await purgeExpiredUi(db)
      const { ticket, expiresAt } = await createUiTicket(db, { apiKeyId: c.get('apiKey').id, lang: body.lang, tab: body.tab })
      const base = opts.publicUrl()
      return c.json({ url: `${base}/ui/enter?ticket=${encodeURIComponent(ticket)}`, expiresAt: expiresAt.toISOString() }, 201)
    },
  )
  return app
}
