/**
 * Worker-thread entry: analyses one PDF per message, so pdfjs's CPU-bound parsing never blocks the
 * service's event loop. Imports pdfjs before announcing itself ready, so the pool's per-document
 * time limit measures the document, not the warm-up.
 */
import { parentPort } from 'node:worker_threads'
import { analysePdfLocally, loadPdfjs, type AnalysePdfOptions } from './analyse-pdf-locally'
import { PdfAnalysisError } from './pdf-analysis-error'
import { lowerThreadPriority } from './lower-thread-priority'

export interface WorkerRequest {
  readonly id: number
  readonly bytes: Uint8Array
  readonly opts: AnalysePdfOptions
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly result: unknown }
  | { readonly type: 'failed'; readonly id: number; readonly code: string; readonly details?: Record<string, unknown> }

const port = parentPort
if (!port) throw new Error('pdf-worker must run in a worker thread')

// Reading PDFs is background work: the service's requests get the CPU first.
lowerThreadPriority()

port.on('message', async (req: WorkerRequest) => {
  try {
    const result = await analysePdfLocally(req.bytes, req.opts)
    port.postMessage({ type: 'done', id: req.id, result } satisfies WorkerMessage)
  } catch (e) {
    const msg: WorkerMessage =
      e instanceof PdfAnalysisError
        ? { type: 'failed', id: req.id, code: e.code, details: e.details }
        : { type: 'failed', id: req.id, code: 'pdf_worker_failed', details: { message: String((e as Error)?.message ?? e).slice(0, 300) } }
    port.postMessage(msg)
  }
})

await loadPdfjs()
port.postMessage({ type: 'ready' } satisfies WorkerMessage)
