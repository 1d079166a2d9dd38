/**
 * pdfjs (~150 MB once loaded) is imported on the first OCR call, not when the sandbox is mounted: an
 * idle connector in sandbox mode does not carry it (footprint bench, README).
 */
async function getDocument(params: Parameters<typeof import('pdfjs-dist/legacy/build/pdf.mjs').getDocument>[0]) {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
  return pdfjs.getDocument(params)
}

/**
 * The sandbox's own PDF reader (DESIGN.md: it never reuses src/pdf/, so it stays an independent reader
 * as the real platform is). Text items are grouped into lines by their baseline, since pdf-lib output
 * carries no end-of-line marks. Returns null when the bytes are not a readable PDF.
 */
export async function readPdfText(bytes: Uint8Array, maxPages = 5): Promise<string | null> {
  if (bytes.length < 5 || Buffer.from(bytes.subarray(0, 5)).toString('latin1') !== '%PDF-') return null
  let doc
  try {
    doc = await (await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 })).promise
  } catch {
    return null
  }
  try {
    const lines: string[] = []
    for (let p = 1; p <= Math.min(doc.numPages, maxPages); p++) {
      const page = await doc.getPage(p)
      const content = await page.getTextContent()
      const rows = new Map<number, { x: number; s: string }[]>()
      for (const item of content.items) {
        if (!('str' in item) || !item.str.trim()) continue
        const y = Math.round(item.transform[5] as number)
        const x = item.transform[4] as number
        const row = rows.get(y) ?? []
        row.push({ x, s: item.str })
        rows.set(y, row)
      }
      for (const y of [...rows.keys()].sort((a, b) => b - a)) lines.push(rows.get(y)!.sort((a, b) => a.x - b.x).map((r) => r.s).join(' '))
    }
    return lines.join('\n')
  } catch {
    return null
  } finally {
    await doc.destroy()
  }
}

/** Embedded files of a PDF (Factur-X carries factur-x.xml), by name. */
export async function readPdfAttachments(bytes: Uint8Array): Promise<Record<string, Uint8Array> | null> {
  let doc
  try {
    doc = await (await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, verbosity: 0 })).promise
  } catch {
    return null
  }
  try {
    const att = ((await doc.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array }>
    return Object.fromEntries(Object.values(att).map((a) => [a.filename, a.content]))
  } finally {
    await doc.destroy()
  }
}
