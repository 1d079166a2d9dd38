import { fromCents, normalizeAmount, toCents } from '../domain/amount'
import { JsonDecimal } from '../domain/exact-json'
import { REFUSALS, refuse, type SandboxRefusal } from './sandbox-errors'
import type { SeedStructure } from './seed-directory'

/** An invoice as the rules see it, whatever route it came by (soumettre, a flow, recycler). */
export interface InvoiceFacts {
  readonly numeroFacture: string | undefined
  readonly dateFacture: string
  readonly codeDestinataire: string | undefined
  readonly codeServiceExecutant: string | undefined
  readonly numeroBonCommande: string | undefined
}

export interface Totals {
  readonly ht: bigint
  readonly tva: bigint
  readonly ttc: bigint
  readonly aPayer: bigint
  readonly remise: bigint
}

/** Chorus amounts arrive as JSON numbers (read exactly: a JsonDecimal) or strings; null when absent or unreadable. */
export function cents(v: unknown): bigint | null {
  if (v instanceof JsonDecimal) v = v.text
  if (typeof v !== 'number' && typeof v !== 'string') return null
  try {
    return toCents(normalizeAmount(v))
  } catch {
    return null
  }
}

/**
 * A soumettre amount: null when absent; a JSON number with at most two decimals, in cents, exactly;
 * anything else is refused naming the field. [uncertain] Whether the real platform refuses an amount sent
 * as a string is not public (its Java side may coerce it); the published clients send numbers (reference
 * "Updates checked 2026-11"), and the sandbox insists on it so that the connector keeps doing so.
 */
export function amountField(field: string, v: unknown): bigint | null {
  if (v === undefined || v === null) return null
  const text = v instanceof JsonDecimal ? v.text : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined
  if (text === undefined) refuse(REFUSALS.badRequest(`${field} doit être un nombre JSON${typeof v === 'string' ? ', pas une chaîne' : ''}`))
  if (!/^-?\d+(\.\d{1,2})?$/.test(text)) refuse(REFUSALS.badRequest(`${field} : au plus deux décimales (${text})`))
  return toCents(text)
}

/** A bare date as invoice number is refused (docs "Bien renseigner son numéro de facture", reference §4). */
export function checkInvoiceNumber(numero: string | undefined): string {
  const n = numero?.trim()
  if (!n) refuse(REFUSALS.invoiceNumberInvalid('est invalide ou absent'))
  if (/^(\d{4}-\d{2}-\d{2}|\d{2}[/.-]\d{2}[/.-]\d{4}|\d{8})$/.test(n)) refuse(REFUSALS.invoiceNumberInvalid('ne peut pas être une date'))
  return n
}

/**
 * The recipient rules of structures/consulter `parametres` and of the service (reference §2.4): the
 * structure exists and is active; a given service exists, is active and is not FACTURES_PUBLIQUES; the
 * required service code / engagement number / either is present. Returns the refusal, or null.
 */
export function recipientRefusal(structure: SeedStructure | undefined, facts: InvoiceFacts): SandboxRefusal | null {
  if (!structure || !structure.active) return REFUSALS.recipientUnknown(facts.codeDestinataire ?? '')
  const code = facts.codeServiceExecutant?.trim() || undefined
  const ej = facts.numeroBonCommande?.trim() || undefined
  const service = code ? structure.services.find((s) => s.code === code) : undefined
  if (code === 'FACTURES_PUBLIQUES') return REFUSALS.publicServiceReserved()
  if (code && (!service || !service.active)) return REFUSALS.serviceUnknown(code)
  if (structure.serviceOrEngagementRequired && !code && !ej) return REFUSALS.serviceOrEngagement()
  if (structure.serviceRequired && !code) return REFUSALS.serviceRequired()
  if ((structure.engagementRequired || service?.engagementRequired) && !ej) return REFUSALS.engagementRequired()
  return null
}

/** Header synthesis (Open Bee: "Header synthesis is not correct"): HT + TVA = TTC, 0 ≤ à payer ≤ TTC − remise, lines add up. */
export function totalsRefusal(
  totals: Totals,
  ligneTva: readonly { base: bigint | null; tva: bigint | null }[] | undefined,
  lignePoste: readonly { quantite: unknown; unitaire: unknown; remise: unknown }[] | undefined,
): SandboxRefusal | null {
  const { ht, tva, ttc, aPayer, remise } = totals
  if (ht + tva !== ttc) return REFUSALS.totals(`HT ${fromCents(ht)} + TVA ${fromCents(tva)} ≠ TTC ${fromCents(ttc)}`)
  if (aPayer < 0n || aPayer > ttc - remise) return REFUSALS.totals(`montant à payer ${fromCents(aPayer)} supérieur au TTC ${fromCents(ttc - remise)}`)
  if (ligneTva && ligneTva.length > 0) {
    if (ligneTva.some((l) => l.base === null || l.tva === null)) return REFUSALS.totals('ligne de TVA illisible')
    const base = ligneTva.reduce((a, l) => a + l.base!, 0n)
    const sum = ligneTva.reduce((a, l) => a + l.tva!, 0n)
    if (base !== ht) return REFUSALS.totals(`bases de TVA ${fromCents(base)} ≠ HT ${fromCents(ht)}`)
    if (sum !== tva) return REFUSALS.totals(`TVA par taux ${fromCents(sum)} ≠ TVA ${fromCents(tva)}`)
  }
  if (lignePoste && lignePoste.length > 0) {
    let total = 0n
    for (const l of lignePoste) {
      const unit = cents(l.unitaire)
      const q = l.quantite instanceof JsonDecimal || typeof l.quantite === 'number' || typeof l.quantite === 'string' ? String(l.quantite) : ''
      const m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(q)
      if (unit === null || !m) return REFUSALS.totals('ligne de poste illisible')
      const scale = 10n ** BigInt(m[2]?.length ?? 0)
      const qty = BigInt(m[1]! + (m[2] ?? ''))
      const gross = (unit * qty * 2n + scale) / (2n * scale)
      total += gross - (cents(l.remise) ?? 0n)
    }
    // One cent of rounding per line is tolerated, as invoicing software rounds per line.
    const diff = total > ht ? total - ht : ht - total
    if (diff > BigInt(lignePoste.length)) return REFUSALS.totals(`lignes de poste ${fromCents(total)} ≠ HT ${fromCents(ht)}`)
  }
  return null
}

/**
 * Chorus Pro's frameworks (codeCadreFacturation), the sandbox's own list (reference §3.4: GO `factures.go`,
 * A1–A25), kept apart from the connector's so a mistake there is caught here. A flow writes them short (BT-23,
 * "A2"). Subcontractor and co-contractor invoices (A9, A12) and works statements name their validator
 * (codeStructureValideur: facturation_electronique `models.py`; for works [uncertain], assumed the same).
 */
const FRAMEWORKS = [
  'A1_FACTURE_FOURNISSEUR', 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE', 'A3_MEMOIRE_JUSTICE', 'A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR',
  'A5_ETAT_ACOMPTE_FOURNISSEUR', 'A6_ETAT_ACOMPTE_VALIDE_FOURNISSEUR', 'A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR',
  'A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR', 'A9_FACTURE_SOUSTRAITANT', 'A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT',
  'A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT', 'A12_FACTURE_COTRAITANT', 'A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT',
  'A14_PROJET_DECOMPTE_FINAL_COTRAITANT', 'A15_ETAT_ACOMPTE_MOE', 'A16_ETAT_ACOMPTE_VALIDE_MOE', 'A17_PROJET_DECOMPTE_GENERAL_MOE',
  'A18_DECOMPTE_GENERAL_MOE', 'A19_ETAT_ACOMPTE_VALIDE_MOA', 'A20_DECOMPTE_GENERAL_MOA', 'A21_DEMANDE_REMBOURSEMENT_TIC',
  'A22_PROJET_DECOMPTE_GENERAL_FOURNISSEUR_PROCEDURE_TACITE', 'A23_DECOMPTE_GENERAL_DEFINITIF_TACITE_FOURNISSEUR',
  'A24_DECOMPTE_GENERAL_DEFINITIF_TACITE_MOE', 'A25_DECOMPTE_GENERAL_DEFINITIF_MOE_PROCEDURE_TACITE',
]
const NO_VALIDATOR = new Set(['A1', 'A2', 'A3', 'A21'])

/** The API code of a framework given long or short ("A2"); undefined when Chorus Pro has none such. */
export function frameworkCode(v: string): string | undefined {
  const u = v.trim().toUpperCase()
  return FRAMEWORKS.find((f) => f === u || f.split('_')[0] === u)
}

/**
 * What Chorus Pro would refuse in a framework: an unknown code, a missing validator, an invoice already paid
 * (A2) that still asks for payment (gobl's rule "must be paid in full for framework A2").
 */
export function frameworkRefusal(code: string, validator: string | undefined, aPayer: bigint | null): SandboxRefusal | null {
  const known = frameworkCode(code)
  if (!known) return REFUSALS.frameworkUnknown(code)
  if (!NO_VALIDATOR.has(known.split('_')[0]!) && !validator) return REFUSALS.validatorRequired(known)
  if (known === 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE' && aPayer !== null && aPayer !== 0n) return REFUSALS.paidButDue()
  return null
}
