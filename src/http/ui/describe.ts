import type { Lang, Localized } from '../../domain/localized'
import { describeStatus, STATUS_GROUP_LABELS } from '../../domain/invoice-status'
import { formatAmountFr } from '../../domain/amount'

/**
 * What the pages say about the connector's records, as sentences (issue 17, item 10): history events,
 * who acted, statuses (labels of domain/invoice-status.ts; an unknown code shown raw), directory states.
 * No event kind, key id or code reaches a person; Chorus Pro's own words (`libelle`, comments) stay
 * visible beside ours, marked as theirs.
 */

const pick = (lang: Lang, fr: string, en: string) => (lang === 'en' ? en : fr)

/** A status as a person reads it; the raw code when the connector does not know it (never hidden, never a crash). */
export function statusText(lang: Lang, code: string): string {
  return describeStatus(code).label[lang]
}

export function statusGroupText(lang: Lang, group: string): string {
  const g = (STATUS_GROUP_LABELS as Record<string, Localized | undefined>)[group]
  return g ? g[lang] : group
}

/** Who acted: a person (their key's name), the connector itself, or the automatic submission. */
export function actorText(lang: Lang, actor: string | null | undefined): string | null {
  if (!actor) return null
  if (actor === 'system') return pick(lang, 'le connecteur', 'the connector')
  if (actor === 'auto') return pick(lang, 'dépôt automatique', 'automatic submission')
  const key = /^key:\d+:(.*)$/.exec(actor)
  if (key) {
    const name = key[1]!.trim()
    // The keys the connector makes for itself at start are the administrator's.
    if (name === 'first start' || name === 'CONNECTOR_ADMIN_KEY' || name === '') return pick(lang, 'l’administrateur', 'the administrator')
    return name
  }
  return actor
}

export interface EventLike {
  readonly kind: string
  readonly status: string | null
  readonly comment: string | null
  readonly actor: string | null
  readonly payload: unknown
}

export interface EventText {
  /** What happened, a sentence. */
  readonly title: string
  /** More of our words, when there are. */
  readonly detail: string | null
  /** Chorus Pro's own words, shown as theirs. */
  readonly chorus: string | null
}

const localized = (v: unknown, lang: Lang): string | null => {
  if (typeof v === 'string') return v
  if (v && typeof v === 'object' && typeof (v as Localized)[lang] === 'string') return (v as Localized)[lang]
  return null
}

function chorusWords(raw: unknown): string | null {
  if (!raw || typeof raw !== 'object') return null
  const r = raw as { libelle?: unknown; listeErreurDP?: Array<{ libelleErreurDP?: string }>; listeErreurTechnique?: Array<{ libelleErreur?: string }> }
  if (typeof r.libelle === 'string' && r.libelle) return r.libelle
  const words = [...(r.listeErreurDP ?? []).map((x) => x.libelleErreurDP), ...(r.listeErreurTechnique ?? []).map((x) => x.libelleErreur)].filter((x): x is string => typeof x === 'string' && x !== '')
  return words.length ? words.join(' | ') : null
}

/** One history event as a sentence. */
export function describeEvent(lang: Lang, e: EventLike): EventText {
  const p = (e.payload && typeof e.payload === 'object' ? e.payload : {}) as Record<string, unknown>
  const none = { detail: null, chorus: null }
  switch (e.kind) {
    case 'status':
      return { title: e.status ? statusText(lang, e.status) : pick(lang, 'Statut mis à jour', 'Status updated'), detail: null, chorus: e.comment }
    case 'submission': {
      const route = localized((p.route as { message?: unknown } | undefined)?.message, lang)
      return {
        title: p.reconciled ? pick(lang, 'Déposée : retrouvée dans Chorus Pro après une réponse perdue', 'Submitted: found in Chorus Pro after a lost answer') : pick(lang, 'Déposée dans Chorus Pro par le connecteur', 'Submitted to Chorus Pro by the connector'),
        detail: route,
        chorus: null,
      }
    }
    case 'submission.request': {
      const op = String(p.operation ?? '')
      const flow = op.includes('flux')
      return { title: flow ? pick(lang, 'Envoi du flux Factur-X à Chorus Pro', 'Factur-X flow sent to Chorus Pro') : pick(lang, 'Envoi de la facture PDF à Chorus Pro', 'PDF invoice sent to Chorus Pro'), detail: p.retryAfter ? pick(lang, 'Nouvel envoi : la pièce jointe avait expiré chez Chorus Pro.', 'Sent again: the attachment had expired at Chorus Pro.') : null, chorus: null }
    }
    case 'submission.response': {
      const flow = (p.response as { numeroFluxDepot?: unknown } | undefined)?.numeroFluxDepot
      return { title: pick(lang, 'Flux reçu par Chorus Pro', 'Flow received by Chorus Pro') + (flow ? ` (${pick(lang, 'n°', 'no.')} ${String(flow)})` : ''), ...none }
    }
    case 'submission.error':
      return { title: pick(lang, 'Dépôt refusé', 'Submission refused'), detail: localized(p.message, lang), chorus: chorusWords(p.raw) }
    case 'submission.reconciled':
      return p.found === false
        ? { title: pick(lang, 'Réponse de Chorus Pro perdue : la facture n’y est pas, elle sera déposée à nouveau', 'Chorus Pro’s answer was lost: the invoice is not there, it will be submitted again'), ...none }
        : { title: pick(lang, 'Réponse de Chorus Pro perdue : la facture y a été retrouvée', 'Chorus Pro’s answer was lost: the invoice was found there'), ...none }
    case 'action':
      return describeAction(lang, p, e.comment)
    default:
      return { title: pick(lang, 'Autre événement enregistré', 'Other event recorded'), ...none }
  }
}

function describeAction(lang: Lang, p: Record<string, unknown>, comment: string | null): EventText {
  const action = String(p.action ?? '')
  const failed = p.outcome === 'not_applied' ? 'refused' : p.outcome === 'unknown' ? 'unknown' : null
  // A ChorusError's toJSON(): message {fr,en}, libelle (Chorus Pro's words).
  const error = (p.error && typeof p.error === 'object' ? p.error : {}) as { message?: unknown; libelle?: unknown }
  const errorText = localized(error.message, lang)
  const chorus = typeof error.libelle === 'string' && error.libelle ? error.libelle : null
  const verb: Record<string, Localized> = {
    recycle: { fr: 'Recyclage', en: 'Recycling' },
    complete: { fr: 'Complément', en: 'Completion' },
    handle: { fr: 'Traitement du rejet', en: 'Rejection handling' },
  }
  if (failed && verb[action]) {
    return failed === 'refused'
      ? { title: `${verb[action]![lang]} ${pick(lang, 'refusé par Chorus Pro', 'refused by Chorus Pro')}`, detail: errorText, chorus }
      : { title: `${verb[action]![lang]} : ${pick(lang, 'résultat inconnu (Chorus Pro n’a pas répondu) ; la prochaine synchronisation le dira', 'outcome unknown (Chorus Pro did not answer); the next sync will tell')}`, detail: errorText, chorus }
  }
  switch (action) {
    case 'discovered':
      return { title: pick(lang, 'Trouvée dans Chorus Pro (déposée hors du connecteur)', 'Found in Chorus Pro (submitted outside the connector)'), detail: null, chorus: null }
    case 'recycle': {
      const after = (p.after && typeof p.after === 'object' ? p.after : {}) as { recipientSiret?: unknown; serviceCode?: unknown; engagementNumber?: unknown }
      const parts = [after.recipientSiret ? `SIRET ${String(after.recipientSiret)}` : null, after.serviceCode ? `${pick(lang, 'service', 'service')} ${String(after.serviceCode)}` : null, after.engagementNumber ? `${pick(lang, 'engagement', 'engagement')} ${String(after.engagementNumber)}` : null].filter(Boolean)
      return { title: pick(lang, 'Recyclée avec de nouvelles données d’acheminement', 'Recycled with new routing data'), detail: [parts.join(', '), comment].filter(Boolean).join(' · ') || null, chorus: null }
    }
    case 'complete': {
      const n = Array.isArray(p.attachments) ? p.attachments.length : 0
      return { title: pick(lang, 'Complétée', 'Completed') + (n ? pick(lang, ` (${n} pièce(s) jointe(s))`, ` (${n} attachment(s))`) : ''), detail: comment, chorus: null }
    }
    case 'handle': {
      const parts = [p.creditNoteNumber ? `${pick(lang, 'avoir', 'credit note')} ${String(p.creditNoteNumber)}` : null, p.replacementInvoiceNumber ? `${pick(lang, 'facture de remplacement', 'replacement invoice')} ${String(p.replacementInvoiceNumber)}` : null].filter(Boolean)
      return { title: pick(lang, 'Rejet traité', 'Rejection handled'), detail: [parts.join(', '), comment].filter(Boolean).join(' · ') || null, chorus: null }
    }
    case 'link':
      return { title: pick(lang, 'Avoir ou facture de remplacement retrouvé dans Chorus Pro', 'Credit note or replacement invoice found in Chorus Pro'), detail: null, chorus: null }
    default:
      return { title: pick(lang, 'Action enregistrée', 'Action recorded'), detail: comment, chorus: null }
  }
}

/** A recipient mapping's directory state, as a short sentence (the long one is the API's directoryMessage). */
export function directoryStateText(lang: Lang, status: string): string {
  const words: Record<string, Localized> = {
    ok: { fr: 'Actif dans l’annuaire', en: 'Active in the directory' },
    not_checked: { fr: 'Pas encore vérifié', en: 'Not checked yet' },
    recipient_unknown: { fr: 'SIRET inconnu de l’annuaire', en: 'SIRET unknown to the directory' },
    recipient_inactive: { fr: 'Destinataire inactif', en: 'Recipient inactive' },
    service_required: { fr: 'Code service exigé', en: 'Service code required' },
    service_reserved: { fr: 'Service réservé au public', en: 'Service reserved to public bodies' },
    service_unknown: { fr: 'Service inconnu', en: 'Unknown service' },
    service_inactive: { fr: 'Service inactif', en: 'Service inactive' },
    engagement_required: { fr: 'Numéro d’engagement exigé', en: 'Engagement number required' },
  }
  const w = words[status]
  return w ? w[lang] : pick(lang, 'À vérifier', 'To check')
}

/** An amount for a sentence ("1 234,56 €"). */
export function amountText(v: string | null | undefined): string {
  if (!v) return '—'
  try {
    return `${formatAmountFr(v)}\u00a0€`
  } catch {
    return v
  }
}
