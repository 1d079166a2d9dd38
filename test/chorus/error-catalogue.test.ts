import { describe, expect, it } from 'vitest'
import { describeChorusError } from '../../src/domain/chorus-error-catalogue'

describe('Chorus error catalogue', () => {
  it.each([
    ['Vous avez déjà déposé une demande de paiement avec ce numéro de facture pour cette structure', 'duplicate_invoice_number'],
    ['Performing service is mandatory for this recipient', 'service_code_required'],
    ["L'element FichierXml.SupplyChainTradeTransaction.ApplicableHeaderTradeAgreement.BuyerOrderReferencedDocument.IssuerAssignedID.value est obligatoire.", 'engagement_number_required'],
    ['Recipient not located or inactive', 'recipient_unknown_or_inactive'],
    ['Header synthesis is not correct', 'header_totals_inconsistent'],
    ['This invoice could not be analyzed', 'pdf_not_analysable'],
    ['GDP_MSG_11.033 - statut', 'wrong_status_for_complete'],
    ['POQ_MSG_01.003 - Flux introuvable.', 'flow_not_found'],
    ["L'identifiant fournisseur de la demande de paiement (balise : AccountingSupplierParty.Party.PartyIdentification.ID.value) n'est pas reference dans notre systeme.", 'supplier_unknown'],
  ])('%s → %s', (libelle, code) => {
    expect(describeChorusError({ operation: 'factures/v1/soumettre', httpStatus: 400, codeRetour: 20001, libelle }).code).toBe(code)
  })

  it('reads the gateway 401 header and falls back without losing the raw text', () => {
    expect(describeChorusError({ operation: 'x', httpStatus: 401, wwwAuthenticate: 'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"' }).code).toBe('technical_account_refused')
    expect(describeChorusError({ operation: 'x', httpStatus: 503 }).code).toBe('chorus_unavailable')
    expect(describeChorusError({ operation: 'x', httpStatus: 400, codeRetour: 20050, libelle: 'ABC_MSG_99.999 - autre chose' }).code).toBe('unknown_chorus_error')
  })
})
