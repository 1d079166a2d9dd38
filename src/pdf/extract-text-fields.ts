import { addAmounts, parsePrintedAmount, sameAmount, toCents, fromCents, type Amount } from '../domain/amount'
import type { FieldName, FieldValue, InvoiceFields } from '../domain/invoice-fields'
import { compactIdentifier } from '../domain/siret'
import { findPrintedDates } from './find-printed-dates'
import { findPrintedIdentifiers } from './find-printed-identifiers'
import type { TextCell, TextLine } from './read-page-lines'

export interface TextExtraction {
  readonly fields: InvoiceFields
  readonly warnings: string[]
}

export interface ExtractTextOptions {
  readonly supplierSirets: readonly string[]
}

/**
 * Lower case, no accents, one kind of apostrophe and degree sign: labels are matched on this form.
 * Length-preserving on NFC text, so a match index also points into the printed text.
 */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘`´]/g, "'")
    .replace(/º/g, '°')
    .toLowerCase()
}

/** "n°", "n °", "No.", "Nr", "#", as printed before a number. */
const N = String.raw`(?:n\s?°|no\b\.?|nr\b\.?|#)`
const rx = (source: string) => new RegExp(source.replace(/N°/g, N))

interface Cursor {
  readonly line: TextLine
  readonly lineIndex: number
  readonly cellIndex: number
  readonly cell: TextCell
  readonly folded: string
}

const field = (value: string, confidence: number): FieldValue => ({ value, origin: 'text', confidence: round(confidence) })
const round = (c: number) => Math.round(Math.min(1, Math.max(0, c)) * 100) / 100

/**
 * Reads the form's fields from printed lines (French and English layouts), each with a confidence:
 * ~0.9 when a label names the value on the same line, less when the value is found below its label
 * or inferred (positional SIRET, a total computed from the others).
 */
export function extractTextFields(lines: readonly TextLine[], opts: ExtractTextOptions): TextExtraction {
  const warnings: string[] = []
  const cursors: Cursor[] = []
  lines.forEach((line, lineIndex) =>
    line.cells.forEach((cell, cellIndex) => cursors.push({ line, lineIndex, cellIndex, cell, folded: fold(cell.text) })),
  )
  const ctx = { lines, cursors }
  const fields: Partial<Record<FieldName, FieldValue>> = {}

  const type = invoiceType(ctx)
  if (type) fields.invoiceType = type
  const number = labelledToken(ctx, NUMBER_LABELS, NUMBER_EXCLUDE, isDocumentNumber)
  if (number) fields.invoiceNumber = number
  const date = invoiceDate(ctx)
  if (date) fields.invoiceDate = date
  const engagement = labelledToken(ctx, ENGAGEMENT_LABELS, /\bdate\b|\bdu\s+\d/, isDocumentNumber)
  if (engagement) fields.engagementNumber = engagement
  const service = labelledToken(ctx, SERVICE_CODE_LABELS, null, isServiceCode)
  if (service) fields.serviceCode = service
  const label = recipientLabel(ctx)
  if (label) fields.recipientLabel = label
  Object.assign(fields, parties(ctx, opts.supplierSirets))
  Object.assign(fields, amounts(ctx, warnings))
  const currency = currencyOf(lines)
  if (currency) fields.currency = currency
  return { fields, warnings }
}

type Ctx = { readonly lines: readonly TextLine[]; readonly cursors: readonly Cursor[] }

// ---------- invoice type ----------

/** A title, not "Facturé à" or "Avoir sur facture": the word alone, or followed by a number or its label. */
const TITLE_TAIL = String.raw`\s*(?:$|:|N°|number|numero|#|[a-z]{0,4}-?\d)`
const TITLE_AVOIR = rx(String.raw`^(?:facture d'avoir|avoir|note de credit|credit note|credit memo)${TITLE_TAIL}`)
const TITLE_FACTURE = rx(String.raw`^(?:facture|invoice|tax invoice)${TITLE_TAIL}`)

function invoiceType(ctx: Ctx): FieldValue | null {
  for (const c of ctx.cursors) {
    if (c.line.page !== 1) break
    if (TITLE_AVOIR.test(c.folded)) return field('AVOIR', 0.92)
    if (TITLE_FACTURE.test(c.folded)) return field('FACTURE', 0.9)
  }
  const all = ctx.cursors.map((c) => c.folded).join('\n')
  if (/\b(avoir|credit note)\b/.test(all)) return field('AVOIR', 0.6)
  if (/\b(facture|invoice)\b/.test(all)) return field('FACTURE', 0.6)
  return null
}

// ---------- labelled tokens (number, engagement, service code) ----------

const NUMBER_LABELS: RegExp[] = [
  rx(String.raw`\b(?:facture|invoice|avoir|credit note|note de credit)\s*(?:N°|number|numero|ref(?:erence)?\.?)\s*:?`),
  rx(String.raw`(?:N°|\bnumero|\bnumber)\s*(?:de\s+(?:la\s+)?|d'|of\s+(?:the\s+)?)?(?:facture|invoice|l'avoir|avoir|credit note)\s*:?`),
  /\binvoice\s*id\s*:?/,
  /^(?:facture|invoice|avoir|credit note)\s*:?\s*(?=[a-z]*\d)/,
]
/** "Avoir sur facture n° F-12": the number of the invoice being credited, not of this document. */
const NUMBER_EXCLUDE = /\b(sur|origin\w*|initiale?|against|related|corrige\w*|refers?)\b\s*(la\s+)?$/

/** A bare "EJ" is a label only when not glued to the number it prefixes ("EJ-2026-0001" is a value). */
const ENGAGEMENT_LABELS: RegExp[] = [
  rx(String.raw`(?:N°\s*d'engagement|\bnumero d'engagement|\bengagement juridique|N°\s*ej\b|\bnumero ej\b|\bej\b(?![-/_.]))\s*(?:N°)?\s*:?`),
  rx(String.raw`(?:\bbon de commande|N°\s*(?:de\s+)?commande|\bnumero de commande|\bcommande\s*(?:N°)?|\breference commande|\bref\.?\s*commande|\bvotre commande)\s*(?:N°)?\s*:?`),
  rx(String.raw`\b(?:purchase order|po|order)\s*(?:number|N°|ref(?:erence)?\.?)?\s*:?`),
]

const SERVICE_CODE_LABELS: RegExp[] = [/\b(?:code\s+(?:du\s+)?service(?:\s+executant)?|service\s+code|service\s+executant)\s*:?/]

function isDocumentNumber(token: string): boolean {
  return /^[A-Z0-9][A-Z0-9\-/_.]{0,38}[A-Z0-9]$/i.test(token) && /\d/.test(token) && !/^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/.test(token)
}

function isServiceCode(token: string): boolean {
  return /^[A-Z0-9][A-Z0-9\-_]{0,29}$/i.test(token) && /^[A-Z0-9\-_]+$/.test(token)
}

/**
 * Finds a label and reads the token after it: on the same cell, in the next cell of the line, or in
 * the cell just below (a label heading a small table). The first plausible token wins.
 */
function labelledToken(ctx: Ctx, labels: RegExp[], exclude: RegExp | null, accept: (t: string) => boolean): FieldValue | null {
  for (const re of labels) {
    for (const c of ctx.cursors) {
      const m = re.exec(c.folded)
      if (!m) continue
      if (exclude && exclude.test(c.folded.slice(0, m.index))) continue
      if (/\bdate\b/.test(c.folded.slice(m.index, m.index + m[0].length + 12)) && re !== NUMBER_LABELS[0]) continue
      const rest = c.cell.text.slice(m.index + m[0].length)
      const same = firstToken(rest)
      if (same && accept(same)) return field(same, 0.9)
      if (rest.trim()) continue
      const next = c.line.cells[c.cellIndex + 1]
      const nextToken = next && firstToken(next.text)
      if (nextToken && accept(nextToken)) return field(nextToken, 0.88)
      const below = cellBelow(ctx, c)
      const belowToken = below && firstToken(below.text)
      if (belowToken && accept(belowToken) && below.text.trim().split(/\s+/).length <= 2) return field(belowToken, 0.75)
    }
  }
  return null
}

function firstToken(s: string): string | null {
  const t = s.replace(/^[\s:°#.\-–—]+/, '').replace(/^(n°|no\.?|nr\.?|number|num[eé]ro)\s*:?\s*/i, '').trim().split(/\s+/)[0]
  return t ? t.replace(/[,;:.)]+$/, '') : null
}

function cellBelow(ctx: Ctx, c: Cursor): TextCell | null {
  for (let i = c.lineIndex + 1; i < Math.min(ctx.lines.length, c.lineIndex + 3); i++) {
    const l = ctx.lines[i]!
    if (l.page !== c.line.page || l.y - c.line.y > 3 * c.cell.size) return null
    const hit = l.cells.find((x) => x.x < c.cell.x2 + 5 && x.x2 > c.cell.x - 5)
    if (hit) return hit
  }
  return null
}

// ---------- date ----------

const DATE_LABEL =
  /\b(date\s+(?:de\s+(?:la\s+)?)?(?:facture|facturation|l'avoir|d'emission|emission|d'edition)|invoice date|date of (?:issue|invoice)|issue date|issued on|date d'emission|credit note date|fait (?:a [^,]+,?\s*)?le|^date\b|\bdate\s*:)/
const NOT_INVOICE_DATE = /(echeance|due|livraison|delivery|commande|order|paiement|payment|prestation|service|periode|period|limite|reglement|expir|valid|naissance|supply)/

function invoiceDate(ctx: Ctx): FieldValue | null {
  for (const c of ctx.cursors) {
    const m = DATE_LABEL.exec(c.folded)
    if (!m || NOT_INVOICE_DATE.test(c.folded.slice(0, m.index + m[0].length + 15))) continue
    const rest = c.cell.text.slice(m.index + m[0].length)
    const same = findPrintedDates(rest)[0]
    if (same) return field(same.date, 0.9)
    const next = c.line.cells[c.cellIndex + 1]
    const nd = next && findPrintedDates(next.text)[0]
    if (nd) return field(nd.date, 0.88)
    const below = cellBelow(ctx, c)
    const bd = below && findPrintedDates(below.text)[0]
    if (bd) return field(bd.date, 0.75)
  }
  // No label: the first date on page 1 that is not a due/delivery date.
  for (const c of ctx.cursors) {
    if (c.line.page !== 1) break
    const d = findPrintedDates(c.cell.text)[0]
    if (!d) continue
    const context = (c.line.cells[c.cellIndex - 1] ? fold(c.line.cells[c.cellIndex - 1]!.text) : '') + ' ' + c.folded.slice(0, d.index)
    if (NOT_INVOICE_DATE.test(context)) continue
    return field(d.date, 0.55)
  }
  return null
}

// ---------- recipient label ----------

const SERVICE_LABEL = /^(?:service(?:\s+destinataire)?|department|dept\.?|attn\.?|a l'attention de|attention)\s*:\s*/
const DIRECTION_LINE = /^(direction|departement|department|pole|bureau|division|sous-direction|secretariat general)\b/

function recipientLabel(ctx: Ctx): FieldValue | null {
  for (const c of ctx.cursors) {
    const m = SERVICE_LABEL.exec(c.folded)
    if (!m) continue
    const value = c.cell.text.slice(m[0].length).trim() || c.line.cells[c.cellIndex + 1]?.text.trim()
    if (value && /\p{L}{3}/u.test(value)) return field(value, 0.85)
  }
  const recipientHeaders = ctx.cursors.filter((c) => RECIPIENT_HEADER.test(c.folded))
  for (const c of ctx.cursors) {
    if (!DIRECTION_LINE.test(c.folded) || c.cell.text.length > 80) continue
    const inBlock = recipientHeaders.some((h) => sameBlock(h, c))
    return field(c.cell.text, inBlock ? 0.75 : 0.5)
  }
  // The common block "Destinataire / Mairie de … / Services techniques / SIRET …" (issue 17, item 6): the
  // name printed under the recipient header is the label a mapping is made for.
  for (const h of recipientHeaders) {
    const name = nameUnder(ctx, h)
    if (name) return field(name, 0.7)
  }
  return null
}

/** An address, an identifier or an amount line: not a name. */
const NOT_A_NAME = /^(\d|siret|siren|tva|vat|tel|t[eé]l[eé]phone|fax|e-?mail|courriel|iban|bic|n° |no\b|code|ref)|@|\b(rue|avenue|boulevard|bd|place|quai|chemin|route|allee|impasse|cedex|bp)\b|\b\d{5}\b/

/**
 * The first line under a recipient header ("Destinataire", "Client", "Facturé à", "Bill to") that reads as a
 * name: in the header's column, a few lines down, with letters, not an address or an identifier. A header
 * with its value on the same line ("Client : Mairie de Lyon") gives that value.
 */
function nameUnder(ctx: Ctx, header: Cursor): string | null {
  const inline = /^[^:]{2,40}:\s*(.+)$/.exec(header.cell.text)
  if (inline && /\p{L}{3}/u.test(inline[1]!) && !NOT_A_NAME.test(fold(inline[1]!.trim()))) return inline[1]!.trim()
  if (header.cell.text.replace(/[\s:]+$/, '').length > 30) return null
  const below = ctx.cursors
    .filter((c) => c.line.page === header.line.page && c.lineIndex > header.lineIndex && c.lineIndex <= header.lineIndex + 3 && Math.abs(c.cell.x - header.cell.x) < 40)
    .sort((a, b) => a.lineIndex - b.lineIndex)
  for (const c of below) {
    const text = c.cell.text.trim()
    if (RECIPIENT_HEADER.test(c.folded) || SUPPLIER_HEADER.test(c.folded)) return null
    if (text.length < 3 || text.length > 80 || !/\p{L}{3}/u.test(text) || NOT_A_NAME.test(c.folded)) continue
    return text
  }
  return null
}

// ---------- parties (SIRET) ----------

const RECIPIENT_HEADER = /^(client|destinataire|facture a|facturer a|adressee? a|adresse de facturation|acheteur|donneur d'ordre|bill(?:ed)? to|invoice to|customer|buyer|sold to|recipient|debiteur|a l'attention)\b/
const SUPPLIER_HEADER = /^(emetteur|fournisseur|vendeur|prestataire|supplier|seller|vendor|from|issued by|titulaire|creancier)\b/
const RECIPIENT_INLINE = /(client|destinataire|acheteur|buyer|customer|recipient|debiteur|bill(?:ed)? to|du service|entite publique|administration)/
const SUPPLIER_INLINE = /(fournisseur|emetteur|vendeur|prestataire|supplier|seller|vendor|\bnotre\b|\bour\b)/
const LEGAL_MENTIONS = /(capital|\brcs\b|\bape\b|\bnaf\b|\bsas\b|\bsarl\b|\beurl\b|\bsasu\b|siege social|registered|company no|immatricul|\bsa au\b|tva intracom)/

function sameBlock(header: Cursor, c: Cursor): boolean {
  return (
    header.line.page === c.line.page &&
    c.line.y >= header.line.y - 1 &&
    c.line.y - header.line.y < 220 &&
    Math.abs(c.cell.x - header.cell.x) < 90
  )
}

function parties(ctx: Ctx, ownSirets: readonly string[]): InvoiceFields {
  const own = new Set(ownSirets.map(compactIdentifier))
  const votes = new Map<string, { supplier: number; recipient: number; unknown: boolean; first: number }>()
  const sirens = new Set<string>()
  const headers = ctx.cursors.filter((c) => RECIPIENT_HEADER.test(c.folded) || SUPPLIER_HEADER.test(c.folded))
  const firstRecipientHeader = headers.find((h) => RECIPIENT_HEADER.test(h.folded))
  let order = 0
  for (const c of ctx.cursors) {
    for (const id of findPrintedIdentifiers(c.cell.text)) {
      if (id.kind === 'siren') {
        if (LEGAL_MENTIONS.test(c.folded) || /\b(siren|rcs)\b/.test(c.folded)) sirens.add(id.value)
        continue
      }
      const v = votes.get(id.value) ?? { supplier: 0, recipient: 0, unknown: true, first: order++ }
      votes.set(id.value, v)
      const vote = (role: 'supplier' | 'recipient', conf: number) => {
        v[role] = Math.max(v[role], conf)
        v.unknown = false
      }
      if (own.has(id.value)) {
        vote('supplier', 0.98)
        continue
      }
      const before = fold((c.line.cells[c.cellIndex - 1]?.text ?? '') + ' ' + c.cell.text.slice(0, id.index))
      if (RECIPIENT_INLINE.test(before)) {
        vote('recipient', 0.95)
        continue
      }
      if (SUPPLIER_INLINE.test(before)) {
        vote('supplier', 0.95)
        continue
      }
      const header = headers
        .filter((h) => sameBlock(h, c))
        .sort((a, b) => c.line.y - a.line.y - (c.line.y - b.line.y))[0]
      if (header) {
        vote(RECIPIENT_HEADER.test(header.folded) ? 'recipient' : 'supplier', 0.88)
        continue
      }
      if (LEGAL_MENTIONS.test(c.folded) || LEGAL_MENTIONS.test(fold(c.line.text))) {
        vote('supplier', 0.85)
        continue
      }
      // Our own letterhead: above the recipient's block on page 1.
      if (c.line.page === 1 && (!firstRecipientHeader || c.line.y < firstRecipientHeader.line.y - 2)) vote('supplier', 0.7)
    }
  }
  for (const [siret, v] of votes) if (sirens.has(siret.slice(0, 9)) && !v.recipient) v.supplier = Math.max(v.supplier, 0.85)

  const best = (role: 'supplier' | 'recipient', other: 'supplier' | 'recipient') =>
    [...votes.entries()].filter(([, v]) => v[role] > v[other]).sort((a, b) => b[1][role] - a[1][role])[0]
  const out: Partial<Record<FieldName, FieldValue>> = {}
  const sup = best('supplier', 'recipient')
  const rec = best('recipient', 'supplier')
  if (sup) out.supplierSiret = field(sup[0], sup[1].supplier)
  if (rec) out.recipientSiret = field(rec[0], rec[1].recipient)
  // One role known and one other number left: it is very likely the other party. A second number that
  // only sat in the letterhead area (weak supplier vote) counts as unknown once the supplier is known.
  const unknown = [...votes.entries()].filter(([s, v]) => v.unknown || (sup && s !== sup[0] && !v.recipient && v.supplier <= 0.7))
  if (unknown.length === 1) {
    if (sup && !rec) out.recipientSiret = field(unknown[0]![0], 0.6)
    if (rec && !sup) out.supplierSiret = field(unknown[0]![0], 0.6)
  }
  if (!sup && !rec && unknown.length === 2) {
    const [a, b] = unknown.sort((x, y) => x[1].first - y[1].first)
    out.supplierSiret = field(a![0], 0.5)
    out.recipientSiret = field(b![0], 0.5)
  }
  return out
}

// ---------- amounts ----------

type AmountKind = 'due' | 'gross' | 'net' | 'vat' | 'prepaid'
const AMOUNT_LABELS: Array<[AmountKind, RegExp]> = [
  ['prepaid', /(acompte|deja (regle|paye|verse)|deposit|already paid|advance paid|avance)/],
  ['due', /(net a payer|reste a payer|montant (du|a payer|a regler)|solde (du|a payer)|^a payer|amount due|balance due|total due|amount payable|to pay\b|please pay|payable amount)/],
  ['net', /(total\s*h\.?\s?t\b|montant\s*h\.?\s?t\b|net\s*h\.?\s?t\b|\bhors tax|sous-total|sous total|subtotal|sub-total|total (excl|excluding|before|net of|hors)|net amount|amount excl|^total net|^net total|total ht)/],
  ['gross', /(t\.?t\.?c\.?\b|toutes taxes|total (incl|including|inc\.|with)|grand total|total amount|invoice total|total a regler|amount incl|^total\s*(\(eur\)|eur|€)?\s*:?$)/],
  ['vat', /(^|[\s(])(total\s+|montant\s+)?(t\.?v\.?a\.?|vat|tax|taxes|sales tax)\b/],
]
const NOT_AMOUNT_LINE = rx(String.raw`(intracom|N°\s*(de\s+)?tva|numero de tva|vat\s*(number|N°|id|reg)|tax id|tva\s*:\s*fr|identifiant)`)

const AMOUNT_RE = /(?<![\w.,%])(-?\(?\s?(?:\d{1,3}(?:[ \u00a0\u202f.,']\d{3})+|\d+)(?:[.,]\d{1,2})?\)?)(\s?(?:€|EUR|euros?|\$|USD|£|GBP|CHF))?(?![\w%]|\s?%|[.,]\d)/g

/** Amounts printed in a string, with whether they look like money (decimals or a currency sign). */
function printedAmounts(s: string): Amount[] {
  const out: Amount[] = []
  AMOUNT_RE.lastIndex = 0
  for (let m = AMOUNT_RE.exec(s); m; m = AMOUNT_RE.exec(s)) {
    const raw = m[1]!
    if (!/[.,]\d{2}\)?$/.test(raw.trim()) && !m[2]) continue
    const v = parsePrintedAmount(raw)
    if (v !== null) out.push(v)
  }
  return out
}

function amounts(ctx: Ctx, warnings: string[]): InvoiceFields {
  const found: Record<AmountKind, Array<{ value: Amount; total: boolean }>> = { due: [], gross: [], net: [], vat: [], prepaid: [] }
  for (const line of ctx.lines) {
    const foldedLine = fold(line.text)
    if (NOT_AMOUNT_LINE.test(foldedLine)) continue
    for (let i = 0; i < line.cells.length; i++) {
      const f = fold(line.cells[i]!.text)
      const hit = AMOUNT_LABELS.find(([kind, re]) => re.test(f) && !(kind === 'vat' && /(ttc|hors|excl|incl|\bht\b)/.test(f)))
      if (!hit) continue
      const rest = [line.cells[i]!.text.slice(labelEnd(f, hit[1])), ...line.cells.slice(i + 1).map((c) => c.text)].join('\t')
      const values = printedAmounts(rest)
      if (!values.length) continue
      found[hit[0]].push({ value: abs(values[values.length - 1]!), total: /\btotal\b|montant/.test(f) })
      break
    }
  }
  const last = (k: AmountKind) => found[k][found[k].length - 1]?.value ?? null
  const out: Partial<Record<FieldName, FieldValue>> = {}
  let net = last('net')
  let gross = last('gross')
  let vat: Amount | null = null
  let vatConf = 0.9
  const vatTotals = found.vat.filter((v) => v.total)
  if (vatTotals.length) vat = vatTotals[vatTotals.length - 1]!.value
  else if (found.vat.length === 1) vat = found.vat[0]!.value
  else if (found.vat.length > 1) {
    // One line per rate and no total line: the VAT is their sum.
    vat = addAmounts(...found.vat.map((v) => v.value))
    vatConf = 0.8
  }
  let netConf = 0.9
  let grossConf = 0.9
  if (net && gross && !vat) {
    vat = fromCents(toCents(gross) - toCents(net))
    vatConf = 0.6
  } else if (net && vat && !gross) {
    gross = addAmounts(net, vat)
    grossConf = 0.6
  } else if (!net && vat && gross) {
    net = fromCents(toCents(gross) - toCents(vat))
    netConf = 0.6
  } else if (net && vat && gross && !sameAmount(addAmounts(net, vat), gross)) {
    warnings.push('amounts_inconsistent')
    netConf = grossConf = vatConf = 0.4
  }
  if (net) out.amountNet = field(net, netConf)
  if (vat) out.amountVat = field(vat, vatConf)
  if (gross) out.amountGross = field(gross, grossConf)
  const due = last('due')
  const prepaid = last('prepaid')
  if (due) out.amountDue = field(due, 0.9)
  else if (gross && prepaid) out.amountDue = field(fromCents(toCents(gross) - toCents(prepaid)), 0.65)
  else if (gross) out.amountDue = field(gross, Math.min(grossConf, 0.75))
  return out
}

function labelEnd(folded: string, re: RegExp): number {
  const m = re.exec(folded)
  return m ? m.index + m[0].length : 0
}

function abs(a: Amount): Amount {
  return a.startsWith('-') ? a.slice(1) : a
}

// ---------- currency ----------

function currencyOf(lines: readonly TextLine[]): FieldValue | null {
  const counts: Record<string, number> = {}
  for (const l of lines) {
    for (const m of l.text.matchAll(/€|\bEUR\b|\beuros?\b|\bUSD\b|\$|£|\bGBP\b|\bCHF\b/gi)) {
      const code = /€|eur/i.test(m[0]) ? 'EUR' : /\$|usd/i.test(m[0]) ? 'USD' : /£|gbp/i.test(m[0]) ? 'GBP' : 'CHF'
      counts[code] = (counts[code] ?? 0) + 1
    }
  }
  const best = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]
  return best ? field(best[0], 0.85) : field('EUR', 0.4)
}
