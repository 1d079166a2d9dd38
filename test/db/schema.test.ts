import { describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { testEngines, type TestDatabase } from '../support/databases'
import { pendingMigrations } from '../../src/db/migrate'

async function describeSchema(t: TestDatabase) {
  const columns = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null; is_generated: string }>`
    select table_name, column_name, data_type, is_nullable, column_default, is_generated
    from information_schema.columns where table_schema = 'public' order by table_name, column_name`.execute(t.db)
  const indexes = await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes where schemaname = 'public' order by indexname`.execute(t.db)
  const constraints = await sql<{ conname: string; contype: string; def: string }>`
    -- PostgreSQL 18 (PGlite) also lists NOT NULL as constraints of type n; 15 does not. Nullability is compared through the columns.
    select conname, contype, pg_get_constraintdef(oid) as def from pg_constraint
    where connamespace = 'public'::regnamespace and contype <> 'n' order by conname`.execute(t.db)
  return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows }
}

describe('schema', () => {
  const engines = testEngines()

  it.each(engines)('is fully migrated on $name', async (engine) => {
    const t = await engine.open()
    try {
      expect(await pendingMigrations(t.db)).toEqual([])
      const { columns } = await describeSchema(t)
      const tables = new Set(columns.map((c) => c.table_name))
      for (const name of ['accounts', 'blobs', 'documents', 'invoices', 'invoice_events', 'recipient_mappings', 'structures',
        'structure_services', 'jobs', 'api_keys', 'exports', 'sources', 'filing_rules', 'webhooks']) {
        expect(tables, name).toContain(name)
      }
    } finally {
      await t.close()
    }
  })

  it.skipIf(engines.length < 2)('is the same on PGlite and PostgreSQL', async () => {
    const [a, b] = await Promise.all(engines.map((e) => e.open()))
    try {
      const [sa, sb] = await Promise.all([describeSchema(a!), describeSchema(b!)])
      expect(sa.columns).toEqual(sb.columns)
      expect(sa.indexes).toEqual(sb.indexes)
      expect(sa.constraints).toEqual(sb.constraints)
    } finally {
      await Promise.all([a!.close(), b!.close()])
    }
  })
})
