import { fieldLayer, type InvoiceFields } from '../../domain/invoice-fields'
import { isCalendarDate } from '../../domain/calendar-date'
import { compactIdentifier, isValidSiret } from '../../domain/siret'
import type { DeposerPdfResponse } from '../../chorus'

/**
 * Chorus Pro's OCR answer (deposer/pdf) as a field layer. Its values only fill what nothing better
 * filled (lowest precedence), with a modest confidence: it reads the same page with less context.
 */
export function chorusOcrFields(r: DeposerPdfResponse): InvoiceFields {
  const date = r.dateFacture ? r.dateFacture.slice(0, 10) : undefined
  const siret = r.codeDestinataire ? compactIdentifier(r.codeDestinataire) : undefined
  const supplier = r.codeFournisseur ? compactIdentifier(r.codeFournisseur) : undefined
  return fieldLayer(
    'chorus_ocr',
    {
      invoiceNumber: r.numeroFacture ?? undefined,
      invoiceDate: date && isCalendarDate(date) ? date : undefined,
      invoiceType: r.typeFacture === 'AVOIR' || r.typeFacture === 'FACTURE' ? r.typeFacture : undefined,
      currency: r.codeDeviseFacture ?? undefined,
      recipientSiret: siret && isValidSiret(siret) ? siret : undefined,
      supplierSiret: supplier && isValidSiret(supplier) ? supplier : undefined,
      serviceCode: r.codeServiceExecutant ?? undefined,
      engagementNumber: r.numeroBonCommande ?? undefined,
      amountNet: r.montantHtTotal ?? undefined,
      amountVat: r.montantTVA ?? undefined,
      amountGross: r.montantTtcAvantRemiseGlobalTTC ?? undefined,
      amountDue: r.montantAPayer ?? undefined,
    },
    0.6,
  )
}
