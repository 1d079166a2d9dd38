import type { Ports } from '../ports'
import { recheckAffectedDocuments } from './recheck-affected-documents'
import { audit } from '../../db/audit'
import {
  checkDirectory,
  createMapping,
  mappingInScope,
  updateMapping,
  type AffectedScope,
  type DirectoryStatus,
  type MappingValues,
  type RecipientMapping,
} from '../../db/recipient-mappings'
import { CsvSyntaxError, decodeCsvBytes, detectDelimiter, isBlankRow, parseCsv } from '../../domain/csv-read'
import type { Localized } from '../../domain/localized'
import { ENGAGEMENT_NUMBER_MAX_LENGTH, normalizeLabel, RESERVED_SERVICE_CODE } from '../../domain/recipient-label'
import { compactIdentifier, isValidSiret } from '../../domain/siret'
import { AppError } from '../../domain/app-error'

/** The columns an import reads, with the headers accepted for each (compared once normalised). */
export const IMPORT_COLUMNS = {
  label: ['libelle', 'libelle destinataire', 'libelle du destinataire', 'label', 'recipient label', 'destinataire', 'recipient'],
  recipientSiret: ['siret', 'siret destinataire', 'siret du destinataire', 'recipient siret', 'recipientsiret'],
  serviceCode: ['code service', 'code du service', 'service', 'service code', 'servicecode'],
  engagementNumber: ['numero d engagement', 'numero engagement', 'n d engagement', 'no d engagement', 'engagement', 'engagement number', 'engagementnumber', 'ej'],
  account: ['compte', 'compte fournisseur', 'id compte', 'account', 'account id', 'accountid', 'supplier account'],
} as const
type Column = keyof typeof IMPORT_COLUMNS

/** Columns of our own export that an import reads past without a word. */
const EXPORT_ONLY_COLUMNS = new Set(['nom du compte', 'account name', 'origine', 'origin', 'statut annuaire', 'directory status', 'identifiant', 'id'])

export const MAX_IMPORT_ROWS = 20_000
const MAX_LABEL_LENGTH = 300
const MAX_SERVICE_CODE_LENGTH = 100

export interface LineError {
  /** The column as a spreadsheet names it (A, B, …) and as the header names it. */
  readonly column: string | null
  readonly code: string
  readonly message: Localized
}

export interface ImportLine {
  readonly line: number
  readonly status: 'created' | 'updated' | 'unchanged' | 'error'
  readonly label: string
  readonly accountId: string | null
  /** The mapping written (its id is absent in a dry run for a line that would create one). */
  readonly mappingId: string | null
  readonly previous: { readonly recipientSiret: string; readonly serviceCode: string | null; readonly engagementNumber: string | null; readonly origin: string } | null
  readonly directoryStatus: DirectoryStatus | null
  readonly errors: readonly LineError[]
}

export interface ImportReport {
  readonly dryRun: boolean
  /** Whether the lines were written: false for a dry run, and for an all-or-nothing import with a line in error. */
  readonly applied: boolean
  readonly encoding: 'utf-8' | 'windows-1252'
  readonly delimiter: ';' | ',' | '\t'
  readonly totals: { readonly lines: number; readonly created: number; readonly updated: number; readonly unchanged: number; readonly errors: number }
  readonly ignoredColumns: readonly string[]
  readonly recheckedDocuments: number
  readonly lines: readonly ImportLine[]
}

export interface ImportInput {
  readonly content: Uint8Array | string
  /** Account of the lines when the file has no account column (null or absent: global mappings). */
  readonly defaultAccountId?: string | null
  readonly dryRun?: boolean
  /** All or nothing: one line in error and nothing is written (the report still says what each line would do). */
  readonly atomic?: boolean
  readonly actor: string
}

const columnLetter = (index: number): string => {
  let n = index + 1
  let s = ''
  while (n > 0) {
    const r = (n - 1) % 26
    s = String.fromCharCode(65 + r) + s
    n = Math.floor((n - 1) / 26)
  }
  return s
}

/**
 * A cell as a person meant it: trimmed; Excel's `="0123"` text wrapper (which our export writes so
 * Excel keeps identifiers as text) unwrapped; the quote our export puts before a cell starting with
 * = + - @ removed, so an export imports back unchanged.
 */
export function cleanCell(raw: string | undefined): string {
  let v = (raw ?? '').trim()
  const wrapped = /^="(.*)"$/s.exec(v)
  if (wrapped) v = wrapped[1]!.replace(/""/g, '"').trim()
  if (/^'[=+\-@\t\r]/.test(v)) v = v.slice(1)
  return v
}

class DryRunRollback extends Error {}

/**
 * Imports recipient mappings from a CSV file (French Excel or ',' separated; see csv-read.ts). Every
 * line gets its own result; lines in error are skipped and the others applied (a dry run applies
 * nothing and reports exactly what a real run would do: it runs the same code in a transaction that
 * is rolled back); with `atomic`, one line in error and nothing is written. An existing mapping of the same account (or global) and label is updated, and
 * becomes `imported`. The documents affected are re-checked.
 */
export async function importRecipientMappings(ports: Pick<Ports, 'db' | 'chorusEnv' | 'jobs'>, input: ImportInput): Promise<ImportReport> {
  const decoded = typeof input.content === 'string' ? { text: input.content.replace(/^\ufeff/, ''), encoding: 'utf-8' as const } : decodeCsvBytes(input.content)
  const delimiter = detectDelimiter(decoded.text)
  let rows
  try {
    rows = parseCsv(decoded.text, delimiter).rows.filter((r) => !isBlankRow(r))
  } catch (e) {
    if (e instanceof CsvSyntaxError) {
      throw new AppError(400, 'csv_syntax_error', {
        fr: `Fichier CSV illisible, ligne ${e.line} : ${frSyntax(e.message)}.`,
        en: `Unreadable CSV file, line ${e.line}: ${e.message}.`,
      }, { line: e.line })
    }
    throw e
  }
  const header = rows[0]
  if (!header) throw new AppError(400, 'csv_empty', { fr: 'Le fichier CSV est vide : il faut une ligne d’en-tête puis une ligne par libellé.', en: 'The CSV file is empty: a header line is needed, then one line per label.' })
  const dataRows = rows.slice(1)
  if (dataRows.length > MAX_IMPORT_ROWS) {
    throw new AppError(400, 'csv_too_many_rows', { fr: `Le fichier contient ${dataRows.length} lignes ; ${MAX_IMPORT_ROWS} au plus par import. Découpez-le.`, en: `The file has ${dataRows.length} lines; at most ${MAX_IMPORT_ROWS} per import. Split it.` })
  }

  const columns = new Map<Column, number>()
  const ignoredColumns: string[] = []
  header.cells.forEach((cell, index) => {
    const name = normalizeLabel(cleanCell(cell))
    const column = (Object.keys(IMPORT_COLUMNS) as Column[]).find((c) => (IMPORT_COLUMNS[c] as readonly string[]).includes(name))
    if (column && !columns.has(column)) columns.set(column, index)
    else if (name && !EXPORT_ONLY_COLUMNS.has(name)) ignoredColumns.push(cleanCell(cell))
  })
  const missing = (['label', 'recipientSiret'] as const).filter((c) => !columns.has(c))
  if (missing.length > 0) {
    const found = header.cells.map((c) => cleanCell(c)).filter(Boolean).join(' | ') || '(vide)'
    throw new AppError(400, 'csv_missing_columns', {
      fr: `Colonnes obligatoires absentes de la ligne 1 : ${missing.map((c) => (c === 'label' ? '« Libellé »' : '« SIRET destinataire »')).join(', ')}. En-têtes lus : ${found}. En-têtes attendus : Libellé;SIRET destinataire;Code service;Numéro d'engagement;Compte.`,
      en: `Required columns missing from line 1: ${missing.map((c) => (c === 'label' ? '"Label"' : '"Recipient SIRET"')).join(', ')}. Headers read: ${found}. Expected headers: Label;Recipient SIRET;Service code;Engagement number;Account.`,
    }, { missing, delimiter })
  }
  const colName = (c: Column) => {
    const i = columns.get(c)!
    return `${columnLetter(i)} (${cleanCell(header.cells[i])})`
  }

  const accounts = await ports.db.selectFrom('accounts').select(['id', 'siret', 'environment']).execute()
  const defaultAccount = input.defaultAccountId ?? null
  if (defaultAccount !== null && !accounts.some((a) => a.id === defaultAccount)) {
    throw new AppError(404, 'account_not_found', { fr: `Compte fournisseur ${defaultAccount} introuvable.`, en: `Supplier account ${defaultAccount} not found.` })
  }

  // Validation first: every line is judged on its own and against the lines before it.
  type Parsed = { line: number; values: MappingValues; errors: LineError[] }
  const seen = new Map<string, number>()
  const parsed: Parsed[] = dataRows.map((row) => {
    const errors: LineError[] = []
    const cell = (c: Column) => (columns.has(c) ? cleanCell(row.cells[columns.get(c)!]) : '')
    const err = (c: Column | null, code: string, fr: string, en: string) => errors.push({ column: c ? colName(c) : null, code, message: { fr, en } })

    const label = cell('label').replace(/\s+/g, ' ')
    if (!normalizeLabel(label)) err('label', 'label_missing', 'le libellé est vide (ou ne contient ni lettre ni chiffre)', 'the label is empty (or has no letter or digit)')
    else if (label.length > MAX_LABEL_LENGTH) err('label', 'label_too_long', `le libellé dépasse ${MAX_LABEL_LENGTH} caractères`, `the label is longer than ${MAX_LABEL_LENGTH} characters`)

    const rawSiret = cell('recipientSiret')
    const siret = compactIdentifier(rawSiret)
    if (!rawSiret) err('recipientSiret', 'siret_missing', 'le SIRET du destinataire est vide', 'the recipient SIRET is empty')
    else if (/^\d+([.,]\d+)?e\+?\d+$/i.test(siret)) {
      err('recipientSiret', 'siret_scientific', `« ${rawSiret} » : Excel a converti le SIRET en nombre. Mettez la colonne au format Texte et saisissez à nouveau les 14 chiffres`, `"${rawSiret}": Excel turned the SIRET into a number. Format the column as Text and type the 14 digits again`)
    } else if (/^\d{13}$/.test(siret) && isValidSiret(`0${siret}`)) {
      err('recipientSiret', 'siret_leading_zero', `« ${rawSiret} » : 13 chiffres ; Excel a sans doute supprimé le zéro initial (0${siret} ?)`, `"${rawSiret}": 13 digits; Excel probably dropped the leading zero (0${siret}?)`)
    } else if (!/^\d{14}$/.test(siret)) err('recipientSiret', 'siret_format', `« ${rawSiret} » n’est pas un SIRET : il faut 14 chiffres`, `"${rawSiret}" is not a SIRET: 14 digits are needed`)
    else if (!isValidSiret(siret)) err('recipientSiret', 'siret_check_digit', `« ${rawSiret} » : la clé de contrôle du SIRET est fausse (faute de frappe ?)`, `"${rawSiret}": the SIRET check digit is wrong (a typo?)`)

    const serviceCode = cell('serviceCode') || null
    if (serviceCode && serviceCode.toUpperCase() === RESERVED_SERVICE_CODE) {
      err('serviceCode', 'service_reserved', `${RESERVED_SERVICE_CODE} est réservé aux factures entre entités publiques ; indiquez le service destinataire ou laissez vide`, `${RESERVED_SERVICE_CODE} is reserved for invoices between public entities; give the recipient service or leave it empty`)
    } else if (serviceCode && serviceCode.length > MAX_SERVICE_CODE_LENGTH) err('serviceCode', 'service_too_long', `le code service dépasse ${MAX_SERVICE_CODE_LENGTH} caractères`, `the service code is longer than ${MAX_SERVICE_CODE_LENGTH} characters`)

    const engagementNumber = cell('engagementNumber') || null
    if (engagementNumber && engagementNumber.length > ENGAGEMENT_NUMBER_MAX_LENGTH) {
      err('engagementNumber', 'engagement_too_long', `le numéro d’engagement a ${engagementNumber.length} caractères ; Chorus Pro en accepte ${ENGAGEMENT_NUMBER_MAX_LENGTH} au plus`, `the engagement number has ${engagementNumber.length} characters; Chorus Pro accepts at most ${ENGAGEMENT_NUMBER_MAX_LENGTH}`)
    }

    let accountId: string | null = defaultAccount
    if (columns.has('account')) {
      const raw = cell('account')
      if (!raw || /^(\*|tous|global|all|globale?)$/i.test(raw)) accountId = null
      else if (/^\d{1,13}$/.test(raw) && accounts.some((a) => a.id === raw)) accountId = raw
      else {
        const bySiret = accounts.filter((a) => a.siret === compactIdentifier(raw) && a.environment === ports.chorusEnv)
        if (bySiret.length === 1) accountId = bySiret[0]!.id
        else if (bySiret.length > 1) err('account', 'account_ambiguous', `plusieurs comptes fournisseurs ont le SIRET ${raw} ; indiquez l’identifiant du compte`, `several supplier accounts have SIRET ${raw}; give the account id`)
        else err('account', 'account_unknown', `aucun compte fournisseur « ${raw} » (identifiant ou SIRET) ; laissez vide pour un libellé valable pour tous les comptes`, `no supplier account "${raw}" (id or SIRET); leave it empty for a label valid for every account`)
      }
    }

    const n = normalizeLabel(label)
    if (n && errors.every((e) => e.code !== 'account_unknown' && e.code !== 'account_ambiguous')) {
      const key = `${accountId ?? '*'}\u0000${n}`
      const first = seen.get(key)
      if (first !== undefined) err('label', 'duplicate_label', `même libellé (une fois normalisé) et même compte qu’à la ligne ${first} ; une seule ligne par libellé`, `same label (once normalised) and account as line ${first}; one line per label`)
      else seen.set(key, row.line)
    }
    return { line: row.line, values: { accountId, label, recipientSiret: siret, serviceCode, engagementNumber }, errors }
  })

  // All or nothing: a line in error turns the import into a dry run, so the person corrects the file and sends it again whole.
  const dryRun = Boolean(input.dryRun) || (Boolean(input.atomic) && parsed.some((p) => p.errors.length > 0))
  const lines: ImportLine[] = []
  let recheckedDocuments = 0
  try {
    await ports.db.transaction().execute(async (trx) => {
      const scopes: AffectedScope[] = []
      for (const p of parsed) {
        const base = { line: p.line, label: p.values.label, accountId: p.values.accountId }
        if (p.errors.length > 0) {
          lines.push({ ...base, status: 'error', mappingId: null, previous: null, directoryStatus: null, errors: p.errors })
          continue
        }
        const existing = await mappingInScope(trx, p.values.accountId, normalizeLabel(p.values.label))
        let status: ImportLine['status']
        let mapping: RecipientMapping
        if (!existing) {
          mapping = await createMapping(trx, { ...p.values, origin: 'imported', createdBy: input.actor })
          status = 'created'
        } else if (sameRouting(existing, p.values) && existing.label === p.values.label && existing.origin !== 'learned') {
          mapping = existing
          status = 'unchanged'
        } else {
          mapping = (await updateMapping(trx, existing.id, { ...p.values, origin: 'imported' }))!.after
          status = 'updated'
        }
        if (status !== 'unchanged') {
          scopes.push({ accountId: mapping.accountId, labelNormalized: mapping.labelNormalized })
          await audit(trx, {
            actor: input.actor,
            action: status === 'created' ? 'recipient_mapping.create' : 'recipient_mapping.update',
            targetType: 'recipient_mapping',
            targetId: mapping.id,
            details: { via: 'import', line: p.line, after: auditValues(mapping), ...(existing ? { before: auditValues(existing) } : {}) },
          })
        }
        lines.push({
          ...base,
          status,
          mappingId: dryRun && status === 'created' ? null : mapping.id,
          previous: existing && status === 'updated' ? { recipientSiret: existing.recipientSiret, serviceCode: existing.serviceCode, engagementNumber: existing.engagementNumber, origin: existing.origin } : null,
          directoryStatus: null,
          errors: [],
        })
      }
      recheckedDocuments = await recheckAffectedDocuments(ports, trx, scopes)
      const totals = count(lines)
      await audit(trx, { actor: input.actor, action: 'recipient_mapping.import', targetType: 'recipient_mapping', details: { ...totals, recheckedDocuments } })
      if (dryRun) throw new DryRunRollback()
    })
  } catch (e) {
    if (!(e instanceof DryRunRollback)) throw e
  }

  const valid = lines.filter((l) => l.status !== 'error')
  const checks = await checkDirectory(ports.db, ports.chorusEnv, valid.map((l) => parsed.find((p) => p.line === l.line)!.values))
  const withStatus = lines.map((l) => (l.status === 'error' ? l : { ...l, directoryStatus: checks[valid.indexOf(l)]!.status }))
  return { dryRun: Boolean(input.dryRun), applied: !dryRun, encoding: decoded.encoding, delimiter, totals: count(lines), ignoredColumns, recheckedDocuments, lines: withStatus }
}

function sameRouting(m: RecipientMapping, v: MappingValues): boolean {
  return m.recipientSiret === v.recipientSiret && m.serviceCode === v.serviceCode && m.engagementNumber === v.engagementNumber
}

function auditValues(m: RecipientMapping) {
  return { accountId: m.accountId, label: m.label, recipientSiret: m.recipientSiret, serviceCode: m.serviceCode, engagementNumber: m.engagementNumber, origin: m.origin }
}

function count(lines: readonly ImportLine[]) {
  return {
    lines: lines.length,
    created: lines.filter((l) => l.status === 'created').length,
    updated: lines.filter((l) => l.status === 'updated').length,
    unchanged: lines.filter((l) => l.status === 'unchanged').length,
    errors: lines.filter((l) => l.status === 'error').length,
  }
}

function frSyntax(message: string): string {
  if (message.startsWith('a quoted field')) return 'un champ entre guillemets ouvert sur cette ligne n’est jamais refermé'
  if (message.startsWith('unexpected character')) return 'caractère inattendu après un guillemet fermant ; un guillemet dans un champ entre guillemets doit être doublé ("")'
  return message
}
