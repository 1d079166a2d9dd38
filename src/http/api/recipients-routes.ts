import { z } from '@hono/zod-openapi'
import { AppError } from '../../domain/app-error'
import type { Lang, Localized } from '../../domain/localized'
import { isValidSiret, compactIdentifier } from '../../domain/siret'
import { ENGAGEMENT_NUMBER_MAX_LENGTH, normalizeLabel, RESERVED_SERVICE_CODE } from '../../domain/recipient-label'
import { CSV_BOM, CSV_EOL, csvCell } from '../../domain/csv'
import {
  allMappings,
  checkDirectory,
  DuplicateMappingError,
  getMapping,
  InvalidCursorError,
  listMappings,
  type DirectoryCheck,
  type DirectoryStatus,
  type RecipientMapping,
} from '../../db/recipient-mappings'
import type { Database } from '../../db/database'
import { importRecipientMappings, MAX_IMPORT_ROWS } from '../../workflows/recipients/import-recipient-mappings'
import { resolveRecipient } from '../../workflows/recipients/resolve-recipient'
import { createRecipientMapping, deleteRecipientMapping, refreshRecipientDirectory, updateRecipientMapping } from '../../workflows/recipients/change-recipient-mapping'
import type { Ports } from '../../workflows/ports'
import { actorOf } from '../app-env'
import { apiRoute, apiRouter } from './api-route'

const DIRECTORY_STATUSES = ['ok', 'not_checked', 'recipient_unknown', 'recipient_inactive', 'service_required', 'service_reserved', 'service_unknown', 'service_inactive'] as const

const optionalText = (max: number) =>
  z
    .string()
    .max(max + 50, `at most ${max} characters`)
    .nullable()
    .optional()
    .transform((v) => (v === undefined ? undefined : v === null ? null : v.trim() || null))

const MappingFields = {
  label: z
    .string()
    .transform((v) => v.trim().replace(/\s+/g, ' '))
    .pipe(z.string().min(1).max(300))
    .refine((v) => normalizeLabel(v) !== '', { message: 'the label needs at least one letter or digit' })
    .openapi({ example: 'Mairie de Saint-Étienne' }),
  recipientSiret: z
    .string()
    .transform((v) => compactIdentifier(v))
    .refine(isValidSiret, { message: 'expected a valid 14-digit SIRET (check digit included), e.g. 21420218600012' }),
  serviceCode: optionalText(100)
    .refine((v) => !v || v.length <= 100, { message: 'at most 100 characters' })
    .refine((v) => v?.toUpperCase() !== RESERVED_SERVICE_CODE, { message: `${RESERVED_SERVICE_CODE} is reserved for invoices between public entities: give the recipient service, or none` })
    .openapi({ type: 'string', example: 'SERV_TECH' }),
  engagementNumber: optionalText(ENGAGEMENT_NUMBER_MAX_LENGTH)
    .refine((v) => !v || v.length <= ENGAGEMENT_NUMBER_MAX_LENGTH, { message: `at most ${ENGAGEMENT_NUMBER_MAX_LENGTH} characters (Chorus Pro limit)` })
    .openapi({ type: 'string', description: 'Default engagement number for invoices to this recipient (optional).' }),
  accountId: z
    .union([z.string().regex(/^\d{1,18}$/), z.number().int().positive()])
    .nullable()
    .optional()
    .transform((v) => (v === undefined ? undefined : v === null ? null : String(v)))
    .openapi({ type: 'string', description: 'Supplier account id; null or absent: every account.' }),
}

const MappingInput = z.object(MappingFields).strict()
const MappingPatch = z
  .object(MappingFields)
  .partial()
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'give at least one field to change' })

const DirectorySchema = z.object({
  recipientName: z.string().nullable(),
  serviceLabel: z.string().nullable(),
  engagementRequired: z.boolean(),
  checkedAt: z.string().nullable(),
})

const MappingSchema = z
  .object({
    id: z.string(),
    accountId: z.string().nullable(),
    accountName: z.string().nullable(),
    label: z.string(),
    labelNormalized: z.string(),
    recipientSiret: z.string(),
    serviceCode: z.string().nullable(),
    engagementNumber: z.string().nullable(),
    origin: z.enum(['manual', 'learned', 'imported']),
    directoryStatus: z.enum(DIRECTORY_STATUSES),
    directoryMessage: z.string(),
    directory: DirectorySchema,
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('RecipientMapping')

const SuggestionSchema = MappingSchema.extend({ score: z.number() }).openapi('RecipientSuggestion')

const ImportReportSchema = z
  .object({
    dryRun: z.boolean(),
    applied: z.boolean().openapi({ description: 'Whether the lines were written: false for a dry run, and for an atomic import with a line in error.' }),
    encoding: z.enum(['utf-8', 'windows-1252']),
    delimiter: z.enum([';', ',', '\t']),
    totals: z.object({ lines: z.number(), created: z.number(), updated: z.number(), unchanged: z.number(), errors: z.number() }),
    ignoredColumns: z.array(z.string()),
    recheckedDocuments: z.number(),
    lines: z.array(
      z.object({
        line: z.number().openapi({ description: 'Line of the file (1 is the header).' }),
        status: z.enum(['created', 'updated', 'unchanged', 'error']),
        label: z.string(),
        accountId: z.string().nullable(),
        mappingId: z.string().nullable(),
        previous: z.object({ recipientSiret: z.string(), serviceCode: z.string().nullable(), engagementNumber: z.string().nullable(), origin: z.string() }).nullable(),
        directoryStatus: z.enum(DIRECTORY_STATUSES).nullable(),
        directoryMessage: z.string().nullable(),
        errors: z.array(z.object({ column: z.string().nullable(), code: z.string(), message: z.string(), problem: z.string().openapi({ description: 'The problem alone, without its line and column' }) })),
      }),
    ),
  })
  .openapi('RecipientImportReport')

const DIRECTORY_MESSAGES: Record<DirectoryStatus, Localized> = {
  ok: { fr: 'Destinataire et service actifs dans l’annuaire Chorus Pro.', en: 'Recipient and service active in the Chorus Pro directory.' },
  not_checked: { fr: 'Pas encore vérifié dans l’annuaire Chorus Pro.', en: 'Not yet checked in the Chorus Pro directory.' },
  recipient_unknown: { fr: 'SIRET inconnu de l’annuaire Chorus Pro.', en: 'SIRET unknown to the Chorus Pro directory.' },
  recipient_inactive: { fr: 'Destinataire inactif dans Chorus Pro : il ne reçoit plus de factures.', en: 'Recipient inactive in Chorus Pro: it no longer receives invoices.' },
  service_required: { fr: 'Ce destinataire exige un code service : renseignez-le.', en: 'This recipient requires a service code: fill it in.' },
  service_reserved: { fr: 'FACTURES_PUBLIQUES est réservé aux factures entre entités publiques : choisissez le service destinataire.', en: 'FACTURES_PUBLIQUES is reserved for invoices between public entities: choose the recipient service.' },
  service_unknown: { fr: 'Ce code service n’existe pas pour ce destinataire.', en: 'This service code does not exist for this recipient.' },
  service_inactive: { fr: 'Ce service est inactif dans Chorus Pro : choisissez-en un autre.', en: 'This service is inactive in Chorus Pro: choose another one.' },
}

const ORIGIN_LABELS: Record<RecipientMapping['origin'], Localized> = {
  manual: { fr: 'manuel', en: 'manual' },
  learned: { fr: 'appris', en: 'learned' },
  imported: { fr: 'importé', en: 'imported' },
}

const IdParam = z.object({ id: z.string().regex(/^\d{1,18}$/, 'expected a numeric mapping id') })
const notFound = (id: string) => new AppError(404, 'recipient_mapping_not_found', { fr: `Correspondance de destinataire ${id} introuvable.`, en: `Recipient mapping ${id} not found.` })
const duplicate = (e: DuplicateMappingError) =>
  new AppError(409, 'recipient_mapping_exists', {
    fr: `Le libellé « ${e.existing.label} » a déjà une correspondance pour ${e.existing.accountId ? `le compte ${e.existing.accountId}` : 'tous les comptes'} (id ${e.existing.id}) : modifiez-la plutôt.`,
    en: `The label "${e.existing.label}" already has a mapping for ${e.existing.accountId ? `account ${e.existing.accountId}` : 'every account'} (id ${e.existing.id}): change that one instead.`,
  }, { existingId: e.existing.id })

async function accountNames(db: Database): Promise<Map<string, string>> {
  return new Map((await db.selectFrom('accounts').select(['id', 'name']).execute()).map((a) => [a.id, a.name]))
}

async function requireAccount(db: Database, accountId: string | null | undefined): Promise<void> {
  if (accountId === null || accountId === undefined) return
  const a = await db.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst()
  if (!a) {
    throw new AppError(400, 'account_not_found', { fr: `Compte fournisseur ${accountId} introuvable : donnez l’identifiant d’un compte existant, ou null pour tous les comptes.`, en: `Supplier account ${accountId} not found: give an existing account id, or null for every account.` }, [{ field: 'accountId', message: 'unknown account' }])
  }
}

function present(m: RecipientMapping, check: DirectoryCheck, names: Map<string, string>, lang: Lang) {
  return {
    id: m.id,
    accountId: m.accountId,
    accountName: m.accountId ? (names.get(m.accountId) ?? null) : null,
    label: m.label,
    labelNormalized: m.labelNormalized,
    recipientSiret: m.recipientSiret,
    serviceCode: m.serviceCode,
    engagementNumber: m.engagementNumber,
    origin: m.origin,
    directoryStatus: check.status,
    directoryMessage: DIRECTORY_MESSAGES[check.status][lang],
    directory: { recipientName: check.recipientName, serviceLabel: check.serviceLabel, engagementRequired: check.engagementRequired, checkedAt: check.checkedAt?.toISOString() ?? null },
    createdBy: m.createdBy,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  }
}

const ListQuery = z.object({
  q: z.string().max(300).optional().openapi({ description: 'Words of the label (accents and case ignored), part of the SIRET, or the service code.' }),
  account: z
    .string()
    .regex(/^(\d{1,18}|global)$/, 'expected an account id or "global"')
    .optional()
    .openapi({ description: 'An account id (that account’s own mappings) or "global" (mappings for every account).' }),
  origin: z.enum(['manual', 'learned', 'imported']).optional(),
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})

/** Identifiers made of digits are written as Excel text formulas (="…"), so Excel keeps 14 digits and leading zeros. */
function identifierCell(value: string | null, plain: boolean): string {
  if (!value) return ''
  if (!plain && /^\d+$/.test(value)) return `"=""${value}"""`
  return csvCell(value, ';')
}

const EXPORT_HEADERS: Record<Lang, string[]> = {
  fr: ['Libellé', 'SIRET destinataire', 'Code service', 'Numéro d’engagement', 'Compte', 'Nom du compte', 'Origine', 'Statut annuaire', 'Identifiant'],
  en: ['Label', 'Recipient SIRET', 'Service code', 'Engagement number', 'Account', 'Account name', 'Origin', 'Directory status', 'Id'],
}

/**
 * Recipient management (admin): label printed on invoices → recipient SIRET + service code (+ a
 * default engagement number), per account or global; CSV import and export that French Excel opens;
 * resolution of a label with the directory status and suggestions (operator).
 */
export function recipientsRoutes(ports: Ports) {
  const app = apiRouter()
  const one = { 'application/json': { schema: MappingSchema } }
  const withRecheck = { 'application/json': { schema: MappingSchema.extend({ recheckedDocuments: z.number() }) } }

  const presentAll = async (items: RecipientMapping[], lang: Lang) => {
    const [checks, names] = await Promise.all([checkDirectory(ports.db, ports.chorusEnv, items), accountNames(ports.db)])
    return items.map((m, i) => present(m, checks[i]!, names, lang))
  }

  app.openapi(
    apiRoute('viewer', {
      method: 'get',
      path: '/recipients',
      tags: ['recipients'],
      summary: 'List recipient mappings in label order (keyset paging)',
      request: { query: ListQuery },
      responses: { 200: { description: 'Mappings', content: { 'application/json': { schema: z.object({ items: z.array(MappingSchema), nextCursor: z.string().nullable(), total: z.number() }) } } } },
    }),
    async (c) => {
      const q = c.req.valid('query')
      try {
        const page = await listMappings(ports.db, q)
        return c.json({ items: await presentAll(page.items, c.get('lang')), nextCursor: page.nextCursor, total: page.total }, 200)
      } catch (e) {
        if (e instanceof InvalidCursorError) throw new AppError(400, 'invalid_cursor', { fr: 'Curseur de pagination invalide : reprenez la liste depuis le début.', en: 'Invalid paging cursor: start the list again from the beginning.' })
        throw e
      }
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'post',
      path: '/recipients',
      tags: ['recipients'],
      summary: 'Create a recipient mapping (re-checks the documents waiting with this label)',
      request: { body: { required: true, content: { 'application/json': { schema: MappingInput } } } },
      responses: { 201: { description: 'Created', content: withRecheck }, 409: { description: 'The label already has a mapping for this scope' } },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const accountId = body.accountId ?? null
      await requireAccount(ports.db, accountId)
      const actor = actorOf(c.get('apiKey'))
      const { mapping, recheckedDocuments } = await createRecipientMapping(ports, { accountId, label: body.label, recipientSiret: body.recipientSiret, serviceCode: body.serviceCode ?? null, engagementNumber: body.engagementNumber ?? null }, actor).catch((e) => {
        throw e instanceof DuplicateMappingError ? duplicate(e) : e
      })
      const [item] = await presentAll([mapping], c.get('lang'))
      return c.json({ ...item!, recheckedDocuments }, 201)
    },
  )

  app.openapi(
    apiRoute('viewer', {
      method: 'get',
      path: '/recipients/export.csv',
      tags: ['recipients'],
      summary: 'Export the mappings as CSV for French Excel (UTF-8 with BOM, ";"); same filters as the list',
      request: {
        query: ListQuery.pick({ q: true, account: true, origin: true }).extend({
          plain: z.enum(['true', 'false', '1', '0']).optional().openapi({ description: 'true: identifiers as plain text, without the ="…" wrapper that keeps Excel from turning a SIRET into 2,17E+13.' }),
        }),
      },
      responses: { 200: { description: 'CSV file', content: { 'text/csv': { schema: z.string() } } } },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const plain = q.plain === 'true' || q.plain === '1'
      const lang = c.get('lang')
      const items = await allMappings(ports.db, q)
      const [checks, names] = await Promise.all([checkDirectory(ports.db, ports.chorusEnv, items), accountNames(ports.db)])
      let out = CSV_BOM + EXPORT_HEADERS[lang].map((h) => csvCell(h, ';')).join(';') + CSV_EOL
      items.forEach((m, i) => {
        out +=
          [
            csvCell(m.label, ';'),
            identifierCell(m.recipientSiret, plain),
            identifierCell(m.serviceCode, plain),
            identifierCell(m.engagementNumber, plain),
            m.accountId ?? '',
            csvCell(m.accountId ? (names.get(m.accountId) ?? '') : lang === 'fr' ? 'Tous les comptes' : 'Every account', ';'),
            csvCell(ORIGIN_LABELS[m.origin][lang], ';'),
            csvCell(DIRECTORY_MESSAGES[checks[i]!.status][lang], ';'),
            m.id,
          ].join(';') + CSV_EOL
      })
      const day = ports.now().toISOString().slice(0, 10)
      return c.body(out, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${lang === 'fr' ? 'destinataires' : 'recipients'}-${day}.csv"`,
        'cache-control': 'no-store',
      })
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'post',
      path: '/recipients/import',
      tags: ['recipients'],
      summary: `Import mappings from CSV (multipart "file", or a text/csv body); ";" or "," separated, UTF-8 (BOM or not) or Windows-1252; at most ${MAX_IMPORT_ROWS} lines`,
      description:
        'Columns (line 1): Libellé / Label, SIRET destinataire / Recipient SIRET (required), Code service / Service code, Numéro d’engagement / Engagement number, Compte / Account (an account id or supplier SIRET; empty: every account). ' +
        'Each line is reported (created, updated, unchanged, error with its line and column); lines in error are skipped, the others applied, unless atomic=true (one line in error: nothing applied). dryRun=true applies nothing and reports what would happen.',
      request: {
        query: z.object({
          dryRun: z.enum(['true', 'false', '1', '0']).optional(),
          atomic: z.enum(['true', 'false', '1', '0']).optional().openapi({ description: 'All or nothing: one line in error and nothing is written (the tab pages import this way).' }),
          accountId: z.string().regex(/^\d{1,18}$/).optional().openapi({ description: 'Account of every line when the file has no account column (absent: every account).' }),
        }),
        body: {
          required: false,
          content: {
            'multipart/form-data': { schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }) },
            'text/csv': { schema: z.string() },
          },
        },
      },
      responses: { 200: { description: 'Per-line results', content: { 'application/json': { schema: ImportReportSchema } } } },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const lang = c.get('lang')
      const type = c.req.header('content-type') ?? ''
      let content: Uint8Array
      if (/^multipart\/form-data/i.test(type)) {
        const form = await c.req.parseBody()
        const file = form.file
        if (file instanceof File) content = new Uint8Array(await file.arrayBuffer())
        else if (typeof file === 'string') content = new TextEncoder().encode(file)
        else throw new AppError(400, 'csv_file_missing', { fr: 'Envoyez le fichier CSV dans le champ « file » du formulaire.', en: 'Send the CSV file in the "file" form field.' })
      } else {
        content = new Uint8Array(await c.req.arrayBuffer())
      }
      if (content.length === 0) throw new AppError(400, 'csv_empty', { fr: 'Le fichier CSV est vide.', en: 'The CSV file is empty.' })
      const report = await importRecipientMappings(ports, { content, defaultAccountId: q.accountId ?? null, dryRun: q.dryRun === 'true' || q.dryRun === '1', atomic: q.atomic === 'true' || q.atomic === '1', actor: actorOf(c.get('apiKey')) })
      return c.json({
        ...report,
        ignoredColumns: [...report.ignoredColumns],
        lines: report.lines.map((l) => ({
          ...l,
          directoryMessage: l.directoryStatus ? DIRECTORY_MESSAGES[l.directoryStatus][lang] : null,
          errors: l.errors.map((e) => ({
            column: e.column,
            code: e.code,
            message: lang === 'fr' ? `Ligne ${l.line}${e.column ? `, colonne ${e.column}` : ''} : ${e.message.fr}.` : `Line ${l.line}${e.column ? `, column ${e.column}` : ''}: ${e.message.en}.`,
            problem: `${e.message[lang]}.`,
          })),
        })),
      }, 200)
    },
  )

  app.openapi(
    apiRoute('operator', {
      method: 'post',
      path: '/recipients/resolve',
      tags: ['recipients'],
      summary: 'The mapping of a printed label (the account’s before a global one), its directory status, and suggestions when none applies',
      request: { body: { required: true, content: { 'application/json': { schema: z.object({ label: z.string().min(1).max(300), accountId: MappingFields.accountId }).strict() } } } },
      responses: {
        200: {
          description: 'Resolution; suggestions are never applied on their own',
          content: { 'application/json': { schema: z.object({ mapping: MappingSchema.nullable(), matchedBy: z.enum(['exact', 'normalized']).nullable(), directoryStatus: z.enum(DIRECTORY_STATUSES).nullable(), suggestions: z.array(SuggestionSchema) }) } },
        },
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const accountId = body.accountId ?? null
      await requireAccount(ports.db, accountId)
      const lang = c.get('lang')
      const resolved = await resolveRecipient(ports, { label: body.label, accountId }, { refreshDirectory: (siret) => refreshRecipientDirectory(ports, accountId, siret) })
      const names = await accountNames(ports.db)
      return c.json({
        mapping: resolved.match ? present(resolved.match.mapping, resolved.directory!, names, lang) : null,
        matchedBy: resolved.match?.matchedBy ?? null,
        directoryStatus: resolved.directory?.status ?? null,
        suggestions: resolved.suggestions.map((s) => ({ ...present(s.mapping, s.directory, names, lang), score: s.score })),
      }, 200)
    },
  )

  app.openapi(
    apiRoute('viewer', { method: 'get', path: '/recipients/{id}', tags: ['recipients'], summary: 'One recipient mapping', request: { params: IdParam }, responses: { 200: { description: 'Mapping', content: one }, 404: { description: 'Not found' } } }),
    async (c) => {
      const { id } = c.req.valid('param')
      const m = await getMapping(ports.db, id)
      if (!m) throw notFound(id)
      const [item] = await presentAll([m], c.get('lang'))
      return c.json(item!, 200)
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'patch',
      path: '/recipients/{id}',
      tags: ['recipients'],
      summary: 'Change a recipient mapping (it becomes manual: learning never overwrites it); re-checks the documents it affects',
      request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: MappingPatch } } } },
      responses: { 200: { description: 'Mapping', content: withRecheck }, 404: { description: 'Not found' }, 409: { description: 'The new label already has a mapping for this scope' } },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const patch = c.req.valid('json')
      await requireAccount(ports.db, patch.accountId)
      const actor = actorOf(c.get('apiKey'))
      const changed = await updateRecipientMapping(ports, id, patch, actor).catch((e) => {
        throw e instanceof DuplicateMappingError ? duplicate(e) : e
      })
      if (!changed) throw notFound(id)
      const [item] = await presentAll([changed.mapping], c.get('lang'))
      return c.json({ ...item!, recheckedDocuments: changed.recheckedDocuments }, 200)
    },
  )

  app.openapi(
    apiRoute('admin', {
      method: 'delete',
      path: '/recipients/{id}',
      tags: ['recipients'],
      summary: 'Delete a recipient mapping; re-checks the documents it affected',
      request: { params: IdParam },
      responses: { 200: { description: 'The deleted mapping', content: withRecheck }, 404: { description: 'Not found' } },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const actor = actorOf(c.get('apiKey'))
      const deleted = await deleteRecipientMapping(ports, id, actor)
      if (!deleted) throw notFound(id)
      const [item] = await presentAll([deleted.mapping], c.get('lang'))
      return c.json({ ...item!, recheckedDocuments: deleted.recheckedDocuments }, 200)
    },
  )

  return app
}
