/**
 * connector-manifest.json and its JSON Schema, generated: `npm run manifest` writes both,
 * test/manifest checks the committed files are what this produces and that everything they name
 * exists in the app's routes with the role stated.
 *
 * The hand-written parts (tabs, columns, actions, confirmation texts) are below; the settings and
 * event payload schemas come from zod: the request bodies through the OpenAPI document that
 * @hono/zod-openapi generates from the route schemas, the source configs and event payloads
 * through z.toJSONSchema.
 */
import { addressPolicy } from '../src/domain/address-policy'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import pino from 'pino'
import { createApp } from '../src/http/app'
import { createMetrics } from '../src/http/metrics'
import { wire } from '../src/wiring'
import { createJobQueue } from '../src/jobs/job-queue'
import { loadConfig } from '../src/config'
import type { Ports } from '../src/workflows/ports'
import { FolderConfigSchema } from '../src/sources/folder/folder-config'
import { OdooConfigInput } from '../src/sources/odoo/odoo-config'
import { WEBHOOK_EVENTS } from '../src/workflows/webhooks/emit-webhook-event'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, EVENT_HEADER, DELIVERY_HEADER } from '../src/workflows/webhooks/deliver-webhook'

const root = new URL('..', import.meta.url)
export const MANIFEST_PATH = fileURLToPath(new URL('connector-manifest.json', root))
export const MANIFEST_SCHEMA_PATH = fileURLToPath(new URL('connector-manifest.schema.json', root))

// ---------------------------------------------------------------- the manifest's own schema

const L = z.object({ fr: z.string().min(1), en: z.string().min(1) }).strict().describe('A text in French (default) and English')
const Role = z.enum(['viewer', 'operator', 'admin'])
const Method = z.enum(['GET', 'POST', 'PATCH', 'DELETE'])
const ApiPath = z.string().regex(/^\/api\/v1\/[a-z0-9\-./{}]+$/).describe('Path under the connector base URL; {id} is the selected item')
const JsonSchema = z.record(z.string(), z.unknown()).describe('A JSON Schema (draft 2020-12)')

export const ManifestSchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+/).describe('Equal to the connector package version'),
    description: L,
    api: z.object({ base: z.literal('/api/v1'), auth: z.literal('bearer'), openapi: z.string() }).strict(),
    health: z.string().startsWith('/'),
    ready: z.string().startsWith('/'),
    openapi: z.string().startsWith('/'),
    roles: z.array(z.object({ id: Role, title: L, description: L }).strict()).length(3),
    ui: z
      .object({
        session: z.object({ method: z.literal('POST'), path: ApiPath, role: Role, body: JsonSchema, description: L }).strict(),
        embedding: L,
        frameAncestorsSetting: z.string(),
      })
      .strict(),
    settings: z
      .object({
        description: L,
        connection: JsonSchema,
        account: JsonSchema,
        sources: z.object({ folder: JsonSchema, odoo: JsonSchema }).strict(),
        filingRule: JsonSchema,
        webhook: JsonSchema,
      })
      .strict(),
    tabs: z
      .array(
        z
          .object({
            id: z.enum(['to-submit', 'to-process', 'tracking', 'recipients', 'settings']),
            title: L,
            role: Role,
            page: z.string().regex(/^\/ui\/[a-z-]+$/),
            list: z.object({ method: z.literal('GET'), path: ApiPath, query: z.record(z.string(), z.string()), role: Role }).strict().nullable(),
            columns: z.array(z.object({ key: z.string(), title: L, type: z.enum(['text', 'amount', 'date', 'datetime', 'status', 'state']) }).strict()),
            filters: z.array(z.object({ key: z.string(), title: L, type: z.enum(['text', 'date', 'enum', 'amount']), values: z.array(z.string()).optional() }).strict()),
          })
          .strict(),
      )
      .length(5),
    actions: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z-]+$/),
            title: L,
            tab: z.enum(['to-submit', 'to-process', 'tracking', 'recipients', 'settings']),
            method: Method,
            path: ApiPath,
            selection: z.enum(['none', 'single', 'multiple']),
            role: Role,
            confirm: L.nullable(),
            body: z.string().optional().describe('How the selection and inputs are sent'),
          })
          .strict(),
      )
      .min(9),
    events: z
      .object({
        delivery: z.object({ method: z.literal('POST'), signatureHeader: z.string(), timestampHeader: z.string(), eventHeader: z.string(), deliveryHeader: z.string(), signature: z.string() }).strict(),
        subscribe: z.object({ method: z.literal('POST'), path: ApiPath, role: Role }).strict(),
        list: z.array(z.object({ id: z.string(), description: L, payload: JsonSchema }).strict()),
      })
      .strict(),
  })
  .strict()

export type Manifest = z.infer<typeof ManifestSchema>

// ---------------------------------------------------------------- the app's OpenAPI document

/** The OpenAPI document of the app with every feature, built without a database (routes only). */
export async function appOpenApi(): Promise<any> {
  const logger = pino({ level: 'silent' })
  const noDb = new Proxy({}, { get: () => { throw new Error('no database while generating the manifest') } }) as any
  const config = loadConfig({ DATA_DIR: '/tmp/manifest-unused' })
  const ports: Ports = {
    db: noDb, logger, secrets: noDb, get chorus(): any { throw new Error('no Chorus client') }, chorusEnv: 'sandbox',
    now: () => new Date(), jobs: createJobQueue(noDb, () => {}), webhookTargets: addressPolicy([]), dataDir: '/tmp/manifest-unused', inboxDir: '/tmp/manifest-unused/inbox',
  }
  const wiring = wire(ports, config)
  const app = createApp({ db: noDb, logger, metrics: createMetrics(noDb), version: packageVersion(), bodyLimitBytes: config.bodyLimitBytes, apiRoutes: wiring.apiRoutes, pageRoutes: wiring.pageRoutes })
  const res = await app.request('/openapi.json')
  return res.json()
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(fileURLToPath(new URL('package.json', root)), 'utf8')).version
}

/** A request body's schema from the OpenAPI document, with its component references inlined. */
function requestSchema(doc: any, path: string, method: string): Record<string, unknown> {
  const schema = doc.paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema
  if (!schema) throw new Error(`no JSON body for ${method.toUpperCase()} ${path} in the OpenAPI document`)
  const inline = (s: any): any => {
    if (Array.isArray(s)) return s.map(inline)
    if (!s || typeof s !== 'object') return s
    if (typeof s.$ref === 'string') return inline(doc.components.schemas[s.$ref.split('/').pop()])
    return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, inline(v)]))
  }
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...inline(schema) }
}

const toSchema = (s: z.ZodType, io: 'input' | 'output' = 'input') => z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>

// ---------------------------------------------------------------- event payloads (what the workflows emit)

const id = z.string().describe('Connector id (a decimal string)')
const invoiceEvent = z.object({
  invoiceId: id,
  chorusInvoiceId: z.string(),
  invoiceNumber: z.string(),
  accountId: id,
  documentId: id.nullable(),
  previousStatus: z.string().nullable().optional(),
  status: z.string().describe('Chorus Pro status code, raw'),
  statusAt: z.string().describe('ISO 8601 instant'),
  statusComment: z.string().nullable(),
  toProcess: z.boolean().optional(),
  cause: z.string().optional(),
})
const EVENT_DATA: Record<(typeof WEBHOOK_EVENTS)[number], { schema: z.ZodType; description: z.infer<typeof L> }> = {
  'document.analysed': {
    description: { fr: 'Un document a été lu et vérifié : prêt, ou la liste de ce qui manque.', en: 'A document was read and checked: ready, or the list of what is missing.' },
    schema: z.object({ documentId: id, filename: z.string(), ready: z.boolean(), problems: z.array(z.string()).describe('Problem codes'), error: z.null() }),
  },
  'document.error': {
    description: { fr: 'Un document est en erreur (refusé à la réception, analyse impossible ou dépôt refusé par Chorus Pro).', en: 'A document is in error (refused on intake, analysis failed, or submission refused by Chorus Pro).' },
    schema: z.object({ documentId: id, filename: z.string(), code: z.string().optional(), ready: z.boolean().optional(), problems: z.array(z.string()).optional(), error: z.object({ code: z.string(), message: z.string(), raw: z.unknown().optional() }).nullable().optional() }),
  },
  'document.needs_attention': {
    description: { fr: 'Un document attend en rouge dans « À déposer » (analyse incomplète ou dépôt refusé), avec ses raisons.', en: 'A document waits, red, in "To submit" (incomplete analysis or submission refused), with its reasons.' },
    schema: z.object({
      documentId: id,
      filename: z.string(),
      accountId: id.nullable(),
      reasons: z.array(z.object({ code: z.string(), field: z.string().nullable(), message: z.object({ fr: z.string(), en: z.string() }) })),
    }),
  },
  'invoice.submitted': {
    description: { fr: 'Une facture a été déposée dans Chorus Pro.', en: 'An invoice was submitted to Chorus Pro.' },
    schema: z.object({ invoiceId: id, documentId: id, chorusInvoiceId: z.string(), invoiceNumber: z.string().nullable(), status: z.string() }),
  },
  'invoice.status_changed': {
    description: { fr: 'Le statut Chorus Pro d’une facture a changé.', en: 'An invoice’s Chorus Pro status changed.' },
    schema: invoiceEvent,
  },
  'invoice.to_process': {
    description: { fr: 'Une facture attend une action (suspendue, à recycler ou rejetée).', en: 'An invoice needs an action (suspended, to recycle or rejected).' },
    schema: invoiceEvent,
  },
  'account.password_expiring': {
    description: { fr: 'Le mot de passe du compte technique d’un compte fournisseur expire dans 30 jours ou moins, ou a expiré (contrôle quotidien, au plus une fois par jour et par compte) ; seul le gestionnaire principal de la structure peut le renouveler dans Chorus Pro.', en: 'A supplier account’s technical password expires within 30 days, or has expired (daily check, at most once a day per account); only the structure’s main manager can renew it in Chorus Pro.' },
    schema: z.object({
      accountId: id,
      name: z.string(),
      siret: z.string(),
      passwordExpiresOn: z.string().nullable().describe('YYYY-MM-DD'),
      daysLeft: z.number().int().nullable(),
      expired: z.boolean(),
      message: z.object({ fr: z.string(), en: z.string() }),
    }),
  },
}

function eventPayload(event: string, data: z.ZodType) {
  return toSchema(z.object({ event: z.literal(event), occurredAt: z.string().describe('ISO 8601 instant'), data }))
}

// ---------------------------------------------------------------- the manifest

const col = (key: string, fr: string, en: string, type: Manifest['tabs'][number]['columns'][number]['type'] = 'text') => ({ key, title: { fr, en }, type })

export async function buildManifest(doc?: any): Promise<Manifest> {
  const openapi = doc ?? (await appOpenApi())
  const previous = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'))
  const manifest: Manifest = {
    $schema: './connector-manifest.schema.json',
    id: previous.id,
    name: previous.name,
    version: packageVersion(),
    description: previous.description,
    api: { base: '/api/v1', auth: 'bearer', openapi: '/openapi.json' },
    health: '/health',
    ready: '/ready',
    openapi: '/openapi.json',
    roles: [
      { id: 'viewer', title: { fr: 'Lecteur', en: 'Viewer' }, description: { fr: 'Consulte les onglets et exporte.', en: 'Reads the tabs and exports.' } },
      { id: 'operator', title: { fr: 'Opérateur', en: 'Operator' }, description: { fr: 'Complète, dépose, recycle et traite les factures.', en: 'Completes, submits, recycles and handles invoices.' } },
      { id: 'admin', title: { fr: 'Administrateur', en: 'Admin' }, description: { fr: 'Gère les destinataires, comptes, sources, webhooks et clés.', en: 'Manages recipients, accounts, sources, webhooks and keys.' } },
    ],
    ui: {
      session: {
        method: 'POST',
        path: '/api/v1/ui-sessions',
        role: 'viewer',
        body: requestSchema(openapi, '/api/v1/ui-sessions', 'post'),
        description: {
          fr: 'Renvoie { url, expiresAt } : un lien à usage unique (60 s) à charger dans l’iframe ; il ouvre une session par cookie HttpOnly avec le rôle de la clé. Ne mettez jamais de clé dans une URL.',
          en: 'Answers { url, expiresAt }: a one-time link (60 s) to load in the iframe; it opens an HttpOnly cookie session with the key’s role. Never put a key in a URL.',
        },
      },
      embedding: {
        fr: 'Les pages /ui/* s’affichent dans une iframe des hôtes listés dans UI_FRAME_ANCESTORS (CSP frame-ancestors). Hôte et connecteur doivent être sur le même site (cookie SameSite=Lax).',
        en: 'The /ui/* pages may be framed by the hosts listed in UI_FRAME_ANCESTORS (CSP frame-ancestors). Host and connector must be on the same site (SameSite=Lax cookie).',
      },
      frameAncestorsSetting: 'UI_FRAME_ANCESTORS',
    },
    settings: {
      description: {
        fr: 'Ce que l’hôte peut configurer par l’API d’administration (rôle administrateur) ; le reste est dans l’environnement du service (README).',
        en: 'What the host can configure through the admin API (admin role); the rest is the service environment (README).',
      },
      connection: toSchema(
        z.object({
          baseUrl: z.string().url().describe('The connector base URL, e.g. https://chorus.example.org'),
          apiKey: z.string().min(24).describe('An API key (Bearer); the role decides what the host can do. Keep it server-side.'),
        }).strict(),
      ),
      account: requestSchema(openapi, '/api/v1/accounts', 'post'),
      sources: { folder: toSchema(FolderConfigSchema), odoo: toSchema(OdooConfigInput) },
      filingRule: requestSchema(openapi, '/api/v1/filing-rules', 'post'),
      webhook: requestSchema(openapi, '/api/v1/webhooks', 'post'),
    },
    tabs: [
      {
        id: 'to-submit',
        title: { fr: 'À déposer', en: 'To submit' },
        role: 'viewer',
        page: '/ui/to-submit',
        list: { method: 'GET', path: '/api/v1/documents', query: { tab: 'to-submit' }, role: 'viewer' },
        columns: [col('state', 'État', 'State', 'state'), col('filename', 'Fichier', 'File'), col('fields.invoiceNumber.value', 'N° de facture', 'Invoice number'), col('fields.recipientLabel.value', 'Destinataire', 'Recipient'), col('fields.amountGross.value', 'Montant TTC', 'Gross amount', 'amount'), col('receivedAt', 'Reçue le', 'Received', 'datetime')],
        filters: [{ key: 'state', title: { fr: 'État', en: 'State' }, type: 'enum', values: ['analysing', 'ready', 'incomplete', 'error'] }, { key: 'q', title: { fr: 'Recherche', en: 'Search' }, type: 'text' }],
      },
      {
        id: 'to-process',
        title: { fr: 'À traiter', en: 'To process' },
        role: 'viewer',
        page: '/ui/to-process',
        list: { method: 'GET', path: '/api/v1/invoices', query: { tab: 'to-process' }, role: 'viewer' },
        columns: [col('invoiceNumber', 'N° de facture', 'Invoice number'), col('status', 'Statut', 'Status', 'status'), col('statusComment', 'Motif', 'Reason'), col('recipientName', 'Destinataire', 'Recipient'), col('amountGross', 'Montant TTC', 'Gross amount', 'amount'), col('statusAt', 'Statut du', 'Status date', 'datetime')],
        filters: [{ key: 'status', title: { fr: 'Statut', en: 'Status' }, type: 'enum', values: ['SUSPENDUE', 'A_RECYCLER', 'REJETEE'] }],
      },
      {
        id: 'tracking',
        title: { fr: 'Suivi', en: 'Tracking' },
        role: 'viewer',
        page: '/ui/tracking',
        list: { method: 'GET', path: '/api/v1/invoices', query: { tab: 'tracking' }, role: 'viewer' },
        columns: [col('invoiceNumber', 'N° de facture', 'Invoice number'), col('status', 'Statut', 'Status', 'status'), col('recipientName', 'Destinataire', 'Recipient'), col('serviceCode', 'Service', 'Service'), col('amountGross', 'Montant TTC', 'Gross amount', 'amount'), col('invoiceDate', 'Date de facture', 'Invoice date', 'date'), col('depositedAt', 'Déposée le', 'Deposited', 'datetime')],
        filters: [
          { key: 'status', title: { fr: 'Statut', en: 'Status' }, type: 'enum', values: ['in_progress', 'to_process', 'paid', 'rejected'] },
          { key: 'q', title: { fr: 'Recherche', en: 'Search' }, type: 'text' },
          { key: 'recipient', title: { fr: 'Destinataire', en: 'Recipient' }, type: 'text' },
          { key: 'from', title: { fr: 'Déposée du', en: 'Deposited from' }, type: 'date' },
          { key: 'to', title: { fr: 'Déposée au', en: 'Deposited to' }, type: 'date' },
          { key: 'amountMin', title: { fr: 'Montant min.', en: 'Min. amount' }, type: 'amount' },
          { key: 'amountMax', title: { fr: 'Montant max.', en: 'Max. amount' }, type: 'amount' },
        ],
      },
      {
        id: 'recipients',
        title: { fr: 'Destinataires', en: 'Recipients' },
        role: 'viewer',
        page: '/ui/recipients',
        list: { method: 'GET', path: '/api/v1/recipients', query: {}, role: 'viewer' },
        columns: [col('label', 'Libellé', 'Label'), col('recipientSiret', 'SIRET', 'SIRET'), col('serviceCode', 'Service', 'Service'), col('engagementNumber', 'Engagement', 'Engagement'), col('origin', 'Origine', 'Origin'), col('directoryStatus', 'Annuaire', 'Directory', 'status')],
        filters: [{ key: 'q', title: { fr: 'Recherche', en: 'Search' }, type: 'text' }, { key: 'origin', title: { fr: 'Origine', en: 'Origin' }, type: 'enum', values: ['manual', 'learned', 'imported'] }],
      },
      {
        id: 'settings',
        title: { fr: 'Paramètres', en: 'Settings' },
        role: 'admin',
        page: '/ui/settings',
        list: { method: 'GET', path: '/api/v1/accounts', query: {}, role: 'admin' },
        columns: [col('name', 'Nom', 'Name'), col('siret', 'SIRET', 'SIRET'), col('autoSubmit', 'Dépôt automatique', 'Auto-submit'), col('lastConnectionCheck', 'Dernier test', 'Last test')],
        filters: [],
      },
    ],
    actions: [
      { id: 'reprocess', tab: 'to-submit', title: { fr: 'Réanalyser', en: 'Reprocess' }, method: 'POST', path: '/api/v1/documents/reprocess', selection: 'multiple', role: 'operator', body: '{ "ids": [...] }', confirm: { fr: 'Réanalyser les documents sélectionnés ? Les saisies manuelles sont conservées.', en: 'Analyse the selected documents again? Manual edits are kept.' } },
      { id: 'submit', tab: 'to-submit', title: { fr: 'Déposer la sélection', en: 'Submit selection' }, method: 'POST', path: '/api/v1/documents/submit', selection: 'multiple', role: 'operator', body: '{ "ids": [...] }', confirm: { fr: 'Déposer les factures sélectionnées dans Chorus Pro ?', en: 'Submit the selected invoices to Chorus Pro?' } },
      { id: 'edit', tab: 'to-submit', title: { fr: 'Compléter', en: 'Complete' }, method: 'PATCH', path: '/api/v1/documents/{id}', selection: 'single', role: 'operator', body: '{ "fields": { "<field>": "<value>" | null } }', confirm: null },
      { id: 'validate', tab: 'to-submit', title: { fr: 'Valider et déposer', en: 'Validate and submit' }, method: 'POST', path: '/api/v1/documents/{id}/validate', selection: 'single', role: 'operator', body: '{ "fields"?: {...} }; answers nextDocumentId', confirm: null },
      { id: 'remove', tab: 'to-submit', title: { fr: 'Retirer', en: 'Remove' }, method: 'POST', path: '/api/v1/documents/remove', selection: 'multiple', role: 'operator', body: '{ "ids": [...] }', confirm: { fr: 'Retirer les documents sélectionnés ? Un administrateur pourra les restaurer.', en: 'Remove the selected documents? An admin can restore them.' } },
      { id: 'complete', tab: 'to-process', title: { fr: 'Compléter', en: 'Complete' }, method: 'POST', path: '/api/v1/invoices/{id}/complete', selection: 'single', role: 'operator', body: '{ "comment" } as JSON, or multipart with attachments', confirm: { fr: 'Envoyer le complément à Chorus Pro ?', en: 'Send the completion to Chorus Pro?' } },
      { id: 'recycle', tab: 'to-process', title: { fr: 'Recycler', en: 'Recycle' }, method: 'POST', path: '/api/v1/invoices/{id}/recycle', selection: 'single', role: 'operator', body: '{ "recipientSiret", "serviceCode", "engagementNumber", "comment" }', confirm: { fr: 'Recycler la facture avec ces données d’acheminement ?', en: 'Recycle the invoice with this routing data?' } },
      { id: 'handle', tab: 'to-process', title: { fr: 'Marquer comme traitée', en: 'Mark as handled' }, method: 'POST', path: '/api/v1/invoices/{id}/handle', selection: 'single', role: 'operator', body: '{ "creditNoteNumber", "replacementInvoiceNumber", "note" }', confirm: { fr: 'Marquer la facture rejetée comme traitée ?', en: 'Mark the rejected invoice as handled?' } },
      { id: 'sync', tab: 'tracking', title: { fr: 'Synchroniser les statuts', en: 'Sync statuses' }, method: 'POST', path: '/api/v1/invoices/sync', selection: 'none', role: 'operator', confirm: null },
      { id: 'export-csv', tab: 'tracking', title: { fr: 'Exporter en CSV', en: 'Export to CSV' }, method: 'GET', path: '/api/v1/invoices/export.csv', selection: 'none', role: 'viewer', body: 'the list filters as query parameters; streamed', confirm: null },
      { id: 'export-csv-background', tab: 'tracking', title: { fr: 'Exporter en CSV (gros volume)', en: 'Export to CSV (large)' }, method: 'POST', path: '/api/v1/exports', selection: 'none', role: 'viewer', body: 'the list filters as JSON; poll GET /api/v1/exports/{id}, then its fileUrl', confirm: null },
      { id: 'resolve-recipient', tab: 'recipients', title: { fr: 'Trouver le destinataire', en: 'Resolve recipient' }, method: 'POST', path: '/api/v1/recipients/resolve', selection: 'none', role: 'operator', body: '{ "label", "accountId"? }', confirm: null },
      { id: 'recipients-import', tab: 'recipients', title: { fr: 'Importer un CSV', en: 'Import a CSV' }, method: 'POST', path: '/api/v1/recipients/import', selection: 'none', role: 'admin', body: 'multipart "file" or text/csv', confirm: null },
      { id: 'recipients-export', tab: 'recipients', title: { fr: 'Exporter en CSV', en: 'Export to CSV' }, method: 'GET', path: '/api/v1/recipients/export.csv', selection: 'none', role: 'viewer', confirm: null },
      { id: 'test-connection', tab: 'settings', title: { fr: 'Tester la connexion', en: 'Test connection' }, method: 'POST', path: '/api/v1/accounts/{id}/test-connection', selection: 'single', role: 'admin', confirm: null },
    ],
    events: {
      delivery: {
        method: 'POST',
        signatureHeader: SIGNATURE_HEADER,
        timestampHeader: TIMESTAMP_HEADER,
        eventHeader: EVENT_HEADER,
        deliveryHeader: DELIVERY_HEADER,
        signature: '"sha256=" + hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the webhook secret',
      },
      subscribe: { method: 'POST', path: '/api/v1/webhooks', role: 'admin' },
      list: WEBHOOK_EVENTS.map((e) => ({ id: e, description: EVENT_DATA[e].description, payload: eventPayload(e, EVENT_DATA[e].schema) })),
    },
  }
  return ManifestSchema.parse(manifest)
}

export function manifestJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(ManifestSchema, { io: 'input' }) as Record<string, unknown>),
    $id: 'https://github.com/chorus-pro-connector/connector-manifest.schema.json',
    title: 'Chorus Pro Connector manifest',
    description: 'What a host reads to plug the connector in: tabs, actions, settings, events. Generated by scripts/manifest.ts.',
  }
}

export const stringify = (v: unknown) => JSON.stringify(v, null, 2) + '\n'

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const manifest = await buildManifest()
  writeFileSync(MANIFEST_PATH, stringify(manifest))
  writeFileSync(MANIFEST_SCHEMA_PATH, stringify(manifestJsonSchema()))
  console.log(`wrote ${MANIFEST_PATH} (version ${manifest.version}) and ${MANIFEST_SCHEMA_PATH}`)
}
