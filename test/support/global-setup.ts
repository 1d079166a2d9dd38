import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { PGlite, types } from '@electric-sql/pglite'
import { Kysely, sql } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import { migrateToLatest } from '../../src/db/migrate'
import { pgliteExtensions } from '../../src/db/database'

/**
 * Migrates one template per engine, once per run: a PGlite data-dir dump (loading it takes ~0.6 s
 * where creating and migrating takes ~3 s) and, with TEST_DATABASE_URL, a PostgreSQL template database
 * that each test file copies with CREATE DATABASE … TEMPLATE (~0.1 s).
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'chorus-test-'))
  const pglite = await PGlite.create('memory://', { parsers: { [types.INT8]: (v: string) => v }, extensions: await pgliteExtensions() })
  const db = new Kysely<any>({ dialect: new PGliteDialect(pglite) })
  await migrateToLatest(db)
  const dump = await pglite.dumpDataDir('none')
  const templatePath = join(dir, 'pglite-template.tar')
  writeFileSync(templatePath, Buffer.from(await dump.arrayBuffer()))
  await db.destroy()
  project.provide('pgliteTemplate', templatePath)

  const url = process.env.TEST_DATABASE_URL
  let templateName = ''
  if (url) {
    templateName = `chorus_tpl_${process.pid}_run`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    // Leftovers of runs killed before their teardown; databases of runs still going (another
    // terminal, another engineer) are left alone: their names carry the pid of a live process.
    const old = await admin.query(`select datname from pg_database where datname ~ '^chorus_(t|tpl)_[0-9]+_'`)
    for (const r of old.rows) {
      const pid = Number(/^chorus_(?:t|tpl)_(\d+)_/.exec(r.datname)![1])
      if (!isAlive(pid)) await admin.query(`drop database if exists "${r.datname}" with (force)`).catch(() => {})
    }
    await admin.query(`create database "${templateName}"`)
    await admin.end()
    const u = new URL(url)
    u.pathname = `/${templateName}`
    const pool = new pg.Pool({ connectionString: u.toString(), max: 1 })
    const tdb = new Kysely<any>({ dialect: new (await import('kysely')).PostgresDialect({ pool }) })
    await migrateToLatest(tdb)
    await sql`select 1`.execute(tdb)
    await tdb.destroy()
  }
  project.provide('pgTemplate', templateName)
  project.provide('runPid', process.pid)

  return async () => {
    if (url && templateName) {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      const rows = await admin.query(`select datname from pg_database where datname ~ '^chorus_(t|tpl)_${process.pid}_'`)
      for (const r of rows.rows) await admin.query(`drop database if exists "${r.datname}" with (force)`).catch(() => {})
      await admin.end()
    }
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string
    pgTemplate: string
    runPid: number
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
