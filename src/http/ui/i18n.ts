import type { Lang } from '../../domain/localized'
import { formatAmountFr } from '../../domain/amount'
import { formatDateFr } from '../../domain/calendar-date'
import { formatWhenFr, isWholeParisDay } from '../../domain/deposit-date'
import { describeStatus } from '../../domain/invoice-status'

/** Every word of the tab pages, French first. */
const words = {
  appName: ['Connecteur Chorus Pro', 'Chorus Pro Connector'],
  tabsLabel: ['Onglets du connecteur', 'Connector tabs'],
  'tab.to-submit': ['À déposer', 'To submit'],
  'tab.to-process': ['À traiter', 'To process'],
  'tab.tracking': ['Suivi', 'Tracking'],
  'tab.recipients': ['Destinataires', 'Recipients'],
  'tab.settings': ['Paramètres', 'Settings'],
  language: ['Langue', 'Language'],
  role: ['Rôle', 'Role'],
  'role.viewer': ['lecteur', 'viewer'],
  'role.operator': ['opérateur', 'operator'],
  'role.admin': ['administrateur', 'admin'],
  readOnly: ['Lecture seule : votre clé ne permet pas d’agir.', 'Read only: your key cannot act.'],
  skip: ['Aller au contenu', 'Skip to content'],
  sessionExpired: ['Session expirée ou absente', 'Session expired or missing'],
  sessionExpiredText: ['Rouvrez cet onglet depuis votre portail documentaire pour obtenir un nouvel accès.', 'Open this tab again from your document portal to get a new access.'],
  ticketInvalid: ['Lien d’accès invalide', 'Invalid access link'],
  ticketInvalidText: ['Ce lien a déjà servi ou a expiré (il est valable une fois, pendant 60 secondes). Rouvrez l’onglet depuis votre portail.', 'This link was already used or has expired (it works once, within 60 seconds). Open the tab again from your portal.'],
  forbidden: ['Accès refusé', 'Access denied'],
  forbiddenText: ['Cette page demande le rôle administrateur.', 'This page needs the admin role.'],
  error: ['Erreur', 'Error'],
  signIn: ['Se connecter', 'Sign in'],
  signInIntro: ['Ouvrez les onglets du connecteur avec une clé d’API : celle de l’administrateur (affichée au premier démarrage, et dans DATA_DIR/admin.key) ou une clé créée dans Paramètres.', 'Open the connector’s tabs with an API key: the administrator’s (shown at the first start, and in DATA_DIR/admin.key) or a key made in Settings.'],
  apiKey: ['Clé d’API', 'API key'],
  apiKeyHint: ['Elle commence par cpk_. Le navigateur ne la garde pas : la session se ferme après huit heures sans activité.', 'It starts with cpk_. The browser does not keep it: the session closes after eight hours without activity.'],
  signInRefused: ['Cette clé n’est pas reconnue, ou elle a été révoquée. Vérifiez-la et recommencez.', 'This key is not recognised, or it was revoked. Check it and try again.'],
  signInExpired: ['Le formulaire a expiré : recommencez.', 'The form has expired: try again.'],
  signInLink: ['Se connecter avec une clé d’API', 'Sign in with an API key'],
  // To submit
  toSubmitIntro: ['Factures reçues, en attente de dépôt. Vert : complète ; rouge : il manque quelque chose.', 'Invoices received and waiting to be submitted. Green: complete; red: something is missing.'],
  state: ['État', 'State'],
  'state.ready': ['Prête', 'Ready'],
  'state.incomplete': ['Incomplète', 'Incomplete'],
  'state.error': ['En erreur', 'Error'],
  'state.analysing': ['En analyse', 'Analysing'],
  'state.submitted': ['Déposée', 'Submitted'],
  'state.removed': ['Retirée', 'Removed'],
  readyReason: ['Tous les champs obligatoires sont présents et vérifiés.', 'Every required field is present and checked.'],
  analysingReason: ['Lecture du PDF et analyse Chorus Pro en cours.', 'Reading the PDF and Chorus Pro analysis in progress.'],
  select: ['Sélectionner', 'Select'],
  selectAll: ['Tout sélectionner', 'Select all'],
  andMore: ['(+ {n} autre(s) : voir la page)', '(+ {n} more: see the page)'],
  file: ['Fichier', 'File'],
  invoiceNumber: ['N° de facture', 'Invoice number'],
  recipient: ['Destinataire', 'Recipient'],
  amountGross: ['Montant TTC', 'Gross amount'],
  amountNet: ['Montant HT', 'Net amount'],
  receivedAt: ['Reçue le', 'Received'],
  actions: ['Actions', 'Actions'],
  complete: ['Compléter', 'Complete'],
  submitSelection: ['Déposer la sélection', 'Submit selection'],
  submitting: ['Dépôt en cours', 'Submitting'],
  seeTracking: ['Voir le suivi', 'See tracking'],
  refreshList: ['Rafraîchir la liste', 'Refresh the list'],
  reprocessSelection: ['Réanalyser la sélection', 'Reprocess selection'],
  removeSelection: ['Retirer la sélection', 'Remove selection'],
  removedDocuments: ['Documents retirés', 'Removed documents'],
  removedIntro: ['Documents retirés de la liste « À déposer ». Un administrateur peut les restaurer : ils y reviennent et sont vérifiés à nouveau.', 'Documents removed from the “To submit” list. An admin can restore them: they come back and are checked again.'],
  removedAt: ['Retiré le', 'Removed'],
  removedBy: ['Par', 'By'],
  restoreSelection: ['Restaurer la sélection', 'Restore selection'],
  confirmRestore: ['Restaurer les documents sélectionnés dans « À déposer » ?', 'Restore the selected documents to “To submit”?'],
  restoreAdminOnly: ['Seul un administrateur peut restaurer un document.', 'Only an admin can restore a document.'],
  noRemoved: ['Aucun document retiré.', 'No removed document.'],
  seeInvoice: ['Voir la facture et agir', 'See the invoice and act'],
  noPdf: ['Cette facture a été déposée hors du connecteur : le connecteur n’a pas son PDF.', 'This invoice was submitted outside the connector: the connector does not have its PDF.'],
  confirmRemove: ['Retirer les documents sélectionnés ? Un administrateur pourra les restaurer.', 'Remove the selected documents? An admin can restore them.'],
  confirmSubmit: ['Déposer les factures sélectionnées dans Chorus Pro ?', 'Submit the selected invoices to Chorus Pro?'],
  confirmReprocess: ['Réanalyser les documents sélectionnés ? Les saisies manuelles sont conservées.', 'Analyse the selected documents again? Manual edits are kept.'],
  noDocuments: ['Aucun document à déposer.', 'No document to submit.'],
  nextPage: ['Page suivante', 'Next page'],
  firstPage: ['Première page', 'First page'],
  total: ['Total', 'Total'],
  // Complete
  completeTitle: ['Compléter la facture', 'Complete the invoice'],
  pdf: ['Facture PDF', 'Invoice PDF'],
  openPdf: ['Ouvrir le PDF dans un nouvel onglet', 'Open the PDF in a new tab'],
  form: ['Formulaire de dépôt', 'Submission form'],
  origin: ['Origine', 'Origin'],
  noValue: ['(vide)', '(empty)'],
  save: ['Enregistrer', 'Save'],
  validate: ['Valider et déposer', 'Validate and submit'],
  validateHint: ['Valider dépose la facture puis ouvre le document suivant.', 'Validate submits the invoice and opens the next document.'],
  saveNeverSubmits: ['« Enregistrer » garde vos corrections sans rien déposer.', '“Save” keeps your corrections and submits nothing.'],
  goesManual: ['La facture partira quand vous cliquerez « Valider et déposer » (ou « Déposer la sélection » dans la liste).', 'The invoice goes when you click “Validate and submit” (or “Submit selection” in the list).'],
  goesAuto: ['Dépôt automatique : la facture partira avec « Valider et déposer », ou, si elle est complète, au passage automatique (toutes les 10 minutes) au moins 10 minutes après votre dernier enregistrement.', 'Auto-submit: the invoice goes with “Validate and submit”, or, when complete, with the automatic run (every 10 minutes) at least 10 minutes after your last save.'],
  goesAutoNotBefore: ['Pas avant', 'Not before'],
  savedManual: ['Enregistré. Rien n’a été déposé : la facture partira quand vous cliquerez « Valider et déposer ».', 'Saved. Nothing was submitted: the invoice goes when you click “Validate and submit”.'],
  savedAuto: ['Enregistré. Rien n’a été déposé : la facture partira avec « Valider et déposer », ou au passage automatique au moins 10 minutes après ce dernier enregistrement.', 'Saved. Nothing was submitted: the invoice goes with “Validate and submit”, or with the automatic run at least 10 minutes after this last save.'],
  backToList: ['Retour à la liste', 'Back to the list'],
  problems: ['À corriger', 'To fix'],
  'field.invoiceNumber': ['Numéro de facture', 'Invoice number'],
  'field.invoiceType': ['Type de facture', 'Invoice type'],
  'field.billingFramework': ['Cadre de facturation', 'Billing framework'],
  billingFrameworkDefault: ['La facture n’indique pas de cadre : Chorus Pro applique A1 (facture fournisseur).', 'The invoice names no framework: Chorus Pro applies A1 (supplier invoice).'],
  billingFrameworkOthers: ['Sous-traitance, cotraitance, travaux : ces cadres exigent une structure valideuse, déposez ces factures sur le portail Chorus Pro.', 'Subcontracting, co-contracting, works: these frameworks need a validating structure, deposit such invoices on the Chorus Pro portal.'],
  billingFrameworkUnsupported: ['non pris en charge, choisissez un autre cadre', 'not supported, choose another framework'],
  'field.invoiceDate': ['Date de facture (JJ/MM/AAAA)', 'Invoice date (YYYY-MM-DD)'],
  datePlaceholder: ['JJ/MM/AAAA', 'YYYY-MM-DD'],
  'field.currency': ['Devise', 'Currency'],
  'field.supplierSiret': ['SIRET du fournisseur', 'Supplier SIRET'],
  'field.recipientSiret': ['SIRET du destinataire', 'Recipient SIRET'],
  'field.recipientLabel': ['Libellé du destinataire', 'Recipient label'],
  'field.serviceCode': ['Code service', 'Service code'],
  'field.engagementNumber': ['Numéro d’engagement', 'Engagement number'],
  'field.amountNet': ['Montant HT', 'Net amount'],
  'field.amountVat': ['Montant TVA', 'VAT amount'],
  'field.amountGross': ['Montant TTC', 'Gross amount'],
  'field.amountDue': ['Net à payer', 'Amount due'],
  'origin.none': ['non trouvé', 'not found'],
  // To process
  toProcessIntro: ['Factures refusées ou bloquées par le destinataire : une action est attendue.', 'Invoices refused or held by the recipient: an action is expected.'],
  'group.SUSPENDUE': ['Suspendues : à compléter', 'Suspended: to complete'],
  'group.A_RECYCLER': ['À recycler : corriger l’acheminement', 'To recycle: fix the routing'],
  'group.REJETEE': ['Rejetées : à traiter', 'Rejected: to handle'],
  none: ['Aucune.', 'None.'],
  comment: ['Commentaire', 'Comment'],
  attachments: ['Pièces jointes', 'Attachments'],
  recycle: ['Recycler', 'Recycle'],
  searchService: ['Rechercher un service', 'Search a service'],
  noService: ['— Aucun service —', '— No service —'],
  chooseService: ['— Choisissez un service —', '— Choose a service —'],
  'invoiceType.FACTURE': ['Facture', 'Invoice'],
  'invoiceType.AVOIR': ['Avoir', 'Credit note'],
  serviceRefused: ['refusé par le destinataire, choisissez un autre service', 'refused by the recipient, choose another service'],
  directoryUnavailable: ['L’annuaire Chorus Pro n’a pas pu être consulté : saisissez le code service.', 'The Chorus Pro directory could not be read: type the service code.'],
  engagementNeeded: ['Ce service exige un numéro d’engagement.', 'This service requires an engagement number.'],
  handle: ['Marquer comme traitée', 'Mark as handled'],
  creditNoteNumber: ['N° de l’avoir', 'Credit note number'],
  replacementInvoiceNumber: ['N° de la facture de remplacement', 'Replacement invoice number'],
  note: ['Note', 'Note'],
  statusComment: ['Motif donné', 'Reason given'],
  confirmRecycle: ['Recycler la facture avec ces données d’acheminement ?', 'Recycle the invoice with this routing data?'],
  confirmHandle: ['Marquer la facture rejetée comme traitée ?', 'Mark the rejected invoice as handled?'],
  confirmComplete: ['Envoyer le complément à Chorus Pro ?', 'Send the completion to Chorus Pro?'],
  // Tracking
  trackingIntro: ['Toutes les factures connues de Chorus Pro et leur dernier statut.', 'Every invoice known to Chorus Pro and its latest status.'],
  filters: ['Filtres', 'Filters'],
  status: ['Statut', 'Status'],
  allStatuses: ['Tous les statuts', 'All statuses'],
  search: ['Recherche', 'Search'],
  searchHint: ['Numéro, destinataire…', 'Number, recipient…'],
  from: ['Déposée du', 'Deposited from'],
  to: ['au', 'to'],
  sort: ['Tri', 'Sort'],
  apply: ['Appliquer', 'Apply'],
  reset: ['Effacer', 'Clear'],
  invoiceDate: ['Date de facture', 'Invoice date'],
  depositedAt: ['Déposée le', 'Deposited'],
  statusAt: ['Statut du', 'Status date'],
  serviceCode: ['Service', 'Service'],
  history: ['Historique', 'History'],
  historyOf: ['Historique de la facture', 'History of invoice'],
  by: ['par', 'by'],
  chorusSaid: ['Chorus Pro :', 'Chorus Pro:'],
  close: ['Fermer', 'Close'],
  exportCsv: ['Exporter en CSV', 'Export to CSV'],
  exporting: ['Export en cours…', 'Exporting…'],
  exportDone: ['Export prêt : téléchargement lancé.', 'Export ready: download started.'],
  download: ['Télécharger', 'Download'],
  syncNow: ['Synchroniser les statuts', 'Sync statuses'],
  syncing: ['Synchronisation en cours', 'Syncing'],
  showChanges: ['Afficher la liste à jour', 'Show the updated list'],
  noInvoices: ['Aucune facture.', 'No invoice.'],
  document: ['Document', 'Document'],
  'sort.-depositedAt': ['Dépôt, récent d’abord', 'Deposit, newest first'],
  'sort.depositedAt': ['Dépôt, ancien d’abord', 'Deposit, oldest first'],
  'sort.-statusAt': ['Statut, récent d’abord', 'Status, newest first'],
  'sort.-amountGross': ['Montant, décroissant', 'Amount, highest first'],
  'sort.amountGross': ['Montant, croissant', 'Amount, lowest first'],
  'sort.invoiceNumber': ['Numéro', 'Number'],
  'sort.recipientName': ['Destinataire', 'Recipient'],
  // Recipients
  recipientsIntro: ['Correspondances entre le libellé imprimé sur vos factures et le destinataire Chorus Pro.', 'Mappings from the label printed on your invoices to the Chorus Pro recipient.'],
  label: ['Libellé', 'Label'],
  recipientSiret: ['SIRET', 'SIRET'],
  engagementNumber: ['Engagement', 'Engagement'],
  originCol: ['Origine', 'Origin'],
  'mappingOrigin.manual': ['manuelle', 'manual'],
  'mappingOrigin.learned': ['apprise', 'learned'],
  'mappingOrigin.imported': ['importée', 'imported'],
  directory: ['Annuaire', 'Directory'],
  edit: ['Modifier', 'Edit'],
  cancel: ['Annuler', 'Cancel'],
  delete: ['Supprimer', 'Delete'],
  confirmDelete: ['Supprimer cette correspondance ?', 'Delete this mapping?'],
  add: ['Ajouter', 'Add'],
  addMapping: ['Nouvelle correspondance', 'New mapping'],
  importCsv: ['Importer un CSV', 'Import a CSV'],
  csvFile: ['Fichier CSV (libellé;siret;service;engagement)', 'CSV file (label;siret;service;engagement)'],
  import: ['Importer', 'Import'],
  importAllOrNothing: ['Tout ou rien : si une ligne est fausse, rien n’est importé et les lignes à corriger sont listées (ligne, colonne, problème).', 'All or nothing: if one line is wrong, nothing is imported and the lines to fix are listed (line, column, problem).'],
  noRecipients: ['Aucune correspondance.', 'No mapping.'],
  allAccounts: ['tous les comptes', 'every account'],
  // Settings
  settingsIntro: ['Comptes fournisseurs, sources, règles de classement, webhooks et clés d’API.', 'Supplier accounts, sources, filing rules, webhooks and API keys.'],
  accounts: ['Comptes fournisseurs', 'Supplier accounts'],
  name: ['Nom', 'Name'],
  siret: ['SIRET', 'SIRET'],
  technicalLogin: ['Compte technique', 'Technical account'],
  technicalPassword: ['Mot de passe technique', 'Technical password'],
  environment: ['Environnement', 'Environment'],
  autoSubmit: ['Dépôt automatique', 'Auto-submit'],
  submissionRoute: ['Voie de dépôt', 'Submission route'],
  lastCheck: ['Dernier test', 'Last test'],
  testConnection: ['Tester la connexion', 'Test connection'],
  addAccount: ['Nouveau compte fournisseur', 'New supplier account'],
  yes: ['oui', 'yes'],
  no: ['non', 'no'],
  enable: ['Activer', 'Enable'],
  disable: ['Désactiver', 'Disable'],
  sources: ['Sources', 'Sources'],
  kind: ['Type', 'Kind'],
  enabled: ['Active', 'Enabled'],
  lastScan: ['Dernier passage', 'Last scan'],
  scanNow: ['Analyser maintenant', 'Scan now'],
  filingRules: ['Règles de classement', 'Filing rules'],
  source: ['Source', 'Source'],
  match: ['Critère', 'Match'],
  account: ['Compte', 'Account'],
  addRule: ['Nouvelle règle (dossier)', 'New rule (folder)'],
  'route.auto': ['Automatique (Factur-X en flux, sinon PDF)', 'Automatic (Factur-X as a flow, else PDF)'],
  'route.pdf': ['PDF', 'PDF'],
  'route.facturx': ['Flux Factur-X', 'Factur-X flow'],
  'sourceKind.folder': ['Dossier surveillé', 'Watched folder'],
  'sourceKind.odoo': ['Odoo Documents', 'Odoo Documents'],
  'sourceKind.push': ['Envoi par votre logiciel (API)', 'Sent by your software (API)'],
  'match.path': ['chemin', 'path'],
  'match.filename': ['nom de fichier', 'file name'],
  'match.folderId': ['dossier Odoo n°', 'Odoo folder no.'],
  'match.tags': ['étiquettes', 'tags'],
  'match.metadata': ['métadonnées', 'metadata'],
  'check.ok': ['Connexion réussie', 'Connection works'],
  pathGlob: ['Chemin (motif, ex. clients/**)', 'Path (glob, e.g. clients/**)'],
  webhooks: ['Webhooks', 'Webhooks'],
  url: ['URL', 'URL'],
  events: ['Événements', 'Events'],
  allEvents: ['tous', 'all'],
  addWebhook: ['Nouveau webhook', 'New webhook'],
  sendTest: ['Envoyer un test', 'Send a test'],
  apiKeys: ['Clés d’API', 'API keys'],
  prefix: ['Préfixe', 'Prefix'],
  lastUsed: ['Dernière utilisation', 'Last used'],
  revoked: ['révoquée', 'revoked'],
  revoke: ['Révoquer', 'Revoke'],
  confirmRevoke: ['Révoquer cette clé ? Les applications qui l’utilisent perdront l’accès.', 'Revoke this key? Applications using it lose access.'],
  addKey: ['Nouvelle clé', 'New key'],
  newKeyShown: ['Copiez la clé maintenant, elle ne sera plus affichée :', 'Copy the key now, it will not be shown again:'],
  none_: ['—', '—'],
  done: ['Fait.', 'Done.'],
  saved: ['Enregistré.', 'Saved.'],
  results: ['Résultat', 'Result'],
} as const satisfies Record<string, readonly [string, string]>

export type WordKey = keyof typeof words

export function t(lang: Lang, key: WordKey): string {
  return words[key][lang === 'en' ? 1 : 0]
}

/** A translator bound to one language, for the page components. */
export type T = (key: WordKey) => string
export const translator = (lang: Lang): T => (key) => t(lang, key)

/**
 * Chorus Pro statuses as a person reads them: the labels of domain/invoice-status.ts (one table for the API,
 * the pages and the CSV); a code the connector does not know is shown raw, never a crash.
 */
export function statusLabel(lang: Lang, status: string): string {
  return describeStatus(status).label[lang]
}

/** Amounts and dates are shown in the fr-FR format in both languages (the invoices are French). */
export function amount(v: string | null | undefined, currency = 'EUR'): string {
  if (v === null || v === undefined || v === '') return '—'
  try {
    return `${formatAmountFr(v)}\u00a0${currency === 'EUR' ? '€' : currency}`
  } catch {
    return v
  }
}

/**
 * A calendar date as a person types it in a field: JJ/MM/AAAA in French, YYYY-MM-DD in English (never
 * ambiguous); both are read back by `typedDate`.
 */
export function dateInputValue(v: string | null | undefined, lang: Lang): string {
  if (!v) return ''
  return lang === 'fr' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatDateFr(v) : v
}

/** What a person typed in a date field (JJ/MM/AAAA, J/M/AAAA or YYYY-MM-DD) as YYYY-MM-DD; anything else as typed (the API says what is wrong). */
export function typedDate(v: string): string {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v.trim())
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : v.trim()
}

/** A calendar date: 21/11/2026 in French, 21 Nov 2026 in English. */
export function day(v: string | null | undefined, lang: Lang = 'fr'): string {
  if (!v) return '—'
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return v
  return lang === 'en' ? enDay.format(new Date(`${v}T12:00:00Z`)) : formatDateFr(v)
}

const instantFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' })
const enInstant = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' })
const enDay = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' })
const enParisDay = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'Europe/Paris' })

/** An instant in Paris time: 21/11/2026 14:05 in French, 21 Nov 2026, 14:05 in English. */
export function instant(v: string | Date | null | undefined, lang: Lang = 'fr'): string {
  if (!v) return '—'
  const d = typeof v === 'string' ? new Date(v) : v
  if (Number.isNaN(d.getTime())) return String(v)
  return (lang === 'en' ? enInstant : instantFormat).format(d)
}

/**
 * A deposit (or a status date) as stored under domain/deposit-date.ts: a date when Chorus Pro gave only a
 * day, a date and a time when the moment is known. Never an invented 00:00.
 */
export function when(v: string | Date | null | undefined, lang: Lang = 'fr'): string {
  if (!v) return '—'
  // The API gives a bare day as YYYY-MM-DD (api/present-invoice.ts): a date, with no time.
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return day(v, lang)
  const d = typeof v === 'string' ? new Date(v) : v
  if (Number.isNaN(d.getTime())) return String(v)
  if (lang === 'fr') return formatWhenFr(d)
  return isWholeParisDay(d) ? enParisDay.format(d) : enInstant.format(d)
}
