import type { Localized } from './localized'

/**
 * The fields a person (or a host) sends, named as a person reads them, in French and English: what an error
 * about a field says first ("SIRET du destinataire : …"), never the API's property name alone (issue 17,
 * item 8). A field missing here is named by its property name.
 */
export const FIELD_LABELS: Readonly<Record<string, Localized>> = {
  // The submission form (domain/invoice-fields.ts).
  invoiceNumber: { fr: 'Numéro de facture', en: 'Invoice number' },
  invoiceType: { fr: 'Type de facture', en: 'Invoice type' },
  billingFramework: { fr: 'Cadre de facturation', en: 'Billing framework' },
  invoiceDate: { fr: 'Date de facture', en: 'Invoice date' },
  currency: { fr: 'Devise', en: 'Currency' },
  supplierSiret: { fr: 'SIRET du fournisseur', en: 'Supplier SIRET' },
  recipientSiret: { fr: 'SIRET du destinataire', en: 'Recipient SIRET' },
  recipientLabel: { fr: 'Libellé du destinataire', en: 'Recipient label' },
  serviceCode: { fr: 'Code service', en: 'Service code' },
  engagementNumber: { fr: 'Numéro d’engagement', en: 'Engagement number' },
  amountNet: { fr: 'Montant HT', en: 'Net amount' },
  amountVat: { fr: 'Montant TVA', en: 'VAT amount' },
  amountGross: { fr: 'Montant TTC', en: 'Gross amount' },
  amountDue: { fr: 'Net à payer', en: 'Amount due' },
  // Actions of To process.
  comment: { fr: 'Commentaire', en: 'Comment' },
  creditNoteNumber: { fr: 'Numéro de l’avoir', en: 'Credit note number' },
  replacementInvoiceNumber: { fr: 'Numéro de la facture de remplacement', en: 'Replacement invoice number' },
  note: { fr: 'Note', en: 'Note' },
  mappingLabel: { fr: 'Libellé à retenir', en: 'Label to remember' },
  saveMapping: { fr: 'Retenir la correspondance', en: 'Remember the mapping' },
  // Recipients, accounts, sources, webhooks, keys.
  label: { fr: 'Libellé', en: 'Label' },
  name: { fr: 'Nom', en: 'Name' },
  siret: { fr: 'SIRET', en: 'SIRET' },
  technicalLogin: { fr: 'Compte technique', en: 'Technical account' },
  technicalPassword: { fr: 'Mot de passe technique', en: 'Technical password' },
  passwordExpiresOn: { fr: 'Expiration du mot de passe', en: 'Password expiry' },
  environment: { fr: 'Environnement', en: 'Environment' },
  autoSubmit: { fr: 'Dépôt automatique', en: 'Auto-submit' },
  submissionRoute: { fr: 'Voie de dépôt', en: 'Submission route' },
  accountId: { fr: 'Compte fournisseur', en: 'Supplier account' },
  account: { fr: 'Compte fournisseur', en: 'Supplier account' },
  url: { fr: 'URL', en: 'URL' },
  events: { fr: 'Événements', en: 'Events' },
  role: { fr: 'Rôle', en: 'Role' },
  kind: { fr: 'Type', en: 'Kind' },
  file: { fr: 'Fichier', en: 'File' },
  ids: { fr: 'Sélection', en: 'Selection' },
  // Filters and paging.
  status: { fr: 'Statut', en: 'Status' },
  sort: { fr: 'Tri', en: 'Sort' },
  tab: { fr: 'Onglet', en: 'Tab' },
  state: { fr: 'État', en: 'State' },
  order: { fr: 'Ordre', en: 'Order' },
  origin: { fr: 'Origine', en: 'Origin' },
  format: { fr: 'Format', en: 'Format' },
  from: { fr: 'Déposée du', en: 'Deposited from' },
  to: { fr: 'Déposée au', en: 'Deposited to' },
  invoiceFrom: { fr: 'Facture du', en: 'Invoice from' },
  invoiceTo: { fr: 'Facture au', en: 'Invoice to' },
  amountMin: { fr: 'Montant minimum', en: 'Minimum amount' },
  amountMax: { fr: 'Montant maximum', en: 'Maximum amount' },
  recipient: { fr: 'Destinataire', en: 'Recipient' },
  service: { fr: 'Service', en: 'Service' },
  q: { fr: 'Recherche', en: 'Search' },
  hasDocument: { fr: 'Avec document', en: 'With a document' },
  limit: { fr: 'Nombre par page', en: 'Page size' },
  cursor: { fr: 'Curseur de page', en: 'Page cursor' },
  id: { fr: 'Identifiant', en: 'Id' },
}

/** `fields.serviceCode` → its label; the path itself when nothing names it. */
export function fieldLabel(path: string): Localized {
  const last = path.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? path
  return Object.prototype.hasOwnProperty.call(FIELD_LABELS, last) ? FIELD_LABELS[last]! : { fr: path, en: path }
}
