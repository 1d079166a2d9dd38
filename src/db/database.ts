import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Kysely, PostgresDialect } from 'kysely'
import type { CustomTypesConfig } from 'pg'
import type { DB } from './schema'
import { createCopyOut, type CopyOut } from './copy-out'

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
  const { PGlite, types } = await import('@electric-sql/pglite')
  const { PGliteDialect } = await import('kysely-pglite-dialect')
  const dir = opts.dir ?? 'memory://'
  if (!dir.startsWith('memory://')) mkdirSync(dirname(dir), { recursive: true })
  const identity = (v: string) => v
  const pglite = await PGlite.create(dir, {
    parsers: { [types.INT8]: identity, [types.NUMERIC]: identity, [types.DATE]: identity },
  })
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) })
  return {
    db,
    engine: 'pglite',
    close: async () => {
      await db.destroy()
      if (!pglite.closed) await pglite.close()
    },
  }
}
