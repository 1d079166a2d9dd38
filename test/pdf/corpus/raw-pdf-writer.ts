import type { Painting } from './painting'
import { PAGE_H, PAGE_W } from './painting'

/**
 * A second, independent PDF generator (no pdf-lib): classic xref table, uncompressed content, text
 * positioned with Tm and drawn with TJ arrays that split words and kern them, the way many billing
 * tools and printer drivers write. Right-aligned ops are approximated (no font metrics here).
 */
export function rawPdfBytes(p: Painting): Uint8Array {
  const base = p.family === 'Times' ? 'Times-Roman' : p.family === 'Courier' ? 'Courier' : 'Helvetica'
  const boldName = p.family === 'Times' ? 'Times-Bold' : p.family === 'Courier' ? 'Courier-Bold' : 'Helvetica-Bold'
  const objects: string[] = []
  const add = (s: string) => objects.push(s) // object number = index + 1
  add('<< /Type /Catalog /Pages 2 0 R >>')
  add('') // pages, filled later
  add(`<< /Type /Font /Subtype /Type1 /BaseFont /${base} /Encoding /WinAnsiEncoding >>`)
  add(`<< /Type /Font /Subtype /Type1 /BaseFont /${boldName} /Encoding /WinAnsiEncoding >>`)
  const kids: number[] = []
  for (let page = 1; page <= p.pages; page++) {
    const parts: string[] = []
    for (const op of p.ops) {
      if (op.page !== page) continue
      if (op.kind === 'rect') {
        parts.push(`0.5 w ${op.x.toFixed(2)} ${(PAGE_H - op.y - op.h).toFixed(2)} ${op.w.toFixed(2)} ${op.h.toFixed(2)} re S`)
        continue
      }
      const approxWidth = op.text.length * op.size * (p.family === 'Courier' ? 0.6 : 0.5)
      const x = op.align === 'right' ? op.x - approxWidth : op.x
      // Split into words and kern between them: the text is only reassembled by position.
      const words = op.text.split(' ')
      const tj = words.map((w, i) => `(${escapePdf(w + (i < words.length - 1 ? ' ' : ''))})${i < words.length - 1 ? ' -15' : ''}`).join(' ')
      parts.push(`BT /F${op.bold ? 2 : 1} ${op.size} Tf 1 0 0 1 ${x.toFixed(2)} ${(PAGE_H - op.y).toFixed(2)} Tm [${tj}] TJ ET`)
    }
    const content = latin1(parts.join('\n'))
    add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`)
    const contentNum = objects.length
    add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${contentNum} 0 R >>`)
    kids.push(objects.length)
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info << /Producer (raw-pdf-writer) >> >>\nstartxref\n${xref}\n%%EOF\n`
  return Uint8Array.from(out, (c) => c.charCodeAt(0) & 0xff)
}

/** WinAnsi: Latin-1 plus the euro sign at 0x80. */
function latin1(s: string): string {
  return s.replace(/€/g, '\x80').replace(/[’]/g, "'").replace(/[–]/g, '-')
}

function escapePdf(s: string): string {
  return s.replace(/[\\()]/g, (c) => '\\' + c)
}
