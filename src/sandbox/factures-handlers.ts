import { createHash } from 'node:crypto'
import { fromCents } from '../domain/amount'
import { JsonDecimal } from '../domain/exact-json'
import { isCalendarDate } from '../domain/calendar-date'
import { FLOW_PATHS, readFlowInvoice, type FlowInvoice } from './flow-invoice-reader'
import { currentStatus, planAfter } from './invoice-lifecycle'
import { amountField, cents, checkInvoiceNumber, frameworkCode, frameworkRefusal, recipientRefusal, totalsRefusal } from './invoice-rules'
import { extractOcrFields } from './ocr-fields'
import { readPdfAttachments, readPdfText } from './pdf-text-thread'
import { NO_HIT, REFUSALS, RefusalError, refuse, type SandboxRefusal } from './sandbox-errors'
import type { SandboxFlow, SandboxInvoice, SandboxStore, SandboxTechnicalAccount } from './sandbox-store'

/** 10 MB per file (reference §2.1: FE, OCA). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024

export type Body = Record<string, any>
export type Handler = (store: SandboxStore, account: SandboxTechnicalAccount, body: Body) => Promise<Body | SandboxRefusal> | Body | SandboxRefusal

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined)
/** Amounts go out as exact JSON number tokens ("1234.56", never a rounded float). */
const amountOut = (c: bigint) => new JsonDecimal(fromCents(c))
const iso = (ms: number) => new Date(ms).toISOString()
/** One formatter for all: building an Intl.DateTimeFormat per invoice made a 10k-invoice read take 13 s. */
const parisDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' })
const day = (ms: number) => parisDay.format(ms)
/** "AAAA-MM-JJ HH:MI" as recycler/completer answer (reference §2.3). */
function minute(ms: number): string {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(ms))
    .reduce<Record<string, string>>((a, x) => ((a[x.type] = x.value), a), {})
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

function decodeFile(v: unknown, field: string): Buffer {
  if (typeof v !== 'string' || v === '') refuse(REFUSALS.missingField(field))
  if (!/^[A-Za-z0-9+/=\s]*$/.test(v)) refuse(REFUSALS.badRequest(`${field} n'est pas du base64`))
  const bytes = Buffer.from(v, 'base64')
  if (bytes.length > MAX_FILE_BYTES) refuse(REFUSALS.fileTooLarge())
  return bytes
}

function ownInvoice(store: SandboxStore, account: SandboxTechnicalAccount, id: unknown): SandboxInvoice {
  const inv = num(id) !== undefined ? store.state.invoices.get(num(id)!) : undefined
  if (!inv || !account.structures.includes(inv.supplierId)) refuse(REFUSALS.invoiceMissing())
  return store.advance(inv)
}

function ownAttachment(store: SandboxStore, account: SandboxTechnicalAccount, id: unknown) {
  const a = num(id) !== undefined ? store.state.attachments.get(num(id)!) : undefined
  if (!a || !a.supplierIds.some((s) => account.structures.includes(s))) refuse(REFUSALS.attachmentUnknown(id))
  return a
}

export function paginate<T>(items: readonly T[], p: Body | undefined) {
  const size = Math.min(10_000, Math.max(1, num(p?.nbResultatsParPage) ?? 10))
  const pages = Math.max(1, Math.ceil(items.length / size))
  const page = Math.max(1, num(p?.pageResultatDemandee) ?? 1)
  return { slice: items.slice((page - 1) * size, page * size), parametresRetour: { pageCourante: page, pages, nbResultatsParPage: size, total: items.length } }
}

export function resume(store: SandboxStore, inv: SandboxInvoice) {
  const s = currentStatus(store.advance(inv))
  return {
    identifiantFactureCPP: inv.id,
    numeroFacture: inv.numeroFacture,
    statut: s.code,
    numeroFluxDepot: inv.numeroFluxDepot ?? null,
    dateDepot: day(inv.dateDepot),
    dateFacture: inv.dateFacture,
    dateHeureEtatCourant: iso(s.at),
    codeDestinataire: inv.codeDestinataire,
    codeServiceExecutant: inv.codeServiceExecutant ?? null,
    montantHT: amountOut(inv.montantHtTotal),
    montantTTC: amountOut(inv.montantTtcTotal),
    montantAPayer: amountOut(inv.montantAPayer),
    typeFacture: inv.typeFacture,
    modeDepot: inv.modeDepot,
    commentaireEtatCourant: s.comment ?? null,
    rejetTraite: false,
  }
}

// ---- factures/v1/deposer/pdf ----

export const deposerPdf: Handler = async (store, account, body) => {
  const bytes = decodeFile(body.fichierFacture, 'fichierFacture')
  const nomFichier = str(body.nomFichier) ?? refuse(REFUSALS.missingField('nomFichier'))
  if (!['PDF_NON_SIGNE', 'PDF_SIGNE_PADES', 'PDF_SIGNE_XADES'].includes(body.formatDepot)) refuse(REFUSALS.badRequest('formatDepot inconnu'))
  const text = await readPdfText(bytes)
  if (!text || text.replace(/\s/g, '').length < 10) refuse(REFUSALS.pdfUnreadable())
  const ocr = extractOcrFields(text, (siret) => !!store.structureBySiret(siret))
  const a = store.addAttachment(account.structures, nomFichier, bytes.length, ocr)
  const out: Body = { pieceJointeId: a.id }
  for (const [k, v] of Object.entries(ocr)) out[k] = k.startsWith('montant') && typeof v === 'string' ? new JsonDecimal(v) : v
  return out
}

// ---- factures/v1/soumettre ----

export const soumettre: Handler = (store, account, body) => {
  const modeDepot = str(body.modeDepot)
  if (!modeDepot || !['SAISIE_API', 'DEPOT_PDF_API', 'DEPOT_PDF_SIGNE_API'].includes(modeDepot)) refuse(REFUSALS.missingField('modeDepot'))
  const dateFacture = str(body.dateFacture) ?? refuse(REFUSALS.missingField('dateFacture'))
  // Reference §2.1 (FE exemple.py): a datetime here gets HTTP 500 from the real platform; reproduced on purpose.
  if (/^\d{4}-\d{2}-\d{2}T/.test(dateFacture)) refuse({ codeRetour: 500, libelle: 'Internal Server Error', status: 500 })
  if (!isCalendarDate(dateFacture)) refuse(REFUSALS.badRequest('dateFacture doit être au format AAAA-MM-JJ'))
  const supplierId = num(body.fournisseur?.idFournisseur) ?? refuse(REFUSALS.missingField('fournisseur.idFournisseur'))
  if (!account.structures.includes(supplierId)) refuse(REFUSALS.supplierUnknown())
  const codeDestinataire = str(body.destinataire?.codeDestinataire) ?? refuse(REFUSALS.missingField('destinataire.codeDestinataire'))
  const refs = body.references ?? refuse(REFUSALS.missingField('references'))
  const typeFacture = refs.typeFacture === 'AVOIR' ? 'AVOIR' : refs.typeFacture === 'FACTURE' ? 'FACTURE' : refuse(REFUSALS.missingField('references.typeFacture'))
  const mt = body.montantTotal ?? refuse(REFUSALS.missingField('montantTotal'))

  const principal: unknown[] = Array.isArray(body.pieceJointePrincipale) ? body.pieceJointePrincipale : []
  if (modeDepot !== 'SAISIE_API' && principal.length === 0) refuse(REFUSALS.missingField('pieceJointePrincipale'))
  const attachments = principal.map((p: any) => ownAttachment(store, account, p?.pieceJointePrincipaleId))
  const complementary = (Array.isArray(body.pieceJointeComplementaire) ? body.pieceJointeComplementaire : []).map((p: any) =>
    ownAttachment(store, account, p?.pieceJointeComplementaireId),
  )
  // In DEPOT_PDF_API the number may come from the OCR of the main attachment.
  const numero = checkInvoiceNumber(str(body.numeroFactureSaisi) ?? attachments[0]?.ocr?.numeroFacture)
  if (modeDepot === 'SAISIE_API' && !(Array.isArray(body.lignePoste) && body.lignePoste.length > 0)) refuse(REFUSALS.missingField('lignePoste'))
  if (store.isDuplicate(supplierId, dateFacture, numero)) refuse(REFUSALS.duplicate())

  const codeServiceExecutant = str(body.destinataire?.codeServiceExecutant)
  const numeroBonCommande = str(refs.numeroBonCommande)
  const facts = { numeroFacture: numero, dateFacture, codeDestinataire, codeServiceExecutant, numeroBonCommande }
  const r = recipientRefusal(store.structureBySiret(codeDestinataire), facts)
  if (r) refuse(r)

  // Amounts are JSON numbers with at most two decimals, read exactly (amountField refuses a string or a third decimal).
  const totals = {
    ht: amountField('montantTotal.montantHtTotal', mt.montantHtTotal),
    tva: amountField('montantTotal.montantTVA', mt.montantTVA),
    ttc: amountField('montantTotal.montantTtcTotal', mt.montantTtcTotal),
    aPayer: amountField('montantTotal.montantAPayer', mt.montantAPayer),
    remise: amountField('montantTotal.montantRemiseGlobaleTTC', mt.montantRemiseGlobaleTTC) ?? 0n,
  }
  if (totals.ht === null || totals.tva === null || totals.ttc === null || totals.aPayer === null) refuse(REFUSALS.totals('montants absents ou illisibles'))
  const t = totals as { ht: bigint; tva: bigint; ttc: bigint; aPayer: bigint; remise: bigint }
  const tr = totalsRefusal(
    t,
    Array.isArray(body.ligneTva)
      ? body.ligneTva.map((l: any, i: number) => ({ base: amountField(`ligneTva[${i}].ligneTvaMontantBaseHtParTaux`, l?.ligneTvaMontantBaseHtParTaux), tva: amountField(`ligneTva[${i}].ligneTvaMontantTvaParTaux`, l?.ligneTvaMontantTvaParTaux) }))
      : undefined,
    Array.isArray(body.lignePoste)
      ? body.lignePoste.map((l: any) => ({ quantite: l?.lignePosteQuantite, unitaire: l?.lignePosteMontantUnitaireHT, remise: l?.lignePosteMontantRemiseHT }))
      : undefined,
  )
  if (tr) refuse(tr)
  // The framework: absent is A1; an unknown code, a missing validator or an A2 still to pay is refused.
  const cadre = body.cadreDeFacturation ?? {}
  const cadreCode = str(cadre.codeCadreFacturation) ?? 'A1_FACTURE_FOURNISSEUR'
  const fr = frameworkRefusal(cadreCode, str(cadre.codeStructureValideur), t.aPayer)
  if (fr) refuse(fr)

  const inv = store.createInvoice({
    supplierId,
    numeroFacture: numero,
    dateFacture,
    modeDepot,
    typeFacture,
    typeTva: str(refs.typeTva),
    deviseFacture: str(refs.deviseFacture) ?? 'EUR',
    codeDestinataire,
    codeServiceExecutant,
    numeroBonCommande,
    montantHtTotal: t.ht,
    montantTVA: t.tva,
    montantTtcTotal: t.ttc,
    montantAPayer: t.aPayer,
    numeroFluxDepot: undefined,
    commentaire: str(body.commentaire),
    pieceJointeIds: [...attachments, ...complementary].map((a) => a.id),
    cadreDeFacturation: frameworkCode(cadreCode)!,
  })
  return {
    identifiantFactureCPP: inv.id,
    numeroFacture: inv.numeroFacture,
    dateDepot: day(inv.dateDepot),
    statutFacture: 'DEPOSEE',
    identifiantStructure: store.supplierById(supplierId)?.siret ?? null,
    empreinteCertificatDepot: createHash('sha256').update(`${inv.id}|${inv.numeroFacture}`).digest('hex'),
  }
}

// ---- factures/v1/deposer/flux ----

const SYNTAXES = [
  'IN_DP_E1_UBL_INVOICE', 'IN_DP_E1_CII_16B', 'IN_DP_E1_CII', 'IN_DP_E1_PES_FACTURE', 'IN_DP_E1_XCBL',
  'IN_DP_E2_CII_FACTURX', 'IN_DP_E2_UBL_INVOICE_MIN', 'IN_DP_E2_CPP_FACTURE_MIN', 'IN_DP_E2_CII_MIN_16B', 'IN_DP_E3_UBL_INVOICE',
]

function flowRefusalText(r: SandboxRefusal): string {
  // Flow reports name the XML element (reference §4, OCA #414/#612) rather than the API's sentence.
  if (r.codeRetour === 20003) return `L'element ${FLOW_PATHS.service} est obligatoire.`
  if (r.codeRetour === 20004) return `L'element ${FLOW_PATHS.engagement} est obligatoire.`
  return r.libelle.replace(/^\w+_MSG_\d+\.\d+ - /, '')
}

export const deposerFlux: Handler = async (store, account, body) => {
  const bytes = decodeFile(body.fichierFlux, 'fichierFlux')
  const nomFichier = str(body.nomFichier) ?? refuse(REFUSALS.missingField('nomFichier'))
  if (nomFichier.length > 200) refuse(REFUSALS.badRequest('nomFichier dépasse 200 caractères'))
  const syntaxeFlux = str(body.syntaxeFlux) ?? refuse(REFUSALS.missingField('syntaxeFlux'))
  if (!SYNTAXES.includes(syntaxeFlux)) refuse(REFUSALS.badRequest(`syntaxeFlux ${syntaxeFlux} inconnue`))

  let xml: string | undefined
  if (syntaxeFlux === 'IN_DP_E2_CII_FACTURX') {
    const files = await readPdfAttachments(bytes)
    const entry = files && Object.entries(files).find(([name]) => /\.xml$/i.test(name))
    xml = entry ? Buffer.from(entry[1]).toString('utf8') : undefined
  } else {
    xml = bytes.toString('utf8')
  }
  const invoice = xml ? readFlowInvoice(xml) : null
  const supplierSirets = account.structures.map((id) => store.supplierById(id)?.siret).filter(Boolean)
  const errorsDP: SandboxFlow['errorsDP'][number][] = []
  const errorsTechnique: SandboxFlow['errorsTechnique'][number][] = []
  if (!invoice) {
    errorsTechnique.push({ codeErreur: 'ERR_XSD_001', libelleErreur: 'IRRECEVABILITE: le fichier ne contient pas de facture CII ou UBL lisible.', natureErreur: 'TECHNIQUE' })
  } else {
    const dp = (r: SandboxRefusal | string) =>
      errorsDP.push({
        numeroDP: invoice.numeroFacture ?? '',
        libelleErreurDP: typeof r === 'string' ? r : flowRefusalText(r),
        identifiantFournisseur: invoice.supplierSiret ?? '',
        identifiantDestinataire: invoice.recipientSiret ?? '',
      })
    const check = (f: () => void) => {
      try {
        f()
      } catch (e) {
        if (e instanceof RefusalError) dp(e.refusal)
        else throw e
      }
    }
    if (!invoice.supplierSiret || !supplierSirets.includes(invoice.supplierSiret)) {
      // docs "Show detailed report" (reference §4).
      dp("L'identifiant fournisseur de la demande de paiement (balise : AccountingSupplierParty.Party.PartyIdentification.ID.value) n'est pas reference dans notre systeme.")
    }
    check(() => checkInvoiceNumber(invoice.numeroFacture))
    if (!invoice.dateFacture || !isCalendarDate(invoice.dateFacture)) dp("L'element FichierXml.ExchangedDocument.IssueDateTime.DateTimeString.value est obligatoire.")
    const r = recipientRefusal(invoice.recipientSiret ? store.structureBySiret(invoice.recipientSiret) : undefined, {
      numeroFacture: invoice.numeroFacture,
      dateFacture: invoice.dateFacture ?? '',
      codeDestinataire: invoice.recipientSiret,
      codeServiceExecutant: invoice.codeServiceExecutant,
      numeroBonCommande: invoice.numeroBonCommande,
    })
    if (r) dp(r)
    const c = (a: string | undefined) => (a === undefined ? null : cents(a))
    const ht = c(invoice.montantHtTotal)
    const tva = c(invoice.montantTVA)
    const ttc = c(invoice.montantTtcTotal)
    const aPayer = c(invoice.montantAPayer ?? invoice.montantTtcTotal)
    if (ht === null || tva === null || ttc === null || aPayer === null) dp(REFUSALS.totals('montants absents'))
    else {
      const tr = totalsRefusal({ ht, tva, ttc, aPayer, remise: 0n }, undefined, undefined)
      if (tr) dp(tr)
    }
    // BT-23: the framework, A1 when absent; a flow names no validator structure.
    if (invoice.cadreDeFacturation) {
      const fr = frameworkRefusal(invoice.cadreDeFacturation, undefined, aPayer)
      if (fr) dp(fr)
    }
  }
  const t = store.now()
  const step = store.state.clock.stepMs
  const incident = store.state.faults.incidentFlowsNext > 0
  if (incident) store.state.faults.incidentFlowsNext--
  const flow: SandboxFlow = {
    numeroFluxDepot: store.nextFlowNumber(),
    supplierIds: account.structures,
    nomFichier,
    syntaxeFlux,
    dateDepot: t,
    processingAt: t + step,
    finalAt: t + 2 * step,
    invoice: invoice ?? undefined,
    errorsDP,
    errorsTechnique,
    ...(incident ? { incident } : {}),
    materialised: false,
  }
  store.state.flows.set(flow.numeroFluxDepot, flow)
  store.state.pendingFlows.add(flow)
  advanceFlows(store)
  return { numeroFluxDepot: flow.numeroFluxDepot, dateDepot: day(t), syntaxeFlux }
}

/** Integrates flows whose processing time has come: the invoice appears (or a late duplicate is reported). */
export function advanceFlows(store: SandboxStore): void {
  const t = store.now()
  for (const flow of store.state.pendingFlows) {
    if (t < flow.finalAt) continue
    store.state.pendingFlows.delete(flow)
    flow.materialised = true
    const inv = flow.invoice as FlowInvoice | undefined
    if (!inv || flow.incident || flow.errorsDP.length > 0 || flow.errorsTechnique.length > 0) continue
    const supplier = store.suppliers.find((s) => s.siret === inv.supplierSiret)!
    if (store.isDuplicate(supplier.idStructureCPP, inv.dateFacture!, inv.numeroFacture!)) {
      // Both SIRETs are known here: the supplier was just found by its SIRET, and a flow without a known recipient has errors already.
      flow.errorsDP.push({
        numeroDP: inv.numeroFacture!,
        libelleErreurDP: REFUSALS.duplicate().libelle.replace(/^\w+_MSG_\d+\.\d+ - /, ''),
        identifiantFournisseur: supplier.siret,
        identifiantDestinataire: inv.recipientSiret!,
      })
      continue
    }
    store.createInvoice({
      supplierId: supplier.idStructureCPP,
      numeroFacture: inv.numeroFacture!,
      dateFacture: inv.dateFacture!,
      modeDepot: 'DEPOT_FLUX',
      typeFacture: inv.typeFacture,
      typeTva: undefined,
      deviseFacture: 'EUR',
      codeDestinataire: inv.recipientSiret!,
      codeServiceExecutant: inv.codeServiceExecutant,
      numeroBonCommande: inv.numeroBonCommande,
      montantHtTotal: cents(inv.montantHtTotal)!,
      montantTVA: cents(inv.montantTVA)!,
      montantTtcTotal: cents(inv.montantTtcTotal)!,
      montantAPayer: cents(inv.montantAPayer ?? inv.montantTtcTotal)!,
      numeroFluxDepot: flow.numeroFluxDepot,
      commentaire: undefined,
      pieceJointeIds: [],
      cadreDeFacturation: (inv.cadreDeFacturation && frameworkCode(inv.cadreDeFacturation)) ?? 'A1_FACTURE_FOURNISSEUR',
    })
  }
}

export function flowState(store: SandboxStore, flow: SandboxFlow): { state: string; at: number } {
  const t = store.now()
  if (t < flow.processingAt) return { state: 'IN_RECU', at: flow.dateDepot }
  if (t < flow.finalAt) return { state: 'IN_EN_COURS_TRAITEMENT_CPP', at: flow.processingAt }
  if (flow.incident) return { state: 'IN_INCIDENTE', at: flow.finalAt }
  if (flow.errorsTechnique.length > 0 || flow.errorsDP.length > 0) return { state: 'IN_REJETE', at: flow.finalAt }
  return { state: 'IN_INTEGRE', at: flow.finalAt }
}

// ---- factures/v1/rechercher/fournisseur ----

export const rechercherFournisseur: Handler = (store, account, body) => {
  advanceFlows(store)
  let list = store.invoicesOf(account.structures)
  const eq = (a: unknown, b: unknown) => a === undefined || a === null || a === '' || a === b
  const statuts: string[] | undefined = Array.isArray(body.statutCourant) && body.statutCourant.length ? body.statutCourant.map((s: any) => (typeof s === 'string' ? s : s?.statut)) : undefined
  const destinataires: string[] | undefined = Array.isArray(body.listeDestinataire) && body.listeDestinataire.length
    ? body.listeDestinataire.map((d: any) => (typeof d === 'string' ? d : d?.codeDestinataire))
    : undefined
  const from = str(body.periodeDateDepotDu)
  const to = str(body.periodeDateDepotAu)
  const fromState = str(body.periodeDateHeureEtatCourantDu)
  const toState = str(body.periodeDateHeureEtatCourantAu)
  list = list.filter((inv) => {
    if (!eq(body.numeroFacture, inv.numeroFacture) || !eq(body.numeroFluxDepot, inv.numeroFluxDepot) || !eq(body.typeFacture, inv.typeFacture)) return false
    const s = currentStatus(inv)
    if (statuts && !statuts.includes(s.code)) return false
    if (destinataires && !destinataires.includes(inv.codeDestinataire)) return false
    if (from || to) {
      const d = day(inv.dateDepot)
      if ((from && d < from.slice(0, 10)) || (to && d > to.slice(0, 10))) return false
    }
    if ((fromState && s.at < Date.parse(fromState)) || (toState && s.at > Date.parse(toState))) return false
    return true
  })
  const p = body.rechercheFactureParFournisseur
  if (p?.triColonne === 'NumeroFacture') list.sort((a, b) => a.numeroFacture.localeCompare(b.numeroFacture))
  if (p?.triSens === 'Ascendant' && p?.triColonne !== 'NumeroFacture') list.reverse()
  if (p?.triSens === 'Descendant' && p?.triColonne === 'NumeroFacture') list.reverse()
  if (list.length === 0) return NO_HIT
  const { slice, parametresRetour } = paginate(list, p)
  return { listeFactures: slice.map((inv) => resume(store, inv)), parametresRetour }
}

// ---- factures/v1/consulter/fournisseur ----

export const consulterFournisseur: Handler = (store, account, body) => {
  const inv = ownInvoice(store, account, body.identifiantFactureCPP)
  const s = currentStatus(inv)
  const supplier = store.supplierById(inv.supplierId)
  return {
    facture: {
      identifiantFactureCPP: inv.id,
      numeroFacture: inv.numeroFacture,
      statutFacture: s.code,
      modeDepot: inv.modeDepot,
      commentaire: inv.commentaire ?? null,
      dateFacture: inv.dateFacture,
      dateDepot: day(inv.dateDepot),
      cadreDeFacturation: { codeCadreFacturation: inv.cadreDeFacturation },
      destinataire: { codeDestinataire: inv.codeDestinataire, codeServiceExecutant: inv.codeServiceExecutant ?? null },
      fournisseur: { idFournisseur: inv.supplierId, codeFournisseur: supplier?.siret ?? null },
      references: { typeFacture: inv.typeFacture, typeTva: inv.typeTva ?? null, deviseFacture: inv.deviseFacture, numeroBonCommande: inv.numeroBonCommande ?? null },
      montantTotal: {
        montantHtTotal: amountOut(inv.montantHtTotal),
        montantTVA: amountOut(inv.montantTVA),
        montantTtcTotal: amountOut(inv.montantTtcTotal),
        montantAPayer: amountOut(inv.montantAPayer),
      },
      lignesDePoste: [],
      recapitulatifDeTva: [],
      listeDesPiecesJointes: inv.pieceJointeIds.map((id) => ({ pieceJointeId: id, pieceJointeDesignation: store.state.attachments.get(id)?.name ?? null })),
    },
  }
}

// ---- factures/v1/consulter/historique ----

export const consulterHistorique: Handler = (store, account, body) => {
  const inv = ownInvoice(store, account, body.idFacture)
  const max = num(body.nbResultatsMaximum)
  const histo = [...inv.history].reverse().slice(0, max ?? undefined)
  return {
    idFacture: inv.id,
    numeroFacture: inv.numeroFacture,
    modeDepot: inv.modeDepot,
    statutCourantCode: currentStatus(inv).code,
    historiquesDesStatuts: {
      histoStatut: histo.map((h) => ({
        histoStatutId: h.id,
        histoStatutCode: h.code,
        histoStatutDatePassage: iso(h.at),
        histoStatutCommentaire: h.comment ?? null,
        histoStatutUtilisateurNom: null,
        histoStatutUtilisateurPrenom: null,
      })),
    },
    historiquesDesEvenementsComplementaires: { evenementComplementaire: [] },
    historiquesDesActionsUtilisateurs: { actionUtilisateur: [] },
  }
}

// ---- factures/v1/recycler ----

export const recycler: Handler = (store, account, body) => {
  const inv = ownInvoice(store, account, body.identifiantFactureCPP)
  if (currentStatus(inv).code !== 'A_RECYCLER') refuse(REFUSALS.notToRecycle())
  const codeDestinataire = str(body.destinataire?.codeDestinataire) ?? refuse(REFUSALS.missingField('destinataire.codeDestinataire'))
  const codeServiceExecutant = str(body.destinataire?.codeServiceExecutant)
  const numeroBonCommande = str(body.references?.numeroBonCommande) ?? str(body.reference?.numeroBonCommande) ?? inv.numeroBonCommande
  const r = recipientRefusal(store.structureBySiret(codeDestinataire), { numeroFacture: inv.numeroFacture, dateFacture: inv.dateFacture, codeDestinataire, codeServiceExecutant, numeroBonCommande })
  if (r) refuse(r)
  inv.codeDestinataire = codeDestinataire
  inv.codeServiceExecutant = codeServiceExecutant
  inv.numeroBonCommande = numeroBonCommande
  // The branch is spent: a recycled invoice follows the normal path.
  store.setStatus(inv, 'DEPOSEE', str(body.commentaire), planAfter('DEPOSEE'))
  return { dateDepot: minute(store.now()), identifiantFactureCPP: inv.id, numeroFacture: inv.numeroFacture, statutFacture: 'DEPOSEE' }
}

// ---- factures/v1/completer ----

export const completer: Handler = (store, account, body) => {
  const inv = ownInvoice(store, account, body.identifiantFactureCPP)
  if (currentStatus(inv).code !== 'SUSPENDUE') refuse(REFUSALS.notSuspended())
  const commentaire = str(body.commentaire)
  if (commentaire && commentaire.length > 2000) refuse(REFUSALS.badRequest('commentaire dépasse 2000 caractères'))
  const extra = (Array.isArray(body.pieceJointeComplementaire) ? body.pieceJointeComplementaire : []).map((p: any) =>
    ownAttachment(store, account, p?.pieceJointeComplementaireId ?? p?.pieceJointeId),
  )
  inv.pieceJointeIds.push(...extra.map((a) => a.id))
  store.setStatus(inv, 'COMPLETEE', commentaire, planAfter('COMPLETEE'))
  return { identifiantFactureCPP: inv.id, numeroFacture: inv.numeroFacture, dateTraitement: minute(store.now()) }
}
