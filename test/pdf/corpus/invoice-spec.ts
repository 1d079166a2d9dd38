import { addAmounts, formatAmountFr, fromCents, toCents, type Amount } from '../../../src/domain/amount'
import { fieldLayer, type FieldName, type InvoiceFields } from '../../../src/domain/invoice-fields'
import { LA_POSTE_SIREN, luhnValid, withLuhnDigit } from '../../../src/domain/siret'

/** One invoice of the corpus: what is printed, and therefore what a perfect reader returns. */
export interface InvoiceSpec {
  readonly seed: number
  readonly lang: 'fr' | 'en'
  readonly type: 'FACTURE' | 'AVOIR'
  readonly number: string
  readonly originalInvoice?: string
  readonly date: string
  readonly supplier: Party
  readonly recipient: Party
  readonly serviceLabel?: string
  readonly serviceCode?: string
  readonly engagement?: string
  readonly lines: ReadonlyArray<{ label: string; qty: number; unit: Amount; net: Amount }>
  readonly vatRate: string
  readonly net: Amount
  readonly vat: Amount
  readonly gross: Amount
  readonly prepaid?: Amount
  readonly due: Amount
}

export interface Party {
  readonly name: string
  readonly siret: string
  readonly address: readonly string[]
}

/** Deterministic PRNG (mulberry32): the corpus is the same on every machine and run. */
export function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    digits: (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join(''),
  }
}

export function randomSiret(r: ReturnType<typeof prng>): string {
  return withLuhnDigit(String(r.int(1, 9)) + r.digits(12))
}

/** A La Poste establishment number valid only by the digit-sum rule (not Luhn). */
export function laPosteSiret(): string {
  for (let n = 100; ; n++) {
    const s = LA_POSTE_SIREN + String(n).padStart(5, '0')
    const sum = [...s].reduce((a, c) => a + Number(c), 0)
    if (sum % 5 === 0 && !luhnValid(s)) return s
  }
}

const SUPPLIERS = ['ACME Services SAS', 'Boulangerie Martin SARL', 'Nettoyage Pro', 'Atelier Dupont & Fils', 'Informatique du Rhône', 'Green Energy Consulting Ltd', 'Transports Lefèvre', 'Imprimerie Moderne']
const RECIPIENTS = ['Mairie de Villeurbanne', 'Département du Rhône', 'Centre Hospitalier de Valence', 'Université de Lorraine', 'Ministère des Armées', 'Commune de Saint-Étienne', 'Rectorat de Grenoble', 'Région Occitanie']
const SERVICES_FR = ['Direction des achats', 'Direction des finances', 'Service informatique', 'Direction des services techniques', 'Service des marchés publics']
const SERVICES_EN = ['Procurement Department', 'Finance Department', 'IT Department']
const ITEMS_FR = ['Prestation de conseil', 'Maintenance annuelle', 'Fournitures de bureau', 'Nettoyage des locaux', 'Formation du personnel', 'Licence logicielle', 'Déplacement', 'Impression de brochures']
const ITEMS_EN = ['Consulting services', 'Annual maintenance', 'Office supplies', 'Cleaning services', 'Staff training', 'Software licence', 'Travel expenses']
const STREETS = ['12 rue de la République', '4 avenue Jean Jaurès', '27 boulevard Voltaire', '1 place Bellecour', '88 quai Perrache']
const CITIES = ['69001 Lyon', '75011 Paris', '38000 Grenoble', '26000 Valence', '54000 Nancy']

export function makeSpec(seed: number, overrides: Partial<InvoiceSpec> & { lang?: 'fr' | 'en'; lineCount?: number } = {}): InvoiceSpec {
  const r = prng(seed)
  const lang = overrides.lang ?? 'fr'
  const type = overrides.type ?? 'FACTURE'
  const year = r.int(2024, 2026)
  const date = `${year}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`
  const prefix = type === 'AVOIR' ? r.pick(lang === 'fr' ? ['AV-', 'AV', 'A-'] : ['CN-', 'CR']) : r.pick(lang === 'fr' ? ['F-', 'FA', 'F'] : ['INV-', 'INV', 'IN'])
  const number = `${prefix}${year}-${r.digits(4)}`
  const lineCount = overrides.lineCount ?? r.int(1, 5)
  const items = lang === 'fr' ? ITEMS_FR : ITEMS_EN
  const lines = Array.from({ length: lineCount }, () => {
    const qty = r.int(1, 12)
    const unitCents = BigInt(r.int(500, 250000))
    return { label: r.pick(items), qty, unit: fromCents(unitCents), net: fromCents(unitCents * BigInt(qty)) }
  })
  const vatRate = r.pick(['20', '20', '10', '5.5'])
  const net = addAmounts(...lines.map((l) => l.net))
  const vatCents = (toCents(net) * BigInt(Math.round(Number(vatRate) * 10)) + 500n) / 1000n
  const vat = fromCents(vatCents)
  const gross = addAmounts(net, vat)
  const party = (names: readonly string[]): Party => ({ name: r.pick(names), siret: randomSiret(r), address: [r.pick(STREETS), r.pick(CITIES)] })
  const base: InvoiceSpec = {
    seed,
    lang,
    type,
    number,
    date,
    supplier: party(SUPPLIERS),
    recipient: party(RECIPIENTS),
    serviceLabel: r.next() < 0.7 ? r.pick(lang === 'fr' ? SERVICES_FR : SERVICES_EN) : undefined,
    serviceCode: r.next() < 0.6 ? r.pick(['SE', 'FIN', 'ACH', 'DSI']) + r.digits(r.int(2, 4)) : undefined,
    engagement: r.next() < 0.7 ? (r.next() < 0.5 ? '13' + r.digits(8) : r.pick(['BC-', 'EJ', 'PO-']) + r.digits(6)) : undefined,
    lines,
    vatRate,
    net,
    vat,
    gross,
    due: gross,
  }
  const merged = { ...base, ...overrides }
  if (merged.type === 'AVOIR' && !merged.originalInvoice) return { ...merged, originalInvoice: `F-${year}-${r.digits(4)}` }
  if (merged.prepaid) return { ...merged, due: fromCents(toCents(merged.gross) - toCents(merged.prepaid)) }
  return merged
}

/** The fields a perfect reader of the printed page returns. */
export function expectedFields(s: InvoiceSpec): Partial<Record<FieldName, string>> {
  const out: Partial<Record<FieldName, string>> = {
    invoiceNumber: s.number,
    invoiceType: s.type,
    invoiceDate: s.date,
    currency: 'EUR',
    supplierSiret: s.supplier.siret,
    recipientSiret: s.recipient.siret,
    amountNet: s.net,
    amountVat: s.vat,
    amountGross: s.gross,
    amountDue: s.due,
  }
  // The printed service when there is one, else the name under the recipient header (issue 17, item 6).
  out.recipientLabel = s.serviceLabel ?? s.recipient.name
  if (s.serviceCode) out.serviceCode = s.serviceCode
  if (s.engagement) out.engagementNumber = s.engagement
  return out
}

export function expectedLayer(s: InvoiceSpec): InvoiceFields {
  return fieldLayer('text', expectedFields(s))
}

// ---------- printing helpers ----------

const MONTHS_FR = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre']
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

export function printDate(iso: string, style: 'fr-slash' | 'fr-long' | 'iso' | 'en-long' | 'en-day-first' | 'fr-dash'): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  switch (style) {
    case 'fr-slash':
      return `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}`
    case 'fr-dash':
      return `${String(d).padStart(2, '0')}-${String(m).padStart(2, '0')}-${y}`
    case 'fr-long':
      return `${d === 1 ? '1er' : d} ${MONTHS_FR[m - 1]} ${y}`
    case 'iso':
      return iso
    case 'en-long':
      return `${MONTHS_EN[m - 1]} ${d}, ${y}`
    case 'en-day-first':
      return `${d} ${MONTHS_EN[m - 1]} ${y}`
  }
}

export type AmountStyle = 'fr' | 'fr-dots' | 'en' | 'plain'
export function printAmount(a: Amount, style: AmountStyle, currency = true, negative = false): string {
  const [whole, frac] = a.split('.') as [string, string]
  const sign = negative ? '-' : ''
  let s: string
  if (style === 'fr') s = formatAmountFr(a).replace(/\u202f/g, ' ')
  else if (style === 'fr-dots') s = `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${frac}`
  else if (style === 'en') s = `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`
  else s = a
  if (!currency) return sign + s
  return style === 'en' ? `${sign}€${s}` : `${sign}${s} €`
}

export function groupedSiret(s: string, grouped: boolean): string {
  return grouped ? `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6, 9)} ${s.slice(9)}` : s
}
