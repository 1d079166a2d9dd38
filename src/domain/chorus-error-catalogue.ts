import type { Localized } from './localized'

/**
 * What went wrong with a Chorus Pro call, as a program needs it: auth (PISTE application or technical
 * account refused), business (Chorus refused the content), not_found, unavailable (5xx, network, open
 * circuit), timeout, rate_limited (429), unknown (an answer we cannot read).
 */
export type ChorusErrorKind = 'auth' | 'business' | 'not_found' | 'unavailable' | 'timeout' | 'rate_limited' | 'unknown'

/** The facts of one failed call, as received. The raw `libelle` is always kept beside our message. */
export interface ChorusErrorFacts {
  readonly operation: string
  readonly httpStatus?: number | undefined
  readonly codeRetour?: number | undefined
  readonly libelle?: string | undefined
  /** The gateway's WWW-Authenticate header on a 401, which says whether the token or the technical account was refused. */
  readonly wwwAuthenticate?: string | undefined
}

/** A stable code, a clear message in French and English, and what a person should do about it. */
export interface ChorusCatalogueEntry {
  readonly code: string
  readonly kind: ChorusErrorKind
  readonly messages: Localized
  readonly action: Localized
}

interface Rule {
  readonly entry: ChorusCatalogueEntry
  readonly test: (f: NormalisedFacts) => boolean
}

interface NormalisedFacts extends ChorusErrorFacts {
  /** libelle + WWW-Authenticate, lower case, accents removed, so one pattern matches "référencé" and "reference". */
  readonly text: string
}

function entry(code: string, kind: ChorusErrorKind, fr: string, en: string, actionFr: string, actionEn: string): ChorusCatalogueEntry {
  return { code, kind, messages: { fr, en }, action: { fr: actionFr, en: actionEn } }
}

/** Every entry, by stable code. Messages may hold `{account}`, filled by `renderCatalogueText`. */
export const CHORUS_ERRORS = {
  duplicate_invoice_number: entry('duplicate_invoice_number', 'business',
    'Une facture portant ce numéro a déjà été déposée cette année pour ce fournisseur.',
    'An invoice with this number was already submitted this year by this supplier.',
    'Vérifiez dans le suivi si la facture est déjà chez Chorus Pro ; sinon, corrigez le numéro de facture.',
    'Check the tracking tab: the invoice may already be in Chorus Pro; otherwise correct the invoice number.'),
  invoice_number_invalid: entry('invoice_number_invalid', 'business',
    'Le numéro de facture est refusé par Chorus Pro (une date seule, ou un format invalide).',
    'Chorus Pro refused the invoice number (a bare date, or an invalid format).',
    'Saisissez le numéro de facture tel qu’imprimé sur la facture.',
    'Enter the invoice number as printed on the invoice.'),
  service_code_required: entry('service_code_required', 'business',
    'Ce destinataire exige un code service.',
    'This recipient requires a service code.',
    'Renseignez le code service (voir l’annuaire du destinataire) puis soumettez à nouveau.',
    'Fill in the service code (see the recipient directory) and submit again.'),
  engagement_number_required: entry('engagement_number_required', 'business',
    'Ce destinataire (ou ce service) exige un numéro d’engagement juridique.',
    'This recipient (or service) requires a legal commitment (engagement) number.',
    'Demandez le numéro d’engagement (bon de commande) à l’acheteur public, renseignez-le puis soumettez à nouveau.',
    'Ask the public buyer for the engagement (purchase order) number, fill it in and submit again.'),
  service_or_engagement_required: entry('service_or_engagement_required', 'business',
    'Ce destinataire exige un code service ou un numéro d’engagement.',
    'This recipient requires a service code or an engagement number.',
    'Renseignez au moins l’un des deux puis soumettez à nouveau.',
    'Fill in at least one of them and submit again.'),
  service_unknown_or_inactive: entry('service_unknown_or_inactive', 'business',
    'Le code service est inconnu ou inactif chez ce destinataire.',
    'The service code is unknown or inactive for this recipient.',
    'Choisissez un service actif dans l’annuaire du destinataire.',
    'Pick an active service from the recipient directory.'),
  public_service_reserved: entry('public_service_reserved', 'business',
    'Le service FACTURES_PUBLIQUES est réservé aux factures entre entités publiques.',
    'The FACTURES_PUBLIQUES service is reserved for invoices between public entities.',
    'Choisissez un autre service du destinataire.',
    'Pick another service of the recipient.'),
  recipient_unknown_or_inactive: entry('recipient_unknown_or_inactive', 'business',
    'Le destinataire est introuvable ou inactif dans Chorus Pro.',
    'The recipient is not found or inactive in Chorus Pro.',
    'Vérifiez le SIRET du destinataire ; s’il est inactif, demandez à l’acheteur la structure qui le remplace.',
    'Check the recipient SIRET; if it is inactive, ask the buyer which structure replaces it.'),
  supplier_unknown: entry('supplier_unknown', 'business',
    'Le fournisseur de la facture n’est pas rattaché à ce compte technique dans Chorus Pro.',
    'The invoice supplier is not linked to this technical account in Chorus Pro.',
    'Vérifiez le SIRET du fournisseur et le compte technique utilisés.',
    'Check the supplier SIRET and the technical account used.'),
  header_totals_inconsistent: entry('header_totals_inconsistent', 'business',
    'Les montants de la facture sont incohérents (HT + TVA ≠ TTC, ou net à payer supérieur au TTC).',
    'The invoice totals are inconsistent (net + VAT ≠ gross, or amount due above gross).',
    'Corrigez les montants HT, TVA, TTC et net à payer.',
    'Correct the net, VAT, gross and due amounts.'),
  attachment_unknown: entry('attachment_unknown', 'business',
    'La pièce jointe citée est inconnue de Chorus Pro.',
    'The attachment referred to is unknown to Chorus Pro.',
    'Déposez à nouveau le fichier puis soumettez la facture.',
    'Upload the file again, then submit the invoice.'),
  pdf_not_analysable: entry('pdf_not_analysable', 'business',
    'Chorus Pro n’a pas pu analyser ce PDF.',
    'Chorus Pro could not analyse this PDF.',
    'Vérifiez que le fichier est un PDF lisible (texte, non protégé), ou saisissez la facture.',
    'Check that the file is a readable PDF (text, not protected), or enter the invoice by hand.'),
  file_too_large: entry('file_too_large', 'business',
    'Le fichier dépasse la taille maximale acceptée par Chorus Pro (10 Mo).',
    'The file exceeds the maximum size Chorus Pro accepts (10 MB).',
    'Réduisez la taille du PDF (compression, résolution des images) puis réessayez.',
    'Reduce the PDF size (compression, image resolution) and try again.'),
  invoice_not_found: entry('invoice_not_found', 'not_found',
    'Cette facture est introuvable dans Chorus Pro.',
    'This invoice is not found in Chorus Pro.',
    'Synchronisez les statuts ; la facture a pu être déposée avec un autre compte.',
    'Synchronise statuses; the invoice may belong to another account.'),
  flow_not_found: entry('flow_not_found', 'not_found',
    'Ce dépôt de flux est introuvable dans Chorus Pro.',
    'This flow deposit is not found in Chorus Pro.',
    'Vérifiez le numéro de flux ; déposez à nouveau si nécessaire.',
    'Check the flow number; submit again if needed.'),
  structure_not_found: entry('structure_not_found', 'not_found',
    'Cette structure ou ce service est introuvable dans l’annuaire Chorus Pro.',
    'This structure or service is not found in the Chorus Pro directory.',
    'Vérifiez le SIRET et le code service.',
    'Check the SIRET and the service code.'),
  wrong_status_for_recycle: entry('wrong_status_for_recycle', 'business',
    'Cette facture ne peut être recyclée que lorsqu’elle est au statut « À recycler ».',
    'This invoice can only be recycled while its status is A_RECYCLER.',
    'Synchronisez le statut de la facture avant de réessayer.',
    'Synchronise the invoice status before trying again.'),
  wrong_status_for_complete: entry('wrong_status_for_complete', 'business',
    'Cette facture ne peut être complétée que lorsqu’elle est au statut « Suspendue ».',
    'This invoice can only be completed while its status is SUSPENDUE.',
    'Synchronisez le statut de la facture avant de réessayer.',
    'Synchronise the invoice status before trying again.'),
  access_denied: entry('access_denied', 'auth',
    'Ce compte technique n’a pas les droits nécessaires sur cette facture ou cette structure.',
    'This technical account lacks the rights on this invoice or structure.',
    'Vérifiez dans Chorus Pro les habilitations du compte technique.',
    'Check the technical account’s rights in Chorus Pro.'),
  technical_account_refused: entry('technical_account_refused', 'auth',
    'Chorus Pro a refusé le compte technique {account} : identifiant ou mot de passe incorrect.',
    'Chorus Pro refused the technical account {account}: wrong login or password.',
    'Corrigez le mot de passe du compte technique dans les comptes fournisseurs (il se régénère dans Chorus Pro, espace « Raccordement »).',
    'Correct the technical account password in the supplier accounts (it is regenerated in Chorus Pro, "Raccordement" space).'),
  technical_password_expired: entry('technical_password_expired', 'auth',
    'Le mot de passe du compte technique {account} a expiré.',
    'The password of the technical account {account} has expired.',
    'Générez un nouveau mot de passe dans Chorus Pro et enregistrez-le dans le compte fournisseur.',
    'Generate a new password in Chorus Pro and save it in the supplier account.'),
  piste_application_refused: entry('piste_application_refused', 'auth',
    'PISTE a refusé l’application (identifiant client ou secret incorrect, ou API non souscrite).',
    'PISTE refused the application (wrong client id or secret, or API not subscribed).',
    'Vérifiez PISTE_CLIENT_ID, PISTE_CLIENT_SECRET et les souscriptions de l’application sur piste.gouv.fr.',
    'Check PISTE_CLIENT_ID, PISTE_CLIENT_SECRET and the application subscriptions on piste.gouv.fr.'),
  chorus_unavailable: entry('chorus_unavailable', 'unavailable',
    "Chorus Pro n'est pas disponible, réessayez plus tard.",
    'Chorus Pro is not available, try again later.',
    'Rien à faire : le travail reste en file et repartira automatiquement.',
    'Nothing to do: the work stays queued and will resume automatically.'),
  chorus_timeout: entry('chorus_timeout', 'timeout',
    'Chorus Pro n’a pas répondu à temps.',
    'Chorus Pro did not answer in time.',
    'Le connecteur vérifiera dans Chorus Pro avant toute nouvelle tentative.',
    'The connector will check Chorus Pro before any new attempt.'),
  chorus_rate_limited: entry('chorus_rate_limited', 'rate_limited',
    'Trop d’appels à Chorus Pro : quota atteint.',
    'Too many calls to Chorus Pro: quota reached.',
    'Rien à faire : les appels reprendront plus lentement.',
    'Nothing to do: calls will resume more slowly.'),
  invoice_date_invalid: entry('invoice_date_invalid', 'business',
    'La date de facture doit être une date du calendrier au format AAAA-MM-JJ, sans heure.',
    'The invoice date must be a calendar date, YYYY-MM-DD, with no time.',
    'Corrigez la date de facture.',
    'Correct the invoice date.'),
  amount_invalid: entry('amount_invalid', 'business',
    'Un montant n’est pas un nombre décimal exact à deux décimales au plus.',
    'An amount is not an exact decimal number with at most two decimals.',
    'Corrigez le montant (par exemple 1234.56) puis soumettez à nouveau.',
    'Correct the amount (for example 1234.56) and submit again.'),
  engagement_number_invalid: entry('engagement_number_invalid', 'business',
    'Le numéro d’engagement dépasse 50 caractères.',
    'The engagement number is longer than 50 characters.',
    'Vérifiez le numéro d’engagement fourni par l’acheteur public.',
    'Check the engagement number given by the public buyer.'),
  unexpected_response: entry('unexpected_response', 'unknown',
    'Chorus Pro a renvoyé une réponse inattendue.',
    'Chorus Pro returned an unexpected answer.',
    'Réessayez ; si cela persiste, transmettez le détail technique au support.',
    'Try again; if it persists, send the technical details to support.'),
  unknown_chorus_error: entry('unknown_chorus_error', 'unknown',
    'Chorus Pro a refusé la demande.',
    'Chorus Pro refused the request.',
    'Lisez le message d’origine de Chorus Pro ci-dessous ; corrigez puis réessayez.',
    'Read Chorus Pro’s original message below; correct and try again.'),
} as const satisfies Record<string, ChorusCatalogueEntry>

export type ChorusErrorCode = keyof typeof CHORUS_ERRORS

function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
}

const has = (re: RegExp) => (f: NormalisedFacts) => re.test(f.text)
const E = CHORUS_ERRORS

/**
 * First match wins, so specific rules come before broad ones. Patterns match the libelles quoted in
 * ../shared/reference/chorus-pro-api.md §4 (French platform texts and Open Bee's English labels) and the
 * sandbox's; numeric codes are per operation (2000x), so a code alone is only trusted with its operation.
 */
const RULES: readonly Rule[] = [
  // 2026-11-21, reference §4 (OCA PR #425): a bad cpro-account is a 401 whose WWW-Authenticate says "login or password incorrects".
  { entry: E.technical_password_expired, test: has(/(mot de passe|password).{0,40}(expir)/) },
  { entry: E.technical_account_refused, test: (f) => /login or password incorrect|identifiant ou mot de passe/.test(f.text) },
  { entry: E.piste_application_refused, test: (f) => f.operation === 'oauth/token' || /invalid_client|unauthorized_client|invalid_scope/.test(f.text) },
  { entry: E.duplicate_invoice_number, test: has(/deja depose une demande de paiement avec ce numero|numero de facture.{0,40}(deja|existe deja)|duplicate invoice/) },
  { entry: E.invoice_number_invalid, test: has(/numero de facture.{0,40}(ne peut pas|invalide|date)/) },
  { entry: E.public_service_reserved, test: has(/factures_publiques/) },
  { entry: E.service_or_engagement_required, test: has(/code service ou (le )?numero d.engagement|service code or (an )?engagement/) },
  // Flow errors name the XML path: BuyerReference is the service, BuyerOrderReferencedDocument the EJ (reference §4, OCA #414/#612).
  { entry: E.engagement_number_required, test: has(/(numero d.engagement|numero ej|engagement juridique).{0,40}obligatoire|buyerorderreferenceddocument.{0,80}obligatoire|engagement number is mandatory/) },
  { entry: E.service_code_required, test: has(/(code service|service executant).{0,40}obligatoire|buyerreference.{0,40}obligatoire|performing service is mandatory/) },
  { entry: E.service_unknown_or_inactive, test: has(/service.{0,40}(inconnu|inactif|introuvable)|service (not found|inactive)/) },
  { entry: E.recipient_unknown_or_inactive, test: has(/destinataire.{0,40}(non trouve|introuvable|inactif|inconnu)|recipient not located|recipient.{0,20}inactive/) },
  { entry: E.supplier_unknown, test: has(/identifiant fournisseur.{0,120}n.est pas reference|fournisseur.{0,40}(inconnu|non rattache)/) },
  { entry: E.header_totals_inconsistent, test: has(/synthese d.entete|header synthesis|montant.{0,40}(incoherent|incorrect)/) },
  { entry: E.attachment_unknown, test: has(/piece jointe.{0,40}(n.existe pas|inconnue|introuvable)|attachment.{0,20}unknown/) },
  { entry: E.file_too_large, test: (f) => f.httpStatus === 413 || /taille maximale|too large|10 mo/.test(f.text) },
  { entry: E.pdf_not_analysable, test: has(/n.a pas pu etre analysee|could not be analy[sz]ed|pdf.{0,40}(illisible|invalide)/) },
  // CPP-2017 Gobal.cs: completer 20002 GDP_MSG_11.033 "status is not Suspendue"; 20001 GDP_MSG_11.005 (rights); 20000 GDP_MSG_11.008 (no such invoice).
  { entry: E.wrong_status_for_complete, test: (f) => /gdp_msg_11\.033|n.est pas.{0,20}suspendue/.test(f.text) },
  { entry: E.wrong_status_for_recycle, test: (f) => /n.est pas.{0,20}a recycler|statut.{0,40}a_recycler/.test(f.text) },
  { entry: E.access_denied, test: (f) => f.httpStatus === 403 || /gdp_msg_11\.005|droits? insuffisant|habilitation/.test(f.text) },
  { entry: E.flow_not_found, test: has(/flux introuvable|poq_msg_01\.003/) },
  { entry: E.invoice_not_found, test: has(/demande de paiement n.existe pas|facture.{0,30}(introuvable|n.existe pas)|gdp_msg_11\.008/) },
  { entry: E.structure_not_found, test: has(/structure.{0,30}(introuvable|n.existe pas)|service.{0,30}n.existe pas/) },
  { entry: E.chorus_rate_limited, test: (f) => f.httpStatus === 429 },
  { entry: E.chorus_unavailable, test: (f) => f.httpStatus !== undefined && f.httpStatus >= 500 && f.httpStatus !== 501 && f.codeRetour === undefined },
]

/** The catalogue entry for a failed call. Never throws; the unknown entry is the fallback (with the raw libelle shown beside it). */
export function describeChorusError(facts: ChorusErrorFacts): ChorusCatalogueEntry {
  const text = fold(`${facts.libelle ?? ''} ${facts.wwwAuthenticate ?? ''}`)
  const f: NormalisedFacts = { ...facts, text }
  for (const rule of RULES) if (rule.test(f)) return rule.entry
  if (facts.httpStatus === 401) return E.piste_application_refused
  return E.unknown_chorus_error
}

/** Fills `{account}` (the supplier account's label) in a catalogue message. */
export function renderCatalogueText(text: Localized, vars: { readonly account?: string | undefined }): Localized {
  const account = vars.account ? `« ${vars.account} »` : ''
  const accountEn = vars.account ? `"${vars.account}"` : ''
  return {
    fr: text.fr.replace(' {account}', account ? ` ${account}` : '').replace('{account}', account),
    en: text.en.replace(' {account}', accountEn ? ` ${accountEn}` : '').replace('{account}', accountEn),
  }
}
