import { pgliteExtensions } from '../../src/db/database'
import { readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'
import { Kysely, PostgresDialect } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import Cursor from 'pg-cursor'
import type { DB } from '../../src/db/schema'
import type { Engine, OpenedDatabase } from '../../src/db/database'

export interface TestEngine {
  readonly name: Engine
  /** A fresh, migrated database of its own. */
  open(): Promise<TestDatabase>
}

export interface TestDatabase extends OpenedDatabase {
  /** For PostgreSQL: the URL of this database, so child processes can reach it. */
  readonly url: string | undefined
}

let templateBlob: Blob | undefined

async function openPglite(): Promise<TestDatabase> {
  const { PGlite, types } = await import('@electric-sql/pglite')
  templateBlob ??= new Blob([readFileSync(inject('pgliteTemplate'))])
  const identity = (v: string) => v
  const pglite = await PGlite.create('memory://', {
    loadDataDir: templateBlob,
    parsers: { [types.INT8]: identity, [types.NUMERIC]: identity, [types.DATE]: identity },
    extensions: await pgliteExtensions(),
  })
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) })
  return { db, engine: 'pglite', url: undefined, close: async () => { await db.destroy(); if (!pglite.closed) await pglite.close() } }
}

async function openPostgres(baseUrl: string): Promise<TestDatabase> {
  const name = `chorus_t_${inject('runPid')}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  // CREATE DATABASE … TEMPLATE fails while another session is connected to the template; retry briefly.
  for (let i = 0; ; i++) {
    try {
      await admin.query(`create database "${name}" template "${inject('pgTemplate')}"`)
      break
    } catch (e) {
      if (i > 50) throw e
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  await admin.end()
  const u = new URL(baseUrl)
  u.pathname = `/${name}`
  const url = u.toString()
  const identity = (v: string) => v
  const types = {
    getTypeParser(oid: number, format?: any) {
      if (oid === 20 || oid === 1700 || oid === 1082) return identity
      return pg.types.getTypeParser(oid, format)
    },
  }
  const pool = new pg.Pool({ connectionString: url, max: 10, types: types as any })
  pool.on('error', () => {})
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) })
  return {
    db,
    engine: 'postgres',
    url,
    close: async () => {
      await db.destroy()
      const a = new pg.Client({ connectionString: baseUrl })
      await a.connect()
      await a.query(`drop database if exists "${name}" with (force)`).catch(() => {})
      await a.end()
    },
  }
}

/**
 * The engines every database test runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set
 * (CI sets it). Use with `describe.each(testEngines())('… on $name', (engine) => …)`.
 */
export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [{ name: 'pglite', open: openPglite }]
  const url = process.env.TEST_DATABASE_URL
  if (url) engines.push({ name: 'postgres', open: () => openPostgres(url) })
  return engines
}

export function postgresUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL
}
