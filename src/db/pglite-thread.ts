import { Worker } from 'node:worker_threads'
import type { PgliteReply, PgliteRequest } from './pglite-worker'

/** What the dialect (pglite-thread-dialect.ts) uses of PGlite, served by the database thread. */
export interface PgliteThread {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number }>
  close(): Promise<void>
  readonly closed: boolean
}

function rebuilt(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'database error')), fields)
}

/**
 * Starts PGlite on `dir` in a worker thread and answers once it is open. Queries keep their order (one
 * connection, as in-process PGlite); rows and parameters cross by structured clone (Dates, bytes kept).
 */
export function startPgliteThread(dir: string, startParams: readonly string[]): Promise<PgliteThread> {
  const isTs = import.meta.url.endsWith('.ts')
  const entry = new URL(isTs ? './pglite-worker.ts' : './pglite-worker.js', import.meta.url)
  const worker = new Worker(isTs ? new URL('../worker-bootstrap.mjs', import.meta.url) : entry, { workerData: { entry: entry.href, dir, startParams: [...startParams] } })
  const pending = new Map<number, { resolve: (r: PgliteReply) => void; reject: (e: Error) => void }>()
  let nextId = 1
  let closed = false
  let dead: Error | undefined

  const send = (req: PgliteRequest) =>
    new Promise<PgliteReply>((resolve, reject) => {
      if (dead) return reject(dead)
      pending.set(req.id, { resolve, reject })
      worker.postMessage(req)
    })

  return new Promise((resolveStart, rejectStart) => {
    let started = false
    worker.on('message', (m: PgliteReply) => {
      if (m.type === 'ready') {
        started = true
        resolveStart({
          get closed() { return closed },
          async query(sql, params = []) {
            const r = await send({ type: 'query', id: nextId++, sql, params })
            if (r.type === 'error') throw rebuilt(r.error)
            if (r.type !== 'result') throw new Error(`unexpected answer from the database thread: ${r.type}`)
            return { rows: r.rows, affectedRows: r.affectedRows }
          },
          async close() {
            if (closed) return
            closed = true
            if (!dead) await send({ type: 'close', id: nextId++ }).catch(() => {})
            await worker.terminate()
          },
        })
        return
      }
      if (m.type === 'failed') {
        dead = rebuilt(m.error)
        if (!started) rejectStart(dead)
        return
      }
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      p.resolve(m)
    })
    worker.on('error', (e) => {
      dead = e
      if (!started) rejectStart(e)
    })
    worker.on('exit', (code) => {
      dead ??= new Error(`the embedded database thread stopped (exit ${code})`)
      for (const p of pending.values()) p.reject(dead)
      pending.clear()
      if (!started) rejectStart(dead)
    })
  })
}
