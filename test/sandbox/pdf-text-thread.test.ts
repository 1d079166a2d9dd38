import { describe, expect, it } from 'vitest'
import { readPdfAttachments, readPdfText } from '../../src/sandbox/pdf-text-thread'
import { textPdf } from '../chorus/sandbox-harness'

describe('the sandbox’s PDF reader thread', () => {
  it('answers each of several PDFs read at once with its own text, and a file that is not a PDF as unreadable', async () => {
    const pdfs = await Promise.all(Array.from({ length: 6 }, (_, i) => textPdf([`Facture F-THREAD-${i}`, `Total ${i}0,00 EUR`])))
    const [texts, notPdf, attachments] = await Promise.all([
      Promise.all(pdfs.map((p) => readPdfText(p))),
      readPdfText(new TextEncoder().encode('%PDF-1.7 but nothing after')),
      readPdfAttachments(pdfs[0]!),
    ])
    texts.forEach((t, i) => expect(t).toContain(`Facture F-THREAD-${i}`))
    expect(notPdf).toBeNull()
    expect(attachments).toEqual({})
    // The caller's bytes are copied, not moved: still readable here.
    expect(pdfs[0]!.byteLength).toBeGreaterThan(100)
  }, 30_000)
})
