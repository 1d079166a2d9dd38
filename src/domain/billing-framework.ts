import type { Localized } from './localized'

/**
 * The framework of an invoice in Chorus Pro (`cadreDeFacturation.codeCadreFacturation` of soumettre; in a
 * Factur-X / CII invoice BT-23, `ExchangedDocumentContext/BusinessProcessSpecifiedDocumentContextParameter/ID`,
 * in UBL `cbc:ProfileID`, written short: "A1", "A2"…). It says who deposits what: a supplier's invoice, an
 * invoice already paid, a subcontractor's invoice, a works statement…
 *
 * Sources (../shared/reference/chorus-pro-api.md §3.4): the codes are those of the GO client
 * (antoine2116/go-choruspro `factures.go`, A1–A25); the labels follow invopop/gobl
 * `addons/fr/choruspro/extensions.go` (which has no A11, and names A6 "pièce de facturation de travaux
 * transmise au service financier" where the API code says "état d'acompte validé (fournisseur)": the code is
 * what Chorus Pro reads, so the label here follows the code). facturation_electronique (`models.py`) says a
 * subcontractor's or co-contractor's invoice (A9, A12) must name its validator (`codeStructureValideur`);
 * works statements (A4–A8, A10, A11, A13–A20, A22–A25) go through a project manager or contracting
 * authority that validates them [uncertain: which validator data each needs; no public source gives it].
 *
 * What the connector offers is what it can submit correctly: A1 and A2, which need nothing beyond the
 * form. The others are known (so an embedded XML or a host that names one is understood and answered in
 * words) but not offered: they need a validator structure, or a works or justice procedure, that the
 * connector does not send. Such an invoice is deposited on the Chorus Pro portal.
 */
export interface BillingFramework {
  /** The API code, as soumettre sends it: `A1_FACTURE_FOURNISSEUR`. */
  readonly code: string
  /** The short code of BT-23 in Factur-X / UBL: `A1`. */
  readonly short: string
  readonly label: Localized
  /** A works-contract statement (décompte, état d'acompte, projet de décompte). */
  readonly works: boolean
  /** Chorus Pro expects a validator structure (`codeStructureValideur`). */
  readonly needsValidator: boolean
  /** The connector can submit it: no data beyond the form is needed. */
  readonly offered: boolean
}

function fw(code: string, fr: string, en: string, opts: { works?: boolean; validator?: boolean; offered?: boolean } = {}): BillingFramework {
  const works = opts.works === true
  return { code, short: code.split('_')[0]!, label: { fr, en }, works, needsValidator: opts.validator ?? works, offered: opts.offered === true }
}

export const BILLING_FRAMEWORKS: readonly BillingFramework[] = [
  fw('A1_FACTURE_FOURNISSEUR', 'Facture fournisseur', 'Supplier invoice', { offered: true }),
  fw('A2_FACTURE_FOURNISSEUR_DEJA_PAYEE', 'Facture déjà payée', 'Invoice already paid', { offered: true }),
  fw('A3_MEMOIRE_JUSTICE', 'Mémoire de frais de justice', 'Statement of legal costs'),
  fw('A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR', 'Projet de décompte mensuel (fournisseur)', 'Draft monthly statement (supplier)', { works: true }),
  fw('A5_ETAT_ACOMPTE_FOURNISSEUR', 'État d’acompte (fournisseur)', 'Progress payment statement (supplier)', { works: true }),
  fw('A6_ETAT_ACOMPTE_VALIDE_FOURNISSEUR', 'État d’acompte validé (fournisseur)', 'Validated progress payment statement (supplier)', { works: true }),
  fw('A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR', 'Projet de décompte final (fournisseur)', 'Draft final statement (supplier)', { works: true }),
  fw('A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR', 'Décompte général et définitif (fournisseur)', 'General and final statement (supplier)', { works: true }),
  fw('A9_FACTURE_SOUSTRAITANT', 'Facture de sous-traitant', 'Subcontractor invoice', { validator: true }),
  fw('A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT', 'Projet de décompte mensuel (sous-traitant)', 'Draft monthly statement (subcontractor)', { works: true }),
  fw('A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT', 'Projet de décompte final (sous-traitant)', 'Draft final statement (subcontractor)', { works: true }),
  fw('A12_FACTURE_COTRAITANT', 'Facture de cotraitant', 'Co-contractor invoice', { validator: true }),
  fw('A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT', 'Projet de décompte mensuel (cotraitant)', 'Draft monthly statement (co-contractor)', { works: true }),
  fw('A14_PROJET_DECOMPTE_FINAL_COTRAITANT', 'Projet de décompte final (cotraitant)', 'Draft final statement (co-contractor)', { works: true }),
  fw('A15_ETAT_ACOMPTE_MOE', 'État d’acompte (maîtrise d’œuvre)', 'Progress payment statement (project manager)', { works: true }),
  fw('A16_ETAT_ACOMPTE_VALIDE_MOE', 'État d’acompte validé (maîtrise d’œuvre)', 'Validated progress payment statement (project manager)', { works: true }),
  fw('A17_PROJET_DECOMPTE_GENERAL_MOE', 'Projet de décompte général (maîtrise d’œuvre)', 'Draft general statement (project manager)', { works: true }),
  fw('A18_DECOMPTE_GENERAL_MOE', 'Décompte général (maîtrise d’œuvre)', 'General statement (project manager)', { works: true }),
  fw('A19_ETAT_ACOMPTE_VALIDE_MOA', 'État d’acompte validé (maîtrise d’ouvrage)', 'Validated progress payment statement (contracting authority)', { works: true }),
  fw('A20_DECOMPTE_GENERAL_MOA', 'Décompte général (maîtrise d’ouvrage)', 'General statement (contracting authority)', { works: true }),
  fw('A21_DEMANDE_REMBOURSEMENT_TIC', 'Demande de remboursement de la TIC', 'Domestic consumption tax (TIC) refund request'),
  fw('A22_PROJET_DECOMPTE_GENERAL_FOURNISSEUR_PROCEDURE_TACITE', 'Projet de décompte général, procédure tacite (fournisseur)', 'Draft general statement, tacit procedure (supplier)', { works: true }),
  fw('A23_DECOMPTE_GENERAL_DEFINITIF_TACITE_FOURNISSEUR', 'Décompte général et définitif tacite (fournisseur)', 'Tacit general and final statement (supplier)', { works: true }),
  fw('A24_DECOMPTE_GENERAL_DEFINITIF_TACITE_MOE', 'Décompte général et définitif tacite (maîtrise d’œuvre)', 'Tacit general and final statement (project manager)', { works: true }),
  fw('A25_DECOMPTE_GENERAL_DEFINITIF_MOE_PROCEDURE_TACITE', 'Décompte général et définitif, procédure tacite (maîtrise d’œuvre)', 'General and final statement, tacit procedure (project manager)', { works: true }),
]

/** Chorus Pro's framework when none is given (gobl's default too): a supplier's invoice. */
export const DEFAULT_BILLING_FRAMEWORK = 'A1_FACTURE_FOURNISSEUR'
/** The framework of an invoice already paid: nothing is left to pay. */
export const PAID_BILLING_FRAMEWORK = 'A2_FACTURE_FOURNISSEUR_DEJA_PAYEE'

/** The frameworks a person can choose, in the order of the list. */
export const OFFERED_BILLING_FRAMEWORKS: readonly BillingFramework[] = BILLING_FRAMEWORKS.filter((f) => f.offered)

/** A framework by its API code or its short code ("A2", "a2", "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE"); undefined when Chorus Pro has none such. */
export function billingFrameworkOf(value: string | null | undefined): BillingFramework | undefined {
  if (!value) return undefined
  const v = value.trim().toUpperCase()
  return BILLING_FRAMEWORKS.find((f) => f.code === v || f.short === v)
}

/** Whether a value is written as a Chorus Pro framework (A and a number), known or not. */
export function looksLikeBillingFramework(value: string | null | undefined): boolean {
  return !!value && /^A\d{1,2}(_[A-Z_]+)?$/i.test(value.trim())
}

/**
 * The framework an embedded invoice's BT-23 (business process) names, as the form keeps it (the API code).
 * BT-23 also carries other schemes' values (a Peppol process URN, the French e-invoicing reform's B1/S1/M1):
 * those say nothing about Chorus Pro's framework and give null. A value written like a framework but unknown
 * ("A26") is kept as written, so the form shows it and says it is unknown.
 */
export function billingFrameworkFromXml(bt23: string | null | undefined): string | null {
  if (!bt23 || !looksLikeBillingFramework(bt23)) return null
  return billingFrameworkOf(bt23)?.code ?? bt23.trim().toUpperCase()
}

/** A label inside a sentence: its first letter lower case ("facture déjà payée"). */
const lc = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)

/** Why a framework cannot be submitted by the connector, in words; null when it can. */
export function billingFrameworkProblem(value: string): { readonly code: 'billing_framework_invalid' | 'billing_framework_unsupported'; readonly message: Localized } | null {
  const f = billingFrameworkOf(value)
  const offered = OFFERED_BILLING_FRAMEWORKS.map((o) => ({ fr: `${o.short} (${lc(o.label.fr)})`, en: `${o.short} (${lc(o.label.en)})` }))
  const choices = { fr: offered.map((o) => o.fr).join(' ou '), en: offered.map((o) => o.en).join(' or ') }
  if (!f) {
    return {
      code: 'billing_framework_invalid',
      message: {
        fr: `« ${value} » n’est pas un cadre de facturation de Chorus Pro : choisissez ${choices.fr}.`,
        en: `"${value}" is not a Chorus Pro billing framework: choose ${choices.en}.`,
      },
    }
  }
  if (f.offered) return null
  const why: Localized = f.works
    ? { fr: 'c’est une pièce de marché de travaux, qui passe par une structure valideuse (maîtrise d’œuvre ou d’ouvrage)', en: 'it is a works-contract document, which goes through a validating structure (project manager or contracting authority)' }
    : f.needsValidator
      ? { fr: 'Chorus Pro exige alors la structure valideuse (titulaire du marché), que le connecteur n’envoie pas', en: 'Chorus Pro then requires the validating structure (the main contractor), which the connector does not send' }
      : { fr: 'ce dépôt suit une procédure particulière que le connecteur ne prend pas en charge', en: 'this deposit follows a particular procedure the connector does not handle' }
  return {
    code: 'billing_framework_unsupported',
    message: {
      fr: `Le cadre ${f.short} (${lc(f.label.fr)}) n’est pas pris en charge par le connecteur : ${why.fr}. Déposez cette facture sur le portail Chorus Pro, ou choisissez ${choices.fr}.`,
      en: `Framework ${f.short} (${lc(f.label.en)}) is not supported by the connector: ${why.en}. Deposit this invoice on the Chorus Pro portal, or choose ${choices.en}.`,
    },
  }
}
