import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import { isValidSiret, compactIdentifier } from '../../domain/siret'
import { todayIn } from '../../domain/calendar-date'
import { passwordExpiry } from '../../domain/password-expiry'
import { createAccount, getAccount, listAccounts, updateAccount } from '../../db/accounts'
import { audit } from '../../db/audit'
import type { Account } from '../../db/schema'
import { expiryWarning, testAccountConnection } from '../../workflows/accounts/test-account-connection'
import type { Ports } from '../../workflows/ports'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'

const siret = z
  .string()
  .transform((v) => compactIdentifier(v))
  .refine(isValidSiret, { message: 'expected a valid 14-digit SIRET (check digit included), e.g. 12345678200010' })

const AccountInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    siret,
    technicalLogin: z.string().trim().min(1).max(200).openapi({ example: 'TECH_1_123456@cpro.fr' }),
    technicalPassword: z.string().min(1).max(200).openapi({ description: 'Write-only: stored encrypted, never returned.' }),
    autoSubmit: z.boolean().optional(),
    submissionRoute: z.enum(['auto', 'pdf', 'facturx']).optional().openapi({ description: '`auto` (default): a valid Factur-X goes as a flow (deposer/flux), any other PDF, and a Factur-X whose fields were completed outside its XML, by the PDF route; `pdf`: always the PDF route; `facturx`: the flow whenever the document allows it' }),
    checkEngagements: z.boolean().optional(),
    sendAttachments: z.boolean().optional(),
  })
  .strict()

const AccountPatch = AccountInput.partial().extend({ disabled: z.boolean().optional() }).strict()

const AccountSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    siret: z.string(),
    technicalLogin: z.string(),
    hasTechnicalPassword: z.boolean(),
    environment: z.string(),
    chorusStructureId: z.string().nullable(),
    autoSubmit: z.boolean(),
    submissionRoute: z.enum(['auto', 'pdf', 'facturx']),
    checkEngagements: z.boolean(),
    sendAttachments: z.boolean(),
    isDemo: z.boolean(),
    passwordExpiresOn: z.string().nullable(),
    passwordWarning: z.object({ fr: z.string(), en: z.string() }).nullable().openapi({ description: 'Set 30 days before the technical password expires (every 424 days; only the structure’s main manager renews it in Chorus Pro), and once it has' }),
    passwordExpiresInDays: z.number().int().nullable().openapi({ description: 'Days left before the technical password expires (negative once expired); null when Chorus Pro gave no date' }),
    lastConnectionCheck: z.unknown().nullable(),
    disabled: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('SupplierAccount')

export function presentAccount(a: Account, now = new Date()) {
  return {
    id: a.id,
    name: a.name,
    siret: a.siret,
    technicalLogin: a.technical_login,
    hasTechnicalPassword: Boolean(a.technical_password_enc),
    environment: a.environment,
    chorusStructureId: a.chorus_structure_id,
    autoSubmit: a.auto_submit,
    submissionRoute: a.submission_route,
    checkEngagements: a.check_engagements,
    sendAttachments: a.send_attachments,
    isDemo: a.is_demo,
    passwordExpiresOn: a.password_expires_on,
    passwordWarning: expiryWarning(a.password_expires_on, now),
    passwordExpiresInDays: passwordExpiry(a.password_expires_on, todayIn('Europe/Paris', now))?.daysLeft ?? null,
    lastConnectionCheck: a.last_connection_check,
    disabled: a.disabled_at !== null,
    createdAt: a.created_at.toISOString(),
  }
}

const IdParam = z.object({ id: z.string().regex(/^\d+$/, 'expected a numeric account id') })
const notFound = (id: string) => new AppError(404, 'account_not_found', { fr: `Compte fournisseur ${id} introuvable.`, en: `Supplier account ${id} not found.` })

/** Supplier accounts ("providers"): several per instance, each with its SIRET and Chorus technical account. */
export function accountsRoutes(ports: Ports) {
  const app = apiRouter()
  const json = { 'application/json': { schema: AccountSchema } }

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/accounts', tags: ['admin'], summary: 'List supplier accounts', responses: { 200: { description: 'Accounts', content: { 'application/json': { schema: z.object({ items: z.array(AccountSchema), nextCursor: z.null(), total: z.number() }) } } } } }),
    async (c) => {
      const items = (await listAccounts(ports.db)).map((a) => presentAccount(a, ports.now()))
      return c.json({ items, nextCursor: null, total: items.length }, 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'post', path: '/accounts', tags: ['admin'], summary: 'Create a supplier account', request: { body: { required: true, content: { 'application/json': { schema: AccountInput } } } }, responses: { 201: { description: 'Created', content: json } } }),
    async (c) => {
      const body = c.req.valid('json')
      const a = await createAccount(ports.db, ports.secrets, ports.chorusEnv, body)
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'account.create', targetType: 'account', targetId: a.id, details: { name: a.name, siret: a.siret } })
      return c.json(presentAccount(a, ports.now()), 201)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'get', path: '/accounts/{id}', tags: ['admin'], summary: 'One supplier account', request: { params: IdParam }, responses: { 200: { description: 'Account', content: json }, 404: { description: 'Not found' } } }),
    async (c) => {
      const a = await getAccount(ports.db, c.req.valid('param').id)
      if (!a) throw notFound(c.req.valid('param').id)
      return c.json(presentAccount(a, ports.now()), 200)
    },
  )

  app.openapi(
    apiRoute('admin', { method: 'patch', path: '/accounts/{id}', tags: ['admin'], summary: 'Change a supplier account (a new technicalPassword replaces the stored one)', request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: AccountPatch } } } }, responses: { 200: { description: 'Account', content: json }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const patch = c.req.valid('json')
      const a = await updateAccount(ports.db, ports.secrets, id, patch)
      if (!a) throw notFound(id)
      const changed = Object.keys(patch).map((k) => (k === 'technicalPassword' ? 'technicalPassword (changed)' : k))
      await audit(ports.db, { actor: actorOf(c.get('apiKey')), action: 'account.update', targetType: 'account', targetId: id, details: { changed } })
      return c.json(presentAccount(a, ports.now()), 200)
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'post',
      path: '/accounts/{id}/test-connection',
      tags: ['admin'],
      summary: 'Test the PISTE application, the technical account, the linked structure and the password expiry',
      request: { params: IdParam },
      responses: { 200: { description: 'Each step with its result; ok is false when one failed', content: { 'application/json': { schema: z.object({ ok: z.boolean(), steps: z.array(z.object({ step: z.string(), ok: z.boolean(), message: z.string(), raw: z.unknown().optional() })), account: AccountSchema }) } } }, 404: { description: 'Not found' } },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const a = await getAccount(ports.db, id)
      if (!a) throw notFound(id)
      const check = await testAccountConnection(ports, a)
      const lang = c.get('lang')
      const updated = (await getAccount(ports.db, id))!
      return c.json({ ok: check.ok, steps: check.steps.map((s) => ({ step: s.step, ok: s.ok, message: s.message[lang], raw: s.raw })), account: presentAccount(updated, ports.now()) }, 200)
    },
  )
  return app
}
