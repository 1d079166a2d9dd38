/**
 * The sandbox's PDF reader thread: pdfjs parses synchronously for 50–150 ms per invoice, and in the
 * service's main thread those parses held every upload and /health during a burst (footprint bench,
 * README). Here they run beside it; see pdf-text-thread.ts for the main thread's side.
 */
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import { readPdfAttachments, readPdfText } from './pdf-text'

export type PdfTextRequest =
  | { readonly id: number; readonly op: 'text'; readonly bytes: Uint8Array; readonly maxPages: number }
  | { readonly id: number; readonly op: 'attachments'; readonly bytes: Uint8Array }

export type PdfTextReply =
  | { readonly id: number; readonly text: string | null }
  | { readonly id: number; readonly attachments: Record<string, Uint8Array> | null }

const port = parentPort!

// The sandbox stands for a remote platform: its OCR must not take the CPU from the service it serves.
// Nice 10 for this thread only (Linux: a thread's id from /proc/thread-self); the sandbox keeps its own
// copy of src/pdf/lower-thread-priority.ts, as it keeps its own PDF reader (sandbox-is-independent).
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10)
} catch {
  // Not Linux, or not allowed: default priority.
}
port.on('message', (m: PdfTextRequest) => {
  const work: Promise<PdfTextReply> =
    m.op === 'text'
      ? readPdfText(m.bytes, m.maxPages).then((text) => ({ id: m.id, text }))
      : readPdfAttachments(m.bytes).then((attachments) => ({ id: m.id, attachments }))
  // A reader that throws answers "unreadable" (null), as readPdfText does for a bad PDF.
  void work.catch(() => (m.op === 'text' ? { id: m.id, text: null } : { id: m.id, attachments: null })).then((r) => port.postMessage(r))
})
