import { PDFDocument, StandardFonts, rgb, type PDFFont } from 'pdf-lib'

export type FontFamily = 'Helvetica' | 'Times' | 'Courier'

export interface TextOp {
  readonly kind: 'text'
  readonly page: number
  readonly x: number
  /** From the top of the page, in points (like reading). */
  readonly y: number
  readonly text: string
  readonly size: number
  readonly bold?: boolean
  readonly align?: 'left' | 'right'
}
export interface RectOp {
  readonly kind: 'rect'
  readonly page: number
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}
export type Op = TextOp | RectOp

/** A layout's output, independent of the PDF writer that realises it. */
export interface Painting {
  readonly pages: number
  readonly family: FontFamily
  readonly ops: Op[]
}

const FONTS: Record<FontFamily, [StandardFonts, StandardFonts]> = {
  Helvetica: [StandardFonts.Helvetica, StandardFonts.HelveticaBold],
  Times: [StandardFonts.TimesRoman, StandardFonts.TimesRomanBold],
  Courier: [StandardFonts.Courier, StandardFonts.CourierBold],
}

export const PAGE_W = 595.28
export const PAGE_H = 841.89

/** Realises a painting with pdf-lib, drawing the ops in the order given (shuffle them for odd reading order). */
export async function renderWithPdfLib(p: Painting, opts: { objectStreams?: boolean; title?: string } = {}): Promise<PDFDocument> {
  const doc = await PDFDocument.create()
  doc.setProducer('chorus-pro-connector test corpus (pdf-lib)')
  if (opts.title) doc.setTitle(opts.title)
  const [reg, bold] = FONTS[p.family]
  const fonts: [PDFFont, PDFFont] = [await doc.embedFont(reg), await doc.embedFont(bold)]
  const pages = Array.from({ length: p.pages }, () => doc.addPage([PAGE_W, PAGE_H]))
  for (const op of p.ops) {
    const page = pages[op.page - 1]!
    if (op.kind === 'rect') {
      page.drawRectangle({ x: op.x, y: PAGE_H - op.y - op.h, width: op.w, height: op.h, borderColor: rgb(0.6, 0.6, 0.6), borderWidth: 0.7 })
      continue
    }
    const font = fonts[op.bold ? 1 : 0]
    const x = op.align === 'right' ? op.x - font.widthOfTextAtSize(op.text, op.size) : op.x
    page.drawText(op.text, { x, y: PAGE_H - op.y, size: op.size, font })
  }
  return doc
}

export async function pdfLibBytes(p: Painting, opts: { objectStreams?: boolean; title?: string } = {}): Promise<Uint8Array> {
  const doc = await renderWithPdfLib(p, opts)
  return doc.save({ useObjectStreams: opts.objectStreams ?? true })
}

/** Deterministic Fisher-Yates with the given random source. */
export function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
  return a
}
