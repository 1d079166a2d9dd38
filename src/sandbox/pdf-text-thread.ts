import { Worker } from 'node:worker_threads'
import type { PdfTextReply, PdfTextRequest } from './pdf-text-worker'

/** A thread nobody used for this long stops; the next PDF starts it again (~100 ms), so an idle sandbox carries no pdfjs. */
const IDLE_MS = 30_000
/** One PDF's limit: past it the thread is stopped and the PDF reads as unreadable, as Chorus Pro's OCR gives up. */
const READ_TIMEOUT_MS = 20_000

/** A request before it gets its id (Omit applied to each member of the union). */
type Question = PdfTextRequest extends infer R ? (R extends PdfTextRequest ? Omit<R, 'id'> : never) : never

type Pending = { readonly question: Question; readonly resolve: (r: PdfTextReply | null) => void; timer?: NodeJS.Timeout }

let worker: Worker | undefined
let idle: NodeJS.Timeout | undefined
let nextId = 1
const pending = new Map<number, Pending>()

/** Stops the thread on purpose (idle, a PDF over its limit, the sandbox closing): its exit is not a crash. */
function retire(w: Worker): void {
  if (worker === w) worker = undefined
  void w.terminate()
}

/** Answers every PDF still waiting as unreadable. */
function giveUpAll(): void {
  for (const [id, p] of pending) {
    clearTimeout(p.timer)
    pending.delete(id)
    p.resolve(null)
  }
}

function thread(): Worker {
  if (worker) return worker
  const isTs = import.meta.url.endsWith('.ts')
  const entry = new URL(isTs ? './pdf-text-worker.ts' : './pdf-text-worker.js', import.meta.url)
  const w = new Worker(isTs ? new URL('../worker-bootstrap.mjs', import.meta.url) : entry, {
    // pdfjs loaded before the TypeScript loader when tests run the sources (src/worker-bootstrap.mjs).
    workerData: { entry: entry.href, preload: ['pdfjs-dist/legacy/build/pdf.mjs', 'pdfjs-dist/legacy/build/pdf.worker.mjs'] },
    resourceLimits: { maxOldGenerationSizeMb: 256 },
    stdout: false,
    stderr: false,
  })
  w.on('message', (r: PdfTextReply) => {
    const p = pending.get(r.id)
    if (!p) return
    pending.delete(r.id)
    clearTimeout(p.timer)
    p.resolve(r)
    if (!pending.size) retireWhenIdle(w)
  })
  // A crash or a memory overflow: which PDF caused it is unknown, so what was in flight reads as
  // unreadable (sent again, a PDF that kills the reader would kill it forever); the next PDF starts a new thread.
  const crashed = () => {
    if (worker !== w) return
    worker = undefined
    giveUpAll()
  }
  w.on('error', crashed)
  w.on('exit', crashed)
  worker = w
  return w
}

function retireWhenIdle(w: Worker): void {
  if (idle) clearTimeout(idle)
  w.unref()
  idle = setTimeout(() => {
    idle = undefined
    if (worker === w && !pending.size) retire(w)
  }, IDLE_MS)
  idle.unref()
}

/** Sends a waiting PDF to the thread (a new one if needed), with its own time limit from now. */
function dispatch(id: number): void {
  const p = pending.get(id)
  if (!p) return
  const w = thread()
  if (idle) clearTimeout(idle)
  w.ref()
  clearTimeout(p.timer)
  p.timer = setTimeout(() => overLimit(id, w), READ_TIMEOUT_MS)
  // A copy crosses to the thread: the caller's bytes stay intact.
  w.postMessage({ ...p.question, id } satisfies PdfTextRequest)
}

/** One PDF went past its limit: it reads as unreadable, its thread is stopped, the others in flight go to a fresh one. */
function overLimit(id: number, w: Worker): void {
  const p = pending.get(id)
  if (!p) return
  pending.delete(id)
  p.resolve(null)
  retire(w)
  for (const other of [...pending.keys()]) dispatch(other)
}

function ask(question: Question): Promise<PdfTextReply | null> {
  const id = nextId++
  return new Promise((resolve) => {
    pending.set(id, { question, resolve })
    dispatch(id)
  })
}

/** The text of a PDF's first pages, read off the main thread (see pdf-text.ts for how); null when unreadable. */
export async function readPdfText(bytes: Uint8Array, maxPages = 5): Promise<string | null> {
  const r = await ask({ op: 'text', bytes, maxPages })
  return r && 'text' in r ? r.text : null
}

/** A PDF's embedded files by name, read off the main thread; null when unreadable. */
export async function readPdfAttachments(bytes: Uint8Array): Promise<Record<string, Uint8Array> | null> {
  const r = await ask({ op: 'attachments', bytes })
  return r && 'attachments' in r ? r.attachments : null
}
