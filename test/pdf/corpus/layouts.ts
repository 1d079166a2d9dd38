import type { FontFamily, Op, Painting, TextOp } from './painting'
import { groupedSiret, printAmount, printDate, prng, type AmountStyle, type InvoiceSpec } from './invoice-spec'

type R = ReturnType<typeof prng>
const t = (page: number, x: number, y: number, text: string, size = 10, extra: Partial<TextOp> = {}): TextOp => ({ kind: 'text', page, x, y, text, size, ...extra })

interface Common {
  family: FontFamily
  amount: AmountStyle
  dateStyle: Parameters<typeof printDate>[1]
  grouped: boolean
}

function refsFr(s: InvoiceSpec, r: R): string[] {
  const out: string[] = []
  if (s.engagement) out.push(`${r.pick(["N° d'engagement", 'Bon de commande n°', 'N° EJ', 'Engagement juridique', 'Votre commande n°'])} : ${s.engagement}`)
  if (s.serviceCode) out.push(`${r.pick(['Code service', 'Service exécutant', 'Code du service'])} : ${s.serviceCode}`)
  return out
}
function refsEn(s: InvoiceSpec, r: R): string[] {
  const out: string[] = []
  if (s.engagement) out.push(`${r.pick(['PO number', 'Purchase order', 'Order ref.', 'PO No.'])}: ${s.engagement}`)
  if (s.serviceCode) out.push(`Service code: ${s.serviceCode}`)
  return out
}

function itemsTable(ops: Op[], s: InvoiceSpec, page: number, y0: number, c: Common, en: boolean, grid = false): number {
  const head = en ? ['Description', 'Qty', 'Unit price', 'Amount'] : ['Désignation', 'Qté', 'P.U. HT', 'Montant HT']
  const xs = [50, 300, 400, 540]
  head.forEach((h, i) => ops.push(t(page, xs[i]!, y0, h, 9, { bold: true, align: i >= 2 ? 'right' : 'left' })))
  let y = y0 + 18
  for (const l of s.lines) {
    ops.push(t(page, 50, y, l.label, 9), t(page, 300, y, String(l.qty), 9))
    ops.push(t(page, 400, y, printAmount(l.unit, c.amount, false), 9, { align: 'right' }), t(page, 540, y, printAmount(l.net, c.amount, false), 9, { align: 'right' }))
    if (grid) ops.push({ kind: 'rect', page, x: 45, y: y - 11, w: 500, h: 15 })
    y += 16
  }
  return y + 10
}

function totals(ops: Op[], s: InvoiceSpec, page: number, y: number, c: Common, en: boolean, r: R, labelX = 330, valueX = 540): number {
  const neg = s.type === 'AVOIR' && r.next() < 0.5
  const rate = en ? s.vatRate : s.vatRate.replace('.', ',')
  const rows: Array<[string, string]> = en
    ? [
        [r.pick(['Subtotal', 'Total excl. VAT', 'Net amount']), s.net],
        [r.pick([`VAT ${rate}%`, `VAT (${rate}%)`, 'Total VAT']), s.vat],
        [r.pick(['Total', 'Total incl. VAT', 'Grand total']), s.gross],
      ]
    : [
        [r.pick(['Total HT', 'Montant HT', 'Total hors taxes']), s.net],
        [r.pick([`TVA ${rate} %`, `TVA (${rate} %)`, 'Total TVA', 'Montant TVA']), s.vat],
        [r.pick(['Total TTC', 'Montant TTC']), s.gross],
      ]
  if (s.prepaid) rows.push([en ? 'Deposit paid' : 'Acompte versé', s.prepaid])
  if (s.prepaid || r.next() < 0.5) rows.push([en ? r.pick(['Amount due', 'Balance due']) : r.pick(['Net à payer', 'Reste à payer']), s.due])
  for (const [label, value] of rows) {
    ops.push(t(page, labelX, y, label, 10, { bold: /TTC|Total$|Grand|payer|due/.test(label) }))
    ops.push(t(page, valueX, y, printAmount(value, c.amount, true, neg), 10, { align: 'right' }))
    y += 16
  }
  return y
}

function titleFr(s: InvoiceSpec, r: R): string[] {
  if (s.type === 'AVOIR') return [r.pick([`AVOIR N° ${s.number}`, `Avoir n° ${s.number}`]), `Avoir sur facture n° ${s.originalInvoice}`]
  return r.next() < 0.5 ? [`FACTURE N° ${s.number}`] : ['FACTURE', `Numéro de facture : ${s.number}`]
}
function titleEn(s: InvoiceSpec, r: R): string[] {
  if (s.type === 'AVOIR') return ['CREDIT NOTE', `Credit note number: ${s.number}`, `Original invoice: ${s.originalInvoice}`]
  return r.next() < 0.5 ? ['INVOICE', `Invoice No.: ${s.number}`] : [`Invoice #${s.number}`]
}

/** A: French classic, letterhead left, recipient block right. */
export function frClassic(s: InvoiceSpec, r: R, c: Common): Painting {
  const ops: Op[] = []
  ops.push(t(1, 50, 60, s.supplier.name, 14, { bold: true }), t(1, 50, 76, s.supplier.address[0]!), t(1, 50, 90, s.supplier.address[1]!))
  ops.push(t(1, 50, 104, `SIRET : ${groupedSiret(s.supplier.siret, c.grouped)}`, 9))
  const header = r.pick(['Facturé à', 'Client', 'Destinataire', 'Adressé à'])
  ops.push(t(1, 330, 140, header, 10, { bold: true }), t(1, 330, 156, s.recipient.name))
  let y = 170
  if (s.serviceLabel) {
    ops.push(t(1, 330, y, r.next() < 0.5 ? `Service : ${s.serviceLabel}` : s.serviceLabel.startsWith('Direction') ? s.serviceLabel : `Service : ${s.serviceLabel}`))
    y += 14
  }
  ops.push(t(1, 330, y, s.recipient.address[0]!), t(1, 330, y + 14, s.recipient.address[1]!), t(1, 330, y + 28, `SIRET : ${groupedSiret(s.recipient.siret, c.grouped)}`, 9))
  y = 250
  titleFr(s, r).forEach((line, i) => ops.push(t(1, 50, y + i * 18, line, i === 0 ? 16 : 10, { bold: i === 0 })))
  y += 50
  ops.push(t(1, 50, y, `${r.pick(['Date', 'Date de facture', "Date d'émission", 'Date de facturation'])} : ${printDate(s.date, c.dateStyle)}`))
  ops.push(t(1, 300, y, `Échéance : ${printDate(s.date.replace(/-\d\d$/, '-28'), c.dateStyle)}`))
  y += 16
  for (const ref of refsFr(s, r)) ops.push(t(1, 50, (y += 14), ref))
  y = itemsTable(ops, s, 1, y + 30, c, false)
  totals(ops, s, 1, y + 10, c, false, r)
  ops.push(t(1, 50, 800, `${s.supplier.name} – TVA intracommunautaire FR${s.supplier.siret.slice(0, 2)}${s.supplier.siret.slice(0, 9)}`, 7))
  return { pages: 1, family: c.family, ops }
}

/** B: English, "From" / "Bill to" blocks side by side. */
export function enClassic(s: InvoiceSpec, r: R, c: Common): Painting {
  const ops: Op[] = []
  titleEn(s, r).forEach((line, i) => ops.push(t(1, 50, 60 + i * 18, line, i === 0 ? 18 : 10, { bold: i === 0 })))
  ops.push(t(1, 380, 60, `${r.pick(['Invoice date', 'Date of issue', 'Issue date'])}: ${printDate(s.date, c.dateStyle)}`))
  ops.push(t(1, 380, 76, `Due date: ${printDate(s.date.replace(/-\d\d$/, '-28'), c.dateStyle)}`))
  ops.push(t(1, 50, 140, r.pick(['From', 'Supplier', 'Seller']), 10, { bold: true }), t(1, 50, 156, s.supplier.name), t(1, 50, 170, s.supplier.address.join(', ')))
  ops.push(t(1, 50, 184, `SIRET: ${groupedSiret(s.supplier.siret, c.grouped)}`, 9))
  ops.push(t(1, 330, 140, r.pick(['Bill to', 'Billed to', 'Customer']), 10, { bold: true }), t(1, 330, 156, s.recipient.name))
  let y = 170
  if (s.serviceLabel) ops.push(t(1, 330, (y += 0), `Department: ${s.serviceLabel}`)), (y += 14)
  ops.push(t(1, 330, y, s.recipient.address.join(', ')), t(1, 330, y + 14, `SIRET: ${groupedSiret(s.recipient.siret, c.grouped)}`, 9))
  y = 240
  for (const ref of refsEn(s, r)) ops.push(t(1, 50, (y += 14), ref))
  y = itemsTable(ops, s, 1, y + 30, c, true)
  totals(ops, s, 1, y + 10, c, true, r)
  return { pages: 1, family: c.family, ops }
}

/** C: two columns drawn line by line, both SIRETs on the same printed line. */
export function frTwoColumns(s: InvoiceSpec, r: R, c: Common): Painting {
  const ops: Op[] = []
  const left = [r.pick(['Émetteur', 'Fournisseur', 'Prestataire']), s.supplier.name, ...s.supplier.address, `SIRET : ${groupedSiret(s.supplier.siret, c.grouped)}`]
  const right = [r.pick(['Destinataire', 'Client', 'Acheteur']), s.recipient.name, ...(s.serviceLabel ? [`Service : ${s.serviceLabel}`] : []), ...s.recipient.address, `SIRET : ${groupedSiret(s.recipient.siret, c.grouped)}`]
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i]) ops.push(t(1, 40, 80 + i * 14, left[i]!, 9, { bold: i === 0 }))
    if (right[i]) ops.push(t(1, 310, 80 + i * 14, right[i]!, 9, { bold: i === 0 }))
  }
  let y = 200
  titleFr(s, r).forEach((line, i) => ops.push(t(1, 40, y + i * 16, line, i === 0 ? 14 : 9, { bold: i === 0 })))
  y += 40
  ops.push(t(1, 40, y, `Date : ${printDate(s.date, c.dateStyle)}`, 9))
  for (const ref of refsFr(s, r)) ops.push(t(1, 310, y, ref, 9)), (y += 14)
  y = itemsTable(ops, s, 1, y + 30, c, false)
  totals(ops, s, 1, y + 10, c, false, r, 300, 545)
  return { pages: 1, family: c.family, ops }
}

/** E: several pages, letterhead repeated, totals on the last page only. */
export function frMultiPage(s: InvoiceSpec, r: R, c: Common): Painting {
  const ops: Op[] = []
  const perPage = 30
  const pages = Math.max(2, Math.ceil(s.lines.length / perPage))
  for (let p = 1; p <= pages; p++) {
    ops.push(t(p, 50, 40, s.supplier.name, 11, { bold: true }), t(p, 450, 40, `Page ${p}/${pages}`, 8))
    if (p > 1) ops.push(t(p, 50, 54, `Suite de la facture ${s.number}`, 8))
  }
  ops.push(t(1, 50, 60, `SIRET ${groupedSiret(s.supplier.siret, c.grouped)}`, 8))
  ops.push(t(1, 320, 110, 'Facturé à', 10, { bold: true }), t(1, 320, 124, s.recipient.name), t(1, 320, 138, `SIRET : ${groupedSiret(s.recipient.siret, c.grouped)}`))
  if (s.serviceLabel) ops.push(t(1, 320, 152, `Service : ${s.serviceLabel}`))
  titleFr(s, r).forEach((line, i) => ops.push(t(1, 50, 200 + i * 16, line, i === 0 ? 14 : 10)))
  ops.push(t(1, 50, 240, `Date de facture : ${printDate(s.date, c.dateStyle)}`))
  let y = 256
  for (const ref of refsFr(s, r)) ops.push(t(1, 50, (y += 14), ref))
  let page = 1
  y = 320
  for (let i = 0; i < s.lines.length; i++) {
    if (i > 0 && i % perPage === 0) (page++, (y = 100))
    const l = s.lines[i]!
    ops.push(t(page, 50, y, `${i + 1}. ${l.label}`, 8), t(page, 300, y, String(l.qty), 8), t(page, 540, y, printAmount(l.net, c.amount, false), 8, { align: 'right' }))
    y += 13
  }
  totals(ops, s, pages, Math.max(y, 100) + 20, c, false, r)
  return { pages, family: c.family, ops }
}

/** F: supplier SIRET only in the legal footer; recipient block labelled "Destinataire". */
export function frFooterLegal(s: InvoiceSpec, r: R, c: Common): Painting {
  const ops: Op[] = []
  ops.push(t(1, 50, 50, s.supplier.name, 16, { bold: true }), t(1, 50, 68, s.supplier.address.join(' – '), 9))
  ops.push(t(1, 300, 120, 'Destinataire', 9, { bold: true }), t(1, 300, 134, s.recipient.name, 11))
  if (s.serviceLabel) ops.push(t(1, 300, 150, s.serviceLabel.startsWith('Direction') ? s.serviceLabel : `Service : ${s.serviceLabel}`))
  ops.push(t(1, 300, 164, s.recipient.address.join(' '), 9), t(1, 300, 178, `N° SIRET ${groupedSiret(s.recipient.siret, c.grouped)}`, 9))
  titleFr(s, r).forEach((line, i) => ops.push(t(1, 50, 230 + i * 16, line, i === 0 ? 13 : 10, { bold: i === 0 })))
  ops.push(t(1, 50, 270, `Fait à Lyon, le ${printDate(s.date, 'fr-long')}`))
  let y = 280
  for (const ref of refsFr(s, r)) ops.push(t(1, 50, (y += 14), ref))
  y = itemsTable(ops, s, 1, y + 30, c, false)
  totals(ops, s, 1, y + 10, c, false, r)
  ops.push(t(1, 50, 790, `${s.supplier.name} – SAS au capital de 10 000 € – SIRET ${groupedSiret(s.supplier.siret, true)} – RCS Lyon ${groupedSiret(s.supplier.siret, true).slice(0, 11)}`, 7))
  ops.push(t(1, 50, 800, 'Pénalités de retard : 3 fois le taux d’intérêt légal. Indemnité forfaitaire de recouvrement : 40 €.', 7))
  return { pages: 1, family: c.family, ops }
}

/** G: grid of labelled boxes, labels above their values (stacked), items with cell borders. */
export function frGrid(s: InvoiceSpec, r: R, c: Common): Painting {
  const ops: Op[] = []
  ops.push(t(1, 50, 50, s.type === 'AVOIR' ? 'AVOIR' : 'FACTURE', 20, { bold: true }))
  if (s.type === 'AVOIR') ops.push(t(1, 50, 68, `Avoir sur facture n° ${s.originalInvoice}`, 9))
  const boxes: Array<[string, string]> = [
    [s.type === 'AVOIR' ? "N° d'avoir" : 'N° de facture', s.number],
    ['Date de facture', printDate(s.date, c.dateStyle)],
  ]
  if (s.engagement) boxes.push(["N° d'engagement", s.engagement])
  if (s.serviceCode) boxes.push(['Code service', s.serviceCode])
  boxes.forEach(([label, value], i) => {
    const x = 50 + i * 125
    ops.push({ kind: 'rect', page: 1, x, y: 90, w: 120, h: 34 }, t(1, x + 4, 102, label, 8, { bold: true }), t(1, x + 4, 118, value, 10))
  })
  ops.push(t(1, 50, 160, r.pick(['Fournisseur', 'Émetteur']), 9, { bold: true }), t(1, 50, 174, s.supplier.name), t(1, 50, 188, `SIRET ${groupedSiret(s.supplier.siret, c.grouped)}`, 9))
  ops.push(t(1, 320, 160, r.pick(['Client', 'Facturé à']), 9, { bold: true }), t(1, 320, 174, s.recipient.name), t(1, 320, 188, `SIRET ${groupedSiret(s.recipient.siret, c.grouped)}`, 9))
  if (s.serviceLabel) ops.push(t(1, 320, 202, `Service : ${s.serviceLabel}`, 9))
  const y = itemsTable(ops, s, 1, 250, c, false, true)
  totals(ops, s, 1, y + 10, c, false, r)
  return { pages: 1, family: c.family, ops }
}

export const LAYOUTS = { frClassic, enClassic, frTwoColumns, frMultiPage, frFooterLegal, frGrid } as const
export type LayoutName = keyof typeof LAYOUTS

export function commonFor(r: R, family: FontFamily, en: boolean): Common {
  return {
    family,
    amount: en ? r.pick(['en', 'plain'] as const) : r.pick(['fr', 'fr-dots', 'fr', 'plain'] as const),
    dateStyle: en ? r.pick(['en-long', 'iso', 'en-day-first'] as const) : r.pick(['fr-slash', 'fr-long', 'iso', 'fr-dash'] as const),
    grouped: r.next() < 0.5,
  }
}
