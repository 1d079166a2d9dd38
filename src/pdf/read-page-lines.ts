import type { PDFPageProxy } from 'pdfjs-dist/types/src/display/api'

/** A run of text on one line, separated from its neighbours by a visible gap (a table cell, a column). */
export interface TextCell {
  readonly x: number
  readonly x2: number
  readonly text: string
  readonly size: number
}

/** A printed line: cells left to right. `y` grows downwards from the top of the page, in points. */
export interface TextLine {
  readonly page: number
  readonly y: number
  readonly cells: readonly TextCell[]
  /** The cells joined by a tab, so a label and its value in two columns stay apart. */
  readonly text: string
}

interface Item {
  x: number
  x2: number
  y: number
  size: number
  str: string
}

/**
 * Rebuilds lines from positioned text items. pdf-parse 2 returns items in content-stream order,
 * which is the generator's drawing order, not the reading order (a footer drawn first, a total drawn
 * before its label); sorting by position is what makes labels and values meet again.
 */
export async function readPageLines(page: PDFPageProxy, pageNumber: number): Promise<TextLine[]> {
  const [, , , top] = page.view as [number, number, number, number]
  const content = await page.getTextContent()
  const items: Item[] = []
  for (const it of content.items) {
    if (!('str' in it) || !it.str.trim()) continue
    const [, , c, d, e, f] = it.transform as number[]
    const size = Math.hypot(c!, d!) || it.height || 10
    items.push({ x: e!, x2: e! + it.width, y: top - f!, size, str: it.str })
  }
  return linesOf(items, pageNumber)
}

export function linesOf(items: Item[], pageNumber: number): TextLine[] {
  items.sort((a, b) => a.y - b.y || a.x - b.x)
  const rows: Item[][] = []
  for (const it of items) {
    const row = rows[rows.length - 1]
    const tolerance = Math.max(2, 0.4 * it.size)
    if (row && Math.abs(row[0]!.y - it.y) <= tolerance) row.push(it)
    else rows.push([it])
  }
  return rows.map((row) => {
    row.sort((a, b) => a.x - b.x)
    const cells: TextCell[] = []
    let cur: { x: number; x2: number; text: string; size: number } | null = null
    for (const it of row) {
      const gap = cur ? it.x - cur.x2 : Infinity
      if (cur && gap < 1.2 * it.size) {
        const glue = gap > 0.15 * it.size && !cur.text.endsWith(' ') && !it.str.startsWith(' ') ? ' ' : ''
        cur.text += glue + it.str
        cur.x2 = Math.max(cur.x2, it.x2)
      } else {
        if (cur) cells.push(finish(cur))
        cur = { x: it.x, x2: it.x2, text: it.str, size: it.size }
      }
    }
    if (cur) cells.push(finish(cur))
    return { page: pageNumber, y: row[0]!.y, cells, text: cells.map((c) => c.text).join('\t') }
  })
}

function finish(c: { x: number; x2: number; text: string; size: number }): TextCell {
  return { x: c.x, x2: c.x2, size: c.size, text: c.text.normalize('NFC').replace(/\s+/g, ' ').trim() }
}
