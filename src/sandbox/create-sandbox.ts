import { Hono, type Context } from 'hono'
import { z } from 'zod'
import * as directory from './directory-handlers'
import * as factures from './factures-handlers'
import { checkCproAccount, injectFaults, issueToken, tokenProblem, unauthorized } from './gateway'
import { isKnownStatus } from '../domain/invoice-status'
import { JsonDecimal, parseJson, stringifyJson } from '../domain/exact-json'
import { planAfter, type OutcomeRule } from './invoice-lifecycle'
import { OK, RefusalError, type SandboxRefusal } from './sandbox-errors'
import { createSandboxStore, type SandboxStore, type SandboxStoreOptions } from './sandbox-store'
import { SANDBOX_CREDENTIALS } from './test-identity'

export interface SandboxOptions extends SandboxStoreOptions {
  /** How long a call picked by `timeoutRate` is held before a 504 (default 120 s; the client gives up first). */
  readonly hangMs?: number
}

export interface Sandbox {
  /** Serves `/api/oauth/token`, `/cpro/<api>/v1/<op>` and `/_sandbox/...` relative to wherever it is mounted. */
  readonly app: Hono
  /** Forgets invoices, flows, attachments, tokens, call counts and faults; restores the configured clock. */
  reset(): void
  readonly store: SandboxStore
}

/** The operations, by path after /cpro/ (the keys of GET /_sandbox/calls). */
const OPERATIONS: Record<string, factures.Handler> = {
  'factures/v1/deposer/pdf': factures.deposerPdf,
  'factures/v1/soumettre': factures.soumettre,
  'factures/v1/deposer/flux': factures.deposerFlux,
  'factures/v1/rechercher/fournisseur': factures.rechercherFournisseur,
  'factures/v1/consulter/fournisseur': factures.consulterFournisseur,
  'factures/v1/consulter/historique': factures.consulterHistorique,
  'factures/v1/recycler': factures.recycler,
  'factures/v1/completer': factures.completer,
  'transverses/v1/ajouter/fichier': directory.ajouterFichier,
  'transverses/v1/consulterCRDetaille': directory.consulterCRDetaille,
  'transverses/v1/recuperer/structures/actives/fournisseur': directory.recupererStructuresActives,
  'structures/v1/rechercher': directory.rechercherStructures,
  'structures/v1/consulter': directory.consulterStructure,
  'structures/v1/rechercher/services': directory.rechercherServices,
  'structures/v1/consulter/service': directory.consulterService,
  'engagementsJuridiques/v1/rechercher': directory.rechercherEngagements,
}

const faultsBody = z.object({
  unavailableRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  timeoutRate: z.number().min(0).max(1).optional(),
  tokenTtlSeconds: z.number().int().min(0).optional(),
  failNext: z.record(z.string(), z.number().int().min(0)).optional(),
  incidentFlowsNext: z.number().int().min(0).optional(),
})

const clockBody = z.object({
  stepMs: z.number().int().min(0).optional(),
  paused: z.boolean().optional(),
  outcomeRules: z
    .array(
      z.object({
        numeroFacture: z.string().optional(),
        codeDestinataire: z.string().optional(),
        rate: z.number().min(0).max(1).optional(),
        status: z.enum(['A_RECYCLER', 'SUSPENDUE', 'REJETEE']),
        comment: z.string().optional(),
      }),
    )
    .optional(),
})

function isRefusal(v: unknown): v is SandboxRefusal {
  return !!v && typeof v === 'object' && 'codeRetour' in v && 'libelle' in v && (v as SandboxRefusal).codeRetour !== 0 && Object.keys(v).every((k) => ['codeRetour', 'libelle', 'status'].includes(k))
}

function refusalResponse(c: Context, r: SandboxRefusal) {
  if (r.status === 500) return c.json({ httpCode: '500', httpMessage: 'Internal Server Error', moreInformation: 'Erreur technique.' }, 500)
  return c.json({ codeRetour: r.codeRetour, libelle: r.libelle }, (r.status ?? 400) as 200 | 400)
}

/**
 * A faithful Chorus Pro + PISTE simulator (DESIGN.md "Sandbox"). Paths are relative, so it works alone
 * (`serve.ts`) and mounted (`app.route('/sandbox', sandbox.app)`); the client always reaches it over HTTP.
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const store = createSandboxStore(options)
  const hangMs = options.hangMs ?? 120_000
  const app = new Hono()

  // ---- PISTE OAuth (reference §1) ----
  app.post('/api/oauth/token', async (c) => {
    store.count('oauth/token')
    const fault = await injectFaults(store, c, 'oauth/token', hangMs)
    if (fault) return fault
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
    let id = typeof form.client_id === 'string' ? form.client_id : undefined
    let secret = typeof form.client_secret === 'string' ? form.client_secret : undefined
    const basic = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')
    if (basic) [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':') as [string, string]
    if (form.grant_type !== 'client_credentials') return c.json({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' }, 400)
    // Reference §1 (PHPLIB tests): a bad client id or secret is HTTP 400 {error, error_description}.
    if (id !== SANDBOX_CREDENTIALS.clientId || secret !== SANDBOX_CREDENTIALS.clientSecret) {
      return c.json({ error: 'invalid_client', error_description: 'Client authentication failed' }, 400)
    }
    return c.json(issueToken(store))
  })

  // ---- Chorus Pro API ----
  // Both headers on every call, the health check included: the swagger marks cpro-account required on
  // every operation (reference §1), so the sandbox refuses a call without it as the gateway would.
  const guard = async (c: Context, operation: string) => {
    store.count(operation)
    const fault = await injectFaults(store, c, operation, hangMs)
    if (fault) return { response: fault }
    const problem = tokenProblem(store, c.req.header('authorization'))
    if (problem) return { response: unauthorized(c, problem) }
    const check = checkCproAccount(store, c.req.header('cpro-account'))
    if ('problem' in check) return { response: unauthorized(c, check.problem, 'Unauthorized') }
    return { account: check.account }
  }

  app.get('/cpro/transverses/v1/health-check', async (c) => {
    const g = await guard(c, 'transverses/v1/health-check')
    if ('response' in g) return g.response
    return c.json({ statusCode: '200' })
  })

  for (const [operation, handler] of Object.entries(OPERATIONS)) {
    app.post(`/cpro/${operation}`, async (c) => {
      const g = await guard(c, operation)
      if ('response' in g) return g.response
      let body: Record<string, any>
      try {
        const text = await c.req.text()
        store.recordRequest(operation, text)
        // Numbers are read exactly, as Chorus Pro's Java side reads them into decimals: a fraction or a
        // huge integer becomes a JsonDecimal holding its text, never a rounded float.
        body = text ? (parseJson(text, (t) => new JsonDecimal(t)) as Record<string, any>) : {}
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object')
      } catch {
        return c.json({ codeRetour: 20098, libelle: 'GCU_MSG_01.002 - Requête invalide : le corps doit être un objet JSON.' }, 400)
      }
      try {
        const out = await handler(store, g.account, body)
        if (isRefusal(out)) return refusalResponse(c, out)
        // Amounts (JsonDecimal) are written as exact number tokens.
        return c.body(stringifyJson({ ...OK, ...out }), 200, { 'content-type': 'application/json; charset=UTF-8' })
      } catch (e) {
        if (e instanceof RefusalError) return refusalResponse(c, e.refusal)
        throw e
      }
    })
  }

  // ---- control API (DESIGN.md "Sandbox") ----
  app.get('/_sandbox/calls', (c) => c.json(store.state.calls))
  // The raw bodies last received for one operation (`?operation=factures/v1/soumettre`), oldest first.
  app.get('/_sandbox/requests', (c) => c.json(store.state.requests[c.req.query('operation') ?? ''] ?? []))
  app.post('/_sandbox/reset', (c) => {
    store.reset()
    return c.json({ ok: true })
  })
  app.get('/_sandbox/faults', (c) => c.json(store.state.faults))
  app.post('/_sandbox/faults', async (c) => {
    const parsed = faultsBody.safeParse(await c.req.json().catch(() => null))
    if (!parsed.success) return c.json({ error: { code: 'invalid_faults', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } }, 400)
    const { failNext, ...rest } = parsed.data
    Object.assign(store.state.faults, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)))
    if (failNext) store.state.faults.failNext = { ...store.state.faults.failNext, ...failNext }
    return c.json(store.state.faults)
  })
  app.get('/_sandbox/clock', (c) => c.json(store.state.clock))
  app.post('/_sandbox/clock', async (c) => {
    const parsed = clockBody.safeParse(await c.req.json().catch(() => null))
    if (!parsed.success) return c.json({ error: { code: 'invalid_clock', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } }, 400)
    const d = parsed.data
    if (d.stepMs !== undefined) store.state.clock.stepMs = d.stepMs
    if (d.paused !== undefined) store.state.clock.paused = d.paused
    if (d.outcomeRules) store.state.clock.outcomeRules = d.outcomeRules as OutcomeRule[]
    return c.json(store.state.clock)
  })
  app.post('/_sandbox/invoices/:id/status', async (c) => {
    const inv = store.state.invoices.get(Number(c.req.param('id')))
    if (!inv) return c.json({ error: { code: 'not_found', message: 'no such invoice' } }, 404)
    const b = (await c.req.json().catch(() => null)) as { status?: unknown; comment?: unknown } | null
    const status = typeof b?.status === 'string' ? b.status : ''
    // Any code Chorus Pro knows (domain/invoice-status.ts, ~60), and, with `"unknown": true`, a code it
    // may add one day: the connector must keep and show a status it has never heard of.
    const unknownAllowed = (b as { unknown?: unknown } | null)?.unknown === true
    if (!/^[A-Z][A-Z0-9_]{1,60}$/.test(status) || (!isKnownStatus(status) && !unknownAllowed)) {
      return c.json({ error: { code: 'invalid_status', message: 'status must be a Chorus Pro status code (or set "unknown": true for a code Chorus Pro may add later)' } }, 400)
    }
    store.advance(inv)
    store.setStatus(inv, status, typeof b?.comment === 'string' ? b.comment : undefined, planAfter(status))
    return c.json({ identifiantFactureCPP: inv.id, statut: status })
  })
  // A technical account's password expiry: `{ "login"?: <default: the sandbox's own>, "expiresOn": "YYYY-MM-DD" | null }`.
  app.post('/_sandbox/password-expiry', async (c) => {
    const b = (await c.req.json().catch(() => null)) as { login?: unknown; expiresOn?: unknown } | null
    const login = typeof b?.login === 'string' ? b.login : SANDBOX_CREDENTIALS.technicalLogin
    const expiresOn = b?.expiresOn === null ? undefined : typeof b?.expiresOn === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(b.expiresOn) ? b.expiresOn : false
    if (expiresOn === false) return c.json({ error: { code: 'invalid_date', message: 'expiresOn must be YYYY-MM-DD or null' } }, 400)
    if (!store.setPasswordExpiry(login, expiresOn)) return c.json({ error: { code: 'not_found', message: 'no such technical account' } }, 404)
    return c.json({ login, expiresOn: expiresOn ?? null })
  })
  app.get('/_sandbox/structures', (c) =>
    c.json(
      store.structures.map((s) => ({
        siret: s.siret,
        idStructureCPP: s.idStructureCPP,
        name: s.name,
        active: s.active,
        serviceRequired: s.serviceRequired,
        engagementRequired: s.engagementRequired,
        serviceOrEngagementRequired: s.serviceOrEngagementRequired,
        services: s.services.map((v) => ({ code: v.code, label: v.label, active: v.active, engagementRequired: v.engagementRequired, idService: v.idService })),
      })),
    ),
  )
  app.get('/_sandbox/credentials', (c) =>
    c.json({
      clientId: SANDBOX_CREDENTIALS.clientId,
      clientSecret: SANDBOX_CREDENTIALS.clientSecret,
      technicalLogin: SANDBOX_CREDENTIALS.technicalLogin,
      technicalPassword: SANDBOX_CREDENTIALS.technicalPassword,
      supplierSiret: SANDBOX_CREDENTIALS.supplierSiret,
      supplierIdStructureCPP: SANDBOX_CREDENTIALS.supplierIdStructureCPP,
    }),
  )

  return { app, reset: store.reset, store }
}
