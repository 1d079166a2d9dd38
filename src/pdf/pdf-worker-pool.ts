import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { AnalysePdfOptions, LocalPdfAnalysis } from './analyse-pdf-locally'
import { PdfAnalysisError, isPdfErrorCode } from './pdf-analysis-error'
import type { WorkerMessage, WorkerRequest } from './pdf-worker'

export interface PdfWorkerPoolOptions {
  /**
   * Worker threads at most; default: one on a machine of one or two cores (the other core keeps the API
   * answering: /health stalled for seconds with two readers on two cores), else cores − 1, up to 4.
   */
  readonly size?: number
  /** A worker with nothing to read for this long is stopped (its pdfjs and heap go back to the OS); started again on demand. */
  readonly idleMs?: number
  /** Per-document limit, from the moment a worker takes it; the worker is then terminated and replaced. */
  readonly timeoutMs?: number
  /** V8 heap bound per worker (resourceLimits.maxOldGenerationSizeMb). */
  readonly maxMemoryMb?: number
  /** Defaults for every document (e.g. maxPages). */
  readonly analysis?: AnalysePdfOptions
}

export interface PdfWorkerPoolStats {
  readonly size: number
  readonly busy: number
  readonly queued: number
  /** Workers replaced after a timeout, a memory overflow or a crash. */
  readonly replaced: number
}

interface Job {
  readonly id: number
  readonly bytes: Uint8Array
  readonly opts: AnalysePdfOptions
  readonly resolve: (r: LocalPdfAnalysis) => void
  readonly reject: (e: unknown) => void
}

interface Slot {
  worker: Worker
  ready: boolean
  job: Job | null
  timer: NodeJS.Timeout | null
  idle: NodeJS.Timeout | null
  /** Set when we end the worker ourselves, so its exit is not mistaken for a crash. */
  retiring: boolean
}

export const DEFAULT_TIMEOUT_MS = 20_000
export const DEFAULT_MAX_MEMORY_MB = 512
export const DEFAULT_IDLE_MS = 30_000

function defaultSize(): number {
  const cores = availableParallelism()
  return cores <= 2 ? 1 : Math.min(4, cores - 1)
}
const MAX_START_FAILURES = 3

/**
 * Runs analysePdfLocally in worker threads. One document per worker at a time; a document that takes
 * too long or exhausts the worker's heap fails alone with a clear error, and its worker is replaced,
 * so a hostile or broken PDF never takes the pool (or the API) down.
 *
 * Works from TypeScript sources under tsx (`npm start`) and vitest: a small .mjs bootstrap registers
 * tsx inside the worker and imports the .ts worker (`execArgv: ['--import', 'tsx']` does not reach a
 * worker's entry on Node 20); a compiled build (.js) starts the .js sibling directly.
 */
export class PdfWorkerPool {
  readonly size: number
  private readonly timeoutMs: number
  private readonly maxMemoryMb: number
  private readonly defaults: AnalysePdfOptions
  private readonly idleMs: number
  private readonly slots: Slot[] = []
  private readonly queue: Job[] = []
  private nextId = 1
  private replaced = 0
  private startFailures = 0
  private closed = false
  private readyWaiters: Array<() => void> = []

  constructor(opts: PdfWorkerPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? defaultSize())
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.maxMemoryMb = opts.maxMemoryMb ?? DEFAULT_MAX_MEMORY_MB
    this.defaults = opts.analysis ?? {}
    this.idleMs = opts.idleMs ?? DEFAULT_IDLE_MS
    // No worker until there is something to read: an idle connector carries no PDF reader.
  }

  /** Analyses one PDF off the event loop. Rejects with PdfAnalysisError (including pdf_timeout, pdf_out_of_memory). */
  analyse(bytes: Uint8Array, opts: AnalysePdfOptions = {}): Promise<LocalPdfAnalysis> {
    if (this.closed) return Promise.reject(new PdfAnalysisError('pdf_worker_failed', { reason: 'pool closed' }))
    return new Promise<LocalPdfAnalysis>((resolve, reject) => {
      // A copy the worker can own (transferred, not cloned): the caller keeps its bytes intact.
      const copy = new Uint8Array(bytes)
      this.queue.push({ id: this.nextId++, bytes: copy, opts: { ...this.defaults, ...opts }, resolve, reject })
      this.dispatch()
    })
  }

  /** Starts every worker and resolves once each has loaded pdfjs (so the first documents are not slowed by start-up). */
  async warmUp(): Promise<void> {
    while (!this.closed && this.slots.length < this.size) this.slots.push(this.spawn())
    while (!this.closed && this.slots.some((s) => !s.ready && !s.retiring)) {
      // Idle workers do not keep the process alive (unref); one being waited for must.
      for (const s of this.slots) if (!s.ready) s.worker.ref()
      await new Promise<void>((r) => this.readyWaiters.push(r))
    }
  }

  stats(): PdfWorkerPoolStats {
    return { size: this.slots.filter((s) => !s.retiring).length, busy: this.slots.filter((s) => s.job).length, queued: this.queue.length, replaced: this.replaced }
  }

  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.reject(new PdfAnalysisError('pdf_worker_failed', { reason: 'pool closed' }))
    await Promise.all(
      this.slots.map((s) => {
        s.retiring = true
        if (s.timer) clearTimeout(s.timer)
        if (s.idle) clearTimeout(s.idle)
        s.job?.reject(new PdfAnalysisError('pdf_worker_failed', { reason: 'pool closed' }))
        s.job = null
        return s.worker.terminate()
      }),
    )
    this.readyWaiters.splice(0).forEach((r) => r())
  }

  private spawn(): Slot {
    const isTs = import.meta.url.endsWith('.ts')
    const entry = new URL(isTs ? './pdf-worker.ts' : './pdf-worker.js', import.meta.url)
    const worker = new Worker(isTs ? new URL('../worker-bootstrap.mjs', import.meta.url) : entry, {
      // pdfjs loaded before the TypeScript loader when tests run the sources (src/worker-bootstrap.mjs).
      workerData: { entry: entry.href, preload: ['pdfjs-dist/legacy/build/pdf.mjs', 'pdfjs-dist/legacy/build/pdf.worker.mjs'] },
      resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb, maxYoungGenerationSizeMb: Math.min(64, this.maxMemoryMb / 4) },
      stdout: false,
      stderr: false,
    })
    const slot: Slot = { worker, ready: false, job: null, timer: null, idle: null, retiring: false }
    worker.unref()
    worker.on('message', (m: WorkerMessage) => this.onMessage(slot, m))
    worker.on('error', (err: Error & { code?: string }) => {
      const code = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'pdf_out_of_memory' : 'pdf_worker_failed'
      this.fail(slot, new PdfAnalysisError(code, { message: err.message.slice(0, 300) }))
    })
    worker.on('exit', () => {
      if (!slot.retiring) this.fail(slot, new PdfAnalysisError('pdf_worker_failed', { reason: 'worker exited' }))
    })
    return slot
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    if (m.type === 'ready') {
      slot.ready = true
      slot.worker.unref()
      this.startFailures = 0
      if (this.slots.every((s) => s.ready || s.retiring)) this.readyWaiters.splice(0).forEach((r) => r())
      this.dispatch()
      return
    }
    const job = slot.job
    if (!job || job.id !== m.id) return
    if (slot.timer) clearTimeout(slot.timer)
    slot.job = null
    slot.timer = null
    slot.worker.unref()
    if (m.type === 'done') job.resolve(m.result as LocalPdfAnalysis)
    else job.reject(new PdfAnalysisError(isPdfErrorCode(m.code) ? m.code : 'pdf_worker_failed', m.details))
    this.dispatch()
    if (!slot.job) this.retireWhenIdle(slot)
  }

  /** Stops a worker that stays without work for idleMs; the next document starts a new one. */
  private retireWhenIdle(slot: Slot): void {
    if (slot.idle) clearTimeout(slot.idle)
    slot.idle = setTimeout(() => {
      slot.idle = null
      if (slot.job || slot.retiring || this.closed) return
      slot.retiring = true
      const i = this.slots.indexOf(slot)
      if (i >= 0) this.slots.splice(i, 1)
      void slot.worker.terminate()
    }, this.idleMs)
    slot.idle.unref()
  }

  /** Fails the slot's document (if any) and puts a fresh worker in its place. */
  private fail(slot: Slot, error: PdfAnalysisError): void {
    if (slot.retiring) return
    slot.retiring = true
    if (slot.timer) clearTimeout(slot.timer)
    if (slot.idle) clearTimeout(slot.idle)
    const job = slot.job
    slot.job = null
    if (job) job.reject(error)
    void slot.worker.terminate()
    if (!slot.ready) this.startFailures++
    const i = this.slots.indexOf(slot)
    if (i < 0 || this.closed) return
    this.replaced++
    if (this.startFailures >= MAX_START_FAILURES * this.size) {
      // Workers cannot even start (e.g. tsx missing): fail fast rather than loop.
      for (const q of this.queue.splice(0)) q.reject(new PdfAnalysisError('pdf_worker_failed', { reason: 'workers fail to start', message: error.details?.message }))
      this.slots.splice(i, 1, { ...slot, retiring: true })
      this.readyWaiters.splice(0).forEach((r) => r())
      return
    }
    // Replaced when there is work: a fresh worker, never one whose heap a hostile document filled.
    this.slots.splice(i, 1)
    this.dispatch()
  }

  private dispatch(): void {
    // Start workers for waiting documents, up to the pool's size.
    const free = this.slots.filter((s) => !s.retiring && !s.job).length
    for (let n = Math.min(this.queue.length - free, this.size - this.slots.filter((s) => !s.retiring).length); n > 0; n--) this.slots.push(this.spawn())
    for (const slot of this.slots) {
      if (!this.queue.length) return
      if (!slot.ready || slot.job || slot.retiring) {
        // A queued document waits for this worker to start: keep the process alive meanwhile.
        if (!slot.ready && !slot.retiring) slot.worker.ref()
        continue
      }
      const job = this.queue.shift()!
      if (slot.idle) clearTimeout(slot.idle)
      slot.idle = null
      slot.job = job
      slot.worker.ref()
      slot.timer = setTimeout(() => this.fail(slot, new PdfAnalysisError('pdf_timeout', { timeoutMs: this.timeoutMs })), this.timeoutMs)
      const req: WorkerRequest = { id: job.id, bytes: job.bytes, opts: job.opts }
      slot.worker.postMessage(req, [job.bytes.buffer as ArrayBuffer])
    }
  }
}
