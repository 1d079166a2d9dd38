import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ChorusError, clearTokenCache } from '../../src/chorus'
import { isValidSiret } from '../../src/domain/siret'
import { SANDBOX_CREDENTIALS, SEED, SEED_STRUCTURES, createSandbox } from '../../src/sandbox'
import { ACCOUNT, failure, saisie, sandboxClient, startSandbox, textPdf, type RunningSandbox } from '../chorus/sandbox-harness'

/** The sandbox runs on a controllable clock: statuses move only when the test moves time. */
let t = Date.UTC(2026, 10, 21, 9, 0, 0)
let sb: RunningSandbox
beforeAll(async () => {
  sb = await startSandbox({ now: () => t, clock: { stepMs: 1000 } })
})
afterAll(() => sb.close())
beforeEach(async () => {
  await sb.reset()
  clearTokenCache()
})

const client = () => sandboxClient(sb.base)
const code = async (p: Promise<unknown>) => (await failure<ChorusError>(() => p)).catalogue.code

describe('seeded directory', () => {
  it('has valid SIRETs and every rule a submission must respect', async () => {
    expect(SEED_STRUCTURES.every((s) => isValidSiret(s.siret))).toBe(true)
    expect(isValidSiret(SANDBOX_CREDENTIALS.supplierSiret)).toBe(true)
    const listed = (await (await fetch(`${sb.base}/_sandbox/structures`)).json()) as any[]
    expect(listed).toHaveLength(SEED_STRUCTURES.length)
    expect(listed.some((s) => !s.active)).toBe(true)
    expect(listed.some((s) => s.serviceRequired && !s.engagementRequired)).toBe(true)
    expect(listed.some((s) => s.engagementRequired && !s.serviceRequired)).toBe(true)
    expect(listed.some((s) => s.serviceRequired && s.engagementRequired)).toBe(true)
    expect(listed.some((s) => s.serviceOrEngagementRequired)).toBe(true)
    expect(listed.some((s) => s.services.some((v: any) => !v.active))).toBe(true)
    expect(listed.some((s) => s.services.some((v: any) => v.code === 'FACTURES_PUBLIQUES'))).toBe(true)
    expect(await (await fetch(`${sb.base}/_sandbox/credentials`)).json()).toMatchObject({
      clientId: SANDBOX_CREDENTIALS.clientId,
      technicalLogin: SANDBOX_CREDENTIALS.technicalLogin,
      supplierSiret: SANDBOX_CREDENTIALS.supplierSiret,
    })
  })

  it('answers the structure parameters and service flags like Chorus', async () => {
    const c = client()
    const s = await c.consulterStructure(ACCOUNT, { idStructureCPP: SEED.serviceOrEngagement.idStructureCPP })
    expect(s.parametres).toMatchObject({ gestionNumeroEJOuCodeService: true, codeServiceDoitEtreRenseigne: false })
    const services = await c.rechercherServicesStructure(ACCOUNT, { idStructure: SEED.noRequirement.idStructureCPP })
    const travaux = services.listeServices.find((v) => v.codeService === 'TRAVAUX')!
    expect((await c.consulterService(ACCOUNT, { idStructure: SEED.noRequirement.idStructureCPP, idService: travaux.idService })).parametres?.numeroEngagement).toBe(true)
    const ej = await c.rechercherEngagementsJuridiques(ACCOUNT, { structureReceptriceEngagementJuridique: SANDBOX_CREDENTIALS.supplierIdStructureCPP, numeroEngagementJuridique: 'EJ-2026-0001' })
    expect(ej.listeEngagementJuridique).toHaveLength(1)
    expect((await c.rechercherEngagementsJuridiques(ACCOUNT, { structureReceptriceEngagementJuridique: SANDBOX_CREDENTIALS.supplierIdStructureCPP, numeroEngagementJuridique: 'NOPE' })).listeEngagementJuridique).toEqual([])
    expect((await c.recupererStructuresActivesFournisseur(ACCOUNT)).listeStructures[0]).toMatchObject({ idStructureCPP: SANDBOX_CREDENTIALS.supplierIdStructureCPP, identifiant: SANDBOX_CREDENTIALS.supplierSiret })
  })
})

describe('deposer/pdf OCR', () => {
  it('reads number, date, amounts, recipient SIRET and service code from the PDF text', async () => {
    const pdf = await textPdf([
      'Fournisseur Démo SAS - SIRET 987 654 321 00015',
      'Facture n° FA-2026-0042',
      'Date de facture : 14/11/2026',
      `Destinataire : ${SEED.serviceRequired.name} - SIRET ${SEED.serviceRequired.siret}`,
      'Code service : ACHATS',
      'Total HT : 1 000,00 €',
      'TVA 20 % : 200,00 €',
      'Total TTC : 1 200,00 €',
      'Net à payer : 1 200,00 €',
    ])
    const r = await client().deposerPdf(ACCOUNT, { fichierFacture: pdf, nomFichier: 'FA-2026-0042.pdf', formatDepot: 'PDF_NON_SIGNE' })
    expect(r).toMatchObject({
      numeroFacture: 'FA-2026-0042',
      dateFacture: '2026-11-14',
      codeDestinataire: SEED.serviceRequired.siret,
      codeFournisseur: SANDBOX_CREDENTIALS.supplierSiret,
      codeServiceExecutant: 'ACHATS',
      montantHtTotal: '1000.00',
      montantTVA: '200.00',
      montantTtcAvantRemiseGlobalTTC: '1200.00',
      montantAPayer: '1200.00',
    })
    // Then soumettre in DEPOT_PDF_API mode with the attachment; the number comes from the OCR.
    const sub = await client().soumettre(ACCOUNT, {
      ...saisie(SEED.serviceRequired.siret, { destinataire: { codeDestinataire: SEED.serviceRequired.siret, codeServiceExecutant: 'ACHATS' } }),
      modeDepot: 'DEPOT_PDF_API',
      numeroFactureSaisi: undefined,
      lignePoste: undefined,
      ligneTva: undefined,
      montantTotal: { montantHtTotal: '1000.00', montantTVA: '200.00', montantTtcTotal: '1200.00', montantAPayer: '1200.00' },
      pieceJointePrincipale: [{ pieceJointePrincipaleId: r.pieceJointeId }],
    } as any)
    expect(sub.numeroFacture).toBe('FA-2026-0042')
  })

  it('refuses unreadable files and files over 10 MB', async () => {
    const c = client()
    expect(await code(c.deposerPdf(ACCOUNT, { fichierFacture: Buffer.from('not a pdf at all'), nomFichier: 'x.pdf', formatDepot: 'PDF_NON_SIGNE' }))).toBe('pdf_not_analysable')
    expect(await code(c.deposerPdf(ACCOUNT, { fichierFacture: await textPdf([]), nomFichier: 'blank.pdf', formatDepot: 'PDF_NON_SIGNE' }))).toBe('pdf_not_analysable')
    const big = new Uint8Array(10 * 1024 * 1024 + 1)
    big.set(Buffer.from('%PDF-1.7\n'))
    expect(await code(c.deposerPdf(ACCOUNT, { fichierFacture: big, nomFichier: 'big.pdf', formatDepot: 'PDF_NON_SIGNE' }))).toBe('file_too_large')
  })
})

describe('soumettre rules', () => {
  it('enforces recipient, service and engagement rules with the catalogue codes', async () => {
    const c = client()
    const to = (siret: string, codeServiceExecutant?: string, numeroBonCommande?: string) =>
      c.soumettre(ACCOUNT, saisie(siret, {
        destinataire: { codeDestinataire: siret, ...(codeServiceExecutant ? { codeServiceExecutant } : {}) },
        references: { deviseFacture: 'EUR', typeFacture: 'FACTURE', typeTva: 'TVA_SUR_DEBIT', ...(numeroBonCommande ? { numeroBonCommande } : {}) },
      }))
    expect(await code(to(SEED.serviceRequired.siret))).toBe('service_code_required')
    expect(await code(to(SEED.engagementRequired.siret))).toBe('engagement_number_required')
    expect(await code(to(SEED.serviceOrEngagement.siret))).toBe('service_or_engagement_required')
    expect(await code(to(SEED.serviceAndEngagement.siret, 'DAF'))).toBe('engagement_number_required')
    expect(await code(to(SEED.serviceAndEngagement.siret, undefined, 'EJ-2026-0002'))).toBe('service_code_required')
    expect(await code(to(SEED.inactive.siret))).toBe('recipient_unknown_or_inactive')
    expect(await code(to('11111111111111'))).toBe('recipient_unknown_or_inactive')
    expect(await code(to(SEED.serviceRequired.siret, 'ANCIENS_ACHATS'))).toBe('service_unknown_or_inactive')
    expect(await code(to(SEED.serviceRequired.siret, 'FACTURES_PUBLIQUES'))).toBe('public_service_reserved')
    expect(await code(to(SEED.noRequirement.siret, 'TRAVAUX'))).toBe('engagement_number_required')
    await to(SEED.serviceRequired.siret, 'ACHATS')
    await to(SEED.engagementRequired.siret, undefined, 'EJ-2026-0001')
    await to(SEED.serviceOrEngagement.siret, 'LABO')
    await to(SEED.serviceAndEngagement.siret, 'DAF', 'EJ-2026-0002')
    await to(SEED.noRequirement.siret)
  })

  it('invoice numbers are unique per supplier and year; a bare date is refused', async () => {
    const c = client()
    const r = SEED.noRequirement.siret
    const first = await c.soumettre(ACCOUNT, saisie(r, { numero: 'DUP-1' }))
    expect(first.statutFacture).toBe('DEPOSEE')
    const e = await failure<ChorusError>(() => c.soumettre(ACCOUNT, saisie(r, { numero: 'DUP-1' })))
    expect(e.catalogue.code).toBe('duplicate_invoice_number')
    expect(e.kind).toBe('business')
    expect(e.libelle).toContain('Vous avez déjà déposé une demande de paiement avec ce numéro de facture')
    await c.soumettre(ACCOUNT, saisie(r, { numero: 'DUP-1', dateFacture: '2027-01-05' }))
    expect(await code(c.soumettre(ACCOUNT, saisie(r, { numero: '2026-11-20' })))).toBe('invoice_number_invalid')
  })

  it('checks amount consistency and the date format', async () => {
    const c = client()
    const r = SEED.noRequirement.siret
    expect(await code(c.soumettre(ACCOUNT, saisie(r, { montantTotal: { montantHtTotal: '100.00', montantTVA: '20.00', montantTtcTotal: '121.00', montantAPayer: '121.00' } })))).toBe('header_totals_inconsistent')
    expect(await code(c.soumettre(ACCOUNT, saisie(r, { montantTotal: { montantHtTotal: '100.00', montantTVA: '20.00', montantTtcTotal: '120.00', montantAPayer: '130.00' } })))).toBe('header_totals_inconsistent')
    expect(await code(c.soumettre(ACCOUNT, saisie(r, { ligneTva: [{ ligneTvaMontantBaseHtParTaux: '90.00', ligneTvaMontantTvaParTaux: '20.00' }] })))).toBe('header_totals_inconsistent')
    expect(await code(c.soumettre(ACCOUNT, saisie(r, { pieceJointeComplementaire: [{ pieceJointeComplementaireId: 424242 }] })))).toBe('attachment_unknown')
    expect(await code(c.soumettre(ACCOUNT, saisie(r, { fournisseur: { idFournisseur: 12345 } })))).toBe('supplier_unknown')
    // The client refuses a datetime before sending; the sandbox answers it with HTTP 500 like the real platform.
    expect(await code(c.soumettre(ACCOUNT, saisie(r, { dateFacture: '2026-11-20T10:00:00' })))).toBe('invoice_date_invalid')
    expect((await sb.calls())['factures/v1/soumettre']).toBe(5)
  })
})

describe('status clock and actions', () => {
  it('moves invoices along the normal path, and into branches chosen by the invoice number', async () => {
    const c = client()
    const r = SEED.noRequirement.siret
    const normal = await c.soumettre(ACCOUNT, saisie(r, { numero: 'OK-1' }))
    const recycle = await c.soumettre(ACCOUNT, saisie(r, { numero: 'X-RECYCL-1' }))
    const suspend = await c.soumettre(ACCOUNT, saisie(r, { numero: 'X-SUSPEN-1' }))
    const reject = await c.soumettre(ACCOUNT, saisie(r, { numero: 'X-REJET-1' }))
    const status = async (id: number) => (await c.consulterHistorique(ACCOUNT, { idFacture: id })).statutCourantCode
    expect(await status(normal.identifiantFactureCPP)).toBe('DEPOSEE')
    expect(await code(c.recycler(ACCOUNT, { identifiantFactureCPP: recycle.identifiantFactureCPP, destinataire: { codeDestinataire: r } }))).toBe('wrong_status_for_recycle')
    t += 10_000
    expect(await status(normal.identifiantFactureCPP)).toBe('MISE_EN_PAIEMENT')
    expect(await status(recycle.identifiantFactureCPP)).toBe('A_RECYCLER')
    expect(await status(suspend.identifiantFactureCPP)).toBe('SUSPENDUE')
    expect(await status(reject.identifiantFactureCPP)).toBe('REJETEE')
    const h = await c.consulterHistorique(ACCOUNT, { idFacture: normal.identifiantFactureCPP })
    expect(h.historiquesDesStatuts.histoStatut.map((x) => x.histoStatutCode)).toEqual(['MISE_EN_PAIEMENT', 'MANDATEE', 'SERVICE_FAIT', 'MISE_A_DISPOSITION', 'EN_COURS_ACHEMINEMENT', 'DEPOSEE'])
    const toProcess = await c.rechercherFactureFournisseur(ACCOUNT, { statutCourant: ['A_RECYCLER', 'SUSPENDUE', 'REJETEE'] })
    expect(toProcess.listeFactures.map((f) => f.numeroFacture).sort()).toEqual(['X-RECYCL-1', 'X-REJET-1', 'X-SUSPEN-1'])
    expect(toProcess.listeFactures.find((f) => f.statut === 'SUSPENDUE')?.commentaireEtatCourant).toContain('Pièce justificative')

    expect(await code(c.completer(ACCOUNT, { identifiantFactureCPP: recycle.identifiantFactureCPP, commentaire: 'x' }))).toBe('wrong_status_for_complete')
    const rec = await c.recycler(ACCOUNT, { identifiantFactureCPP: recycle.identifiantFactureCPP, destinataire: { codeDestinataire: SEED.serviceRequired.siret, codeServiceExecutant: 'ACHATS' }, commentaire: 'bon service' })
    expect(rec.statutFacture).toBe('DEPOSEE')
    const att = await c.ajouterFichier(ACCOUNT, { pieceJointeFichier: await textPdf(['Bon de livraison']), pieceJointeNom: 'bl.pdf', pieceJointeTypeMime: 'application/pdf', pieceJointeExtension: 'PDF' })
    const comp = await c.completer(ACCOUNT, { identifiantFactureCPP: suspend.identifiantFactureCPP, commentaire: 'BL joint', pieceJointeComplementaire: [{ pieceJointeComplementaireId: att.pieceJointeId }] })
    expect(comp.dateTraitement).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    expect(await status(suspend.identifiantFactureCPP)).toBe('COMPLETEE')
    t += 10_000
    expect(await status(recycle.identifiantFactureCPP)).toBe('MISE_EN_PAIEMENT')
    expect(await status(suspend.identifiantFactureCPP)).toBe('MISE_EN_PAIEMENT')
    expect(await status(reject.identifiantFactureCPP)).toBe('REJETEE')
  })

  it('control API sets a status, counts calls and resets', async () => {
    const c = client()
    const inv = await c.soumettre(ACCOUNT, saisie(SEED.noRequirement.siret))
    await sb.setStatus(inv.identifiantFactureCPP, 'SUSPENDUE', 'Il manque le bon de commande')
    const h = await c.consulterHistorique(ACCOUNT, { idFacture: inv.identifiantFactureCPP })
    expect(h.statutCourantCode).toBe('SUSPENDUE')
    expect(h.historiquesDesStatuts.histoStatut[0]!.histoStatutCommentaire).toBe('Il manque le bon de commande')
    expect(await sb.calls()).toMatchObject({ 'factures/v1/soumettre': 1, 'factures/v1/consulter/historique': 1, 'oauth/token': 1 })
    await sb.reset()
    expect(await sb.calls()).toEqual({})
    clearTokenCache()
    expect((await c.rechercherFactureFournisseur(ACCOUNT)).listeFactures).toEqual([])
  })
})

describe('flows (deposer/flux + consulterCRDetaille)', () => {
  const cii = (numero: string, buyer: string, service?: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocument><ram:ID>${numero}</ram:ID><ram:TypeCode>380</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="102">20261120</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement>${service ? `<ram:BuyerReference>${service}</ram:BuyerReference>` : ''}
<ram:SellerTradeParty><ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">${SANDBOX_CREDENTIALS.supplierSiret}</ram:ID></ram:SpecifiedLegalOrganization></ram:SellerTradeParty>
<ram:BuyerTradeParty><ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">${buyer}</ram:ID></ram:SpecifiedLegalOrganization></ram:BuyerTradeParty>
</ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeSettlement><ram:SpecifiedTradeSettlementHeaderMonetarySummation>
<ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">20.00</ram:TaxTotalAmount><ram:GrandTotalAmount>120.00</ram:GrandTotalAmount><ram:DuePayableAmount>120.00</ram:DuePayableAmount>
</ram:SpecifiedTradeSettlementHeaderMonetarySummation></ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>`

  it('integrates a valid flow asynchronously and rejects a flow missing the service code, naming the XML element', async () => {
    const c = client()
    const ok = await c.deposerFlux(ACCOUNT, { fichierFlux: Buffer.from(cii('FLX-1', SEED.serviceRequired.siret, 'ACHATS')), nomFichier: 'FLX-1.xml', syntaxeFlux: 'IN_DP_E1_CII_16B', avecSignature: false })
    const bad = await c.deposerFlux(ACCOUNT, { fichierFlux: Buffer.from(cii('FLX-2', SEED.serviceRequired.siret)), nomFichier: 'FLX-2.xml', syntaxeFlux: 'IN_DP_E1_CII_16B', avecSignature: false })
    expect(ok.numeroFluxDepot).toMatch(/^CPP\d{22}$/)
    expect((await c.consulterCRDetaille(ACCOUNT, { numeroFluxDepot: ok.numeroFluxDepot })).etatCourantDepotFlux).toBe('IN_RECU')
    expect((await c.rechercherFactureFournisseur(ACCOUNT, { numeroFluxDepot: ok.numeroFluxDepot })).listeFactures).toEqual([])
    t += 2000
    expect((await c.consulterCRDetaille(ACCOUNT, { numeroFluxDepot: ok.numeroFluxDepot })).etatCourantDepotFlux).toBe('IN_INTEGRE')
    const found = await c.rechercherFactureFournisseur(ACCOUNT, { numeroFluxDepot: ok.numeroFluxDepot })
    expect(found.listeFactures.map((f) => [f.numeroFacture, f.montantTTC])).toEqual([['FLX-1', '120.00']])
    const cr = await c.consulterCRDetaille(ACCOUNT, { numeroFluxDepot: bad.numeroFluxDepot })
    expect(cr.etatCourantDepotFlux).toBe('IN_REJETE')
    expect(cr.listeErreurDP[0]?.libelleErreurDP).toContain('BuyerReference.value est obligatoire')
    expect(await code(c.consulterCRDetaille(ACCOUNT, { numeroFluxDepot: 'CPP0000000000000000000000' }))).toBe('flow_not_found')
  })
})

describe('mounting and scale', () => {
  it('works mounted under /sandbox on a host app', async () => {
    const sandbox = createSandbox()
    const host = new Hono()
    host.get('/health', (c) => c.text('ok'))
    host.route('/sandbox', sandbox.app)
    const server = serve({ fetch: host.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((r) => server.once('listening', () => r()))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox`
    try {
      const c = sandboxClient(base)
      const inv = await c.soumettre(ACCOUNT, saisie(SEED.noRequirement.siret))
      expect(inv.identifiantFactureCPP).toBeGreaterThan(0)
      expect(await (await fetch(`${base}/_sandbox/calls`)).json()).toMatchObject({ 'factures/v1/soumettre': 1 })
      expect(((await (await fetch(`${base}/_sandbox/credentials`)).json()) as { clientId: string }).clientId).toBe(SANDBOX_CREDENTIALS.clientId)
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  it('stays fast with 10,000 invoices', async () => {
    const store = sb.sandbox.store
    for (let i = 0; i < 10_000; i++) {
      store.createInvoice({
        supplierId: SANDBOX_CREDENTIALS.supplierIdStructureCPP, numeroFacture: `BULK-${i}`, dateFacture: '2026-11-01', modeDepot: 'SAISIE_API', typeFacture: 'FACTURE',
        typeTva: undefined, deviseFacture: 'EUR', codeDestinataire: SEED.noRequirement.siret, codeServiceExecutant: undefined, numeroBonCommande: undefined,
        montantHtTotal: 10000n, montantTVA: 2000n, montantTtcTotal: 12000n, montantAPayer: 12000n, numeroFluxDepot: undefined, commentaire: undefined, pieceJointeIds: [], cadreDeFacturation: 'A1_FACTURE_FOURNISSEUR',
      })
    }
    const c = client()
    let started = performance.now()
    const one = await c.rechercherFactureFournisseur(ACCOUNT, { numeroFacture: 'BULK-9876' })
    const oneMs = performance.now() - started
    expect(one.listeFactures).toHaveLength(1)
    started = performance.now()
    const all = await c.rechercherFactureFournisseur(ACCOUNT, { rechercheFactureParFournisseur: { nbResultatsParPage: 1000 } })
    const allMs = performance.now() - started
    expect(all.listeFactures).toHaveLength(10_000)
    expect(await code(c.soumettre(ACCOUNT, saisie(SEED.noRequirement.siret, { numero: 'BULK-5', dateFacture: '2026-02-02' })))).toBe('duplicate_invoice_number')
    console.info(`10k invoices: search by number ${oneMs.toFixed(0)} ms, full read in pages of 1000 ${allMs.toFixed(0)} ms`)
    expect(oneMs).toBeLessThan(500)
    expect(allMs).toBeLessThan(5000)
  })
})
