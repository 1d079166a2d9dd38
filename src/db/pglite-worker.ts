/**
 * The embedded database's thread: PGlite (PostgreSQL in WebAssembly) runs here, so its queries, which
 * run synchronously inside the WebAssembly instance, never hold the service's event loop (with PGlite in
 * the main thread, /health took up to 2.9 s during a burst of uploads: footprint bench, README).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite, types } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'

export type PgliteRequest =
  | { readonly type: 'query'; readonly id: number; readonly sql: string; readonly params: readonly unknown[] }
  | { readonly type: 'close'; readonly id: number }

export type PgliteReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly rows: unknown[]; readonly affectedRows: number | undefined }
  | { readonly type: 'error'; readonly id: number; readonly error: Record<string, unknown> }
  | { readonly type: 'closed'; readonly id: number }
  | { readonly type: 'failed'; readonly error: Record<string, unknown> }

const port = parentPort!
const { dir, startParams } = workerData as { dir: string; startParams: string[] }

/** What the main thread needs of an error: message, name and PostgreSQL's fields (code, detail, constraint…). */
function plain(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) }
  const out: Record<string, unknown> = { message: e.message, name: e.name }
  for (const [k, v] of Object.entries(e)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v
  return out
}

try {
  const identity = (v: string) => v
  const db = await PGlite.create(dir, {
    parsers: { [types.INT8]: identity, [types.NUMERIC]: identity, [types.DATE]: identity },
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...startParams],
  })
  port.on('message', (m: PgliteRequest) => {
    if (m.type === 'query') {
      db.query(m.sql, [...m.params]).then(
        (r) => port.postMessage({ type: 'result', id: m.id, rows: r.rows, affectedRows: r.affectedRows } satisfies PgliteReply),
        (e: unknown) => port.postMessage({ type: 'error', id: m.id, error: plain(e) } satisfies PgliteReply),
      )
    } else if (m.type === 'close') {
      void db.close().finally(() => port.postMessage({ type: 'closed', id: m.id } satisfies PgliteReply))
    }
  })
  port.postMessage({ type: 'ready' } satisfies PgliteReply)
} catch (e) {
  port.postMessage({ type: 'failed', error: plain(e) } satisfies PgliteReply)
}
