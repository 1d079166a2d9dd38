import { existsSync, mkdirSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { Kysely, PostgresDialect } from 'kysely'
import type { CustomTypesConfig } from 'pg'
import type { DB } from './schema'
import { createCopyOut, type CopyOut } from './copy-out'
import { startPgliteThread } from './pglite-thread'
import { PgliteThreadDialect } from './pglite-thread-dialect'

export type Database = Kysely<DB>
export type Engine = 'pglite' | 'postgres'

export interface OpenedDatabase {
  readonly db: Database
  readonly engine: Engine
  /** PostgreSQL's bulk output (COPY TO STDOUT), for exports; absent on PGlite. */
  readonly copyOut?: CopyOut
  /** Closes the pool or the embedded database. */
  close(): Promise<void>
}

const pgTypeParsers = {
  // Dates of invoices are calendar dates: keep `YYYY-MM-DD`, never a JS Date shifted by a time zone.
  DATE: 1082,
  INT8: 20,
  NUMERIC: 1700,
} as const

/**
 * Opens real PostgreSQL when a URL is given, else an embedded PGlite database in `dir`
 * (or in memory when `dir` is `memory://`). Both return int8, numeric and date as strings.
 */
export async function openDatabase(opts: { url?: string | undefined; dir?: string; poolSize?: number }): Promise<OpenedDatabase> {
  if (opts.url) {
    const { default: pg } = await import('pg')
    const { default: Cursor } = await import('pg-cursor')
    const identity = (v: string) => v
    const types: CustomTypesConfig = {
      getTypeParser(oid, format) {
        if (oid === pgTypeParsers.DATE || oid === pgTypeParsers.INT8 || oid === pgTypeParsers.NUMERIC) return identity
        return pg.types.getTypeParser(oid, format)
      },
    }
    // A connection that cannot be made within 5 s fails (503 on the API) instead of holding the request open.
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10, types, connectionTimeoutMillis: 5000 })
    // An idle client's error (server restart, network cut) must not crash the process; the next query reports it.
    pool.on('error', () => {})
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) })
    return { db, engine: 'postgres', copyOut: await createCopyOut(pool), close: () => db.destroy() }
  }
  const dir = opts.dir ?? 'memory://'
  if (!dir.startsWith('memory://')) {
    mkdirSync(dirname(dir), { recursive: true })
    // PGlite runs initdb in a second WebAssembly instance whose memory (~430 MB) a process never gets
    // back: on a first start it runs in a short-lived child process instead, and the thread only resumes.
    if (!existsSync(join(dir, 'PG_VERSION'))) await initPgliteInChild(dir)
  }
  // In a thread of its own: its queries run synchronously in WebAssembly and held the event loop.
  const pglite = await startPgliteThread(dir, PGLITE_MEMORY_PARAMS)
  const db = new Kysely<DB>({ dialect: new PgliteThreadDialect(pglite) })
  return {
    db,
    engine: 'pglite',
    close: async () => {
      await db.destroy()
      if (!pglite.closed) await pglite.close()
    },
  }
}

/**
 * PostgreSQL's defaults are for a server of its own (128 MB of shared buffers); beside a document portal
 * the embedded database keeps a few MB and lets the OS cache the files (footprint bench, README).
 */
const PGLITE_MEMORY_PARAMS = ['-c', 'shared_buffers=16MB', '-c', 'work_mem=4MB', '-c', 'maintenance_work_mem=16MB', '-c', 'temp_buffers=2MB']

/** The PostgreSQL extensions the migrations use (pg_trgm for the tracking search), loaded into PGlite. */
export async function pgliteExtensions() {
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm')
  return { pg_trgm }
}

/** Creates a PGlite data directory in a child process that exits when done (see openDatabase). */
async function initPgliteInChild(dir: string): Promise<void> {
  const pgliteUrl = import.meta.resolve('@electric-sql/pglite')
  const code = `const { PGlite } = await import(${JSON.stringify(pgliteUrl)}); const db = await PGlite.create(process.argv[1]); await db.close()`
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code, dir], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`creating the embedded database in ${dir} failed: ${stderr.trim().slice(0, 500)}`))))
  })
}
