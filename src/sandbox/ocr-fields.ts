import { parsePrintedAmount, type Amount } from '../domain/amount'
import { makeCalendarDate } from '../domain/calendar-date'
import { compactIdentifier, isValidSiret } from '../domain/siret'

/** What the sandbox's "OCR" reads from a PDF's text; deposer/pdf answers it under Chorus's field names. */
export interface OcrFields {
  readonly numeroFacture?: string
  readonly dateFacture?: string
  readonly codeDestinataire?: string
  readonly codeFournisseur?: string
  readonly codeServiceExecutant?: string
  readonly numeroBonCommande?: string
  readonly typeFacture?: 'FACTURE' | 'AVOIR'
  readonly codeDeviseFacture?: string
  readonly montantHtTotal?: Amount
  readonly montantTVA?: Amount
  readonly montantTtcAvantRemiseGlobalTTC?: Amount
  readonly montantAPayer?: Amount
}

const AMOUNT = String.raw`(-?\d[\d\s\u00a0\u202f.,']*\d(?:[.,]\d{1,2})?|\d)\s*(?:€|EUR)?`

function amountAfter(text: string, labels: string): Amount | undefined {
  const m = new RegExp(String.raw`(?:${labels})\s*(?:\([^)]*\))?\s*[:=]?\s*${AMOUNT}`, 'i').exec(text)
  return m ? parsePrintedAmount(m[1]!) ?? undefined : undefined
}

function dateOf(s: string): string | undefined {
  let m = /(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})/.exec(s)
  if (m) return makeCalendarDate(Number(m[3]), Number(m[2]), Number(m[1])) ?? undefined
  m = /(\d{4})-(\d{2})-(\d{2})/.exec(s)
  if (m) return makeCalendarDate(Number(m[1]), Number(m[2]), Number(m[3])) ?? undefined
  return undefined
}

/**
 * A deliberately simple reader: labelled values on the text lines ("Facture n°", "Date", "Total HT",
 * "TVA", "Total TTC", "Net à payer", "SIRET", "Code service", "Engagement"). Like the real OCR, it may
 * miss fields; then they are simply absent from the answer.
 */
export function extractOcrFields(text: string, isPublicSiret: (siret: string) => boolean = () => false): OcrFields {
  const out: Record<string, unknown> = {}
  const num = /(?:facture|invoice|avoir)\s*(?:n\s*[°o]|num[ée]ro|number|no\.?|#)\s*[:.]?\s*([A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9])/i.exec(text)
  if (num) out.numeroFacture = num[1]
  if (/\bavoir\b|credit note/i.test(text)) out.typeFacture = 'AVOIR'
  else if (num) out.typeFacture = 'FACTURE'
  const dateLine = /date(?:\s+de(?:\s+la)?\s+facture|\s+d'émission|\s+of\s+invoice)?\s*[:]?\s*([0-9][0-9/.\- ]{7,10})/i.exec(text)
  const d = dateLine ? dateOf(dateLine[1]!) : undefined
  if (d) out.dateFacture = d

  // SIRETs: every 14-digit group (spaces allowed) with a valid check digit; a labelled recipient wins,
  // then any SIRET of a public structure, then the second SIRET printed (the first is usually the issuer).
  const sirets: { siret: string; line: string }[] = []
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(/(?<!\d)(\d{3}[\s\u00a0.]?\d{3}[\s\u00a0.]?\d{3}[\s\u00a0.]?\d{5})(?!\d)/g)) {
      const s = compactIdentifier(m[1]!)
      if (isValidSiret(s) && !sirets.some((x) => x.siret === s)) sirets.push({ siret: s, line })
    }
  }
  const labelled = sirets.find((s) => /destinataire|client|acheteur|buyer|recipient|factur[ée] [àa]/i.test(s.line))
  const publicOne = sirets.find((s) => isPublicSiret(s.siret))
  const recipient = labelled ?? publicOne ?? sirets[1]
  if (recipient) out.codeDestinataire = recipient.siret
  const supplier = sirets.find((s) => s !== recipient)
  if (supplier) out.codeFournisseur = supplier.siret

  const svc = /(?:code\s+service|service\s+ex[ée]cutant|service\s+code)\s*[:]?\s*([A-Z0-9][A-Z0-9_\-]*)/i.exec(text)
  if (svc) out.codeServiceExecutant = svc[1]
  const ej = /(?:n[°o]\s*d'?\s*engagement|num[ée]ro\s+d'engagement|engagement\s+juridique|bon\s+de\s+commande|purchase\s+order)\s*(?:n[°o])?\s*[:]?\s*([A-Za-z0-9][A-Za-z0-9\-/_.]*)/i.exec(text)
  if (ej) out.numeroBonCommande = ej[1]
  if (/€|\bEUR\b|euros?/i.test(text)) out.codeDeviseFacture = 'EUR'

  const ht = amountAfter(text, String.raw`total\s+h\.?t\.?|montant\s+h\.?t\.?|total\s+hors\s+taxes?|net\s+amount`)
  const tva = amountAfter(text, String.raw`(?:total\s+)?t\.?v\.?a\.?(?:\s+\d+(?:[.,]\d+)?\s*%)?|vat`)
  const ttc = amountAfter(text, String.raw`total\s+t\.?t\.?c\.?|montant\s+t\.?t\.?c\.?|total\s+toutes\s+taxes|gross\s+amount`)
  const due = amountAfter(text, String.raw`net\s+[àa]\s+payer|montant\s+[àa]\s+payer|reste\s+[àa]\s+payer|amount\s+due`)
  if (ht) out.montantHtTotal = ht
  if (tva) out.montantTVA = tva
  if (ttc) out.montantTtcAvantRemiseGlobalTTC = ttc
  if (due ?? ttc) out.montantAPayer = due ?? ttc
  return out as OcrFields
}
