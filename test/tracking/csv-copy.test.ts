import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { testEngines, type TestDatabase } from '../support/databases'
import { createCopyOut, copyCsvDecoder, type CopyOut } from '../../src/db/copy-out'
import { invoicesCsvChunks } from '../../src/workflows/tracking/export-invoices'
import type { InvoiceFilters, Sort } from '../../src/db/invoices'

const postgres = testEngines().find((e) => e.name === 'postgres')

async function text(gen: AsyncGenerator<{ text: string; rows: number }>) {
  let out = ''
  let rows = 0
  for await (const c of gen) {
    out += c.text
    rows += c.rows
  }
  return { out, rows }
}

const nasty = ['plain', 'semi;colon', 'quote "here"', 'line\nbreak', 'crlf\r\nend', '=SUM(A1)', '+33 1 23', '-12', '@cmd', '\ttab', 'back\\slash', 'trailing\\', '\\n not a newline', 'é ü 漢字 €', '']

/** COPY TO STDOUT (PostgreSQL's bulk path) must give byte for byte the lines of the keyset pages. */
describe.skipIf(!postgres)('CSV export through COPY on postgres', () => {
  let t: TestDatabase
  let pool: pg.Pool
  let copyOut: CopyOut
  beforeAll(async () => {
    t = await postgres!.open()
    pool = new pg.Pool({ connectionString: t.url, max: 2 })
    copyOut = await createCopyOut(pool)
    const account = await t.db.insertInto('accounts').values({ name: 'A', siret: '98765432100015', technical_login: 'l', technical_password_enc: 'x', environment: 'sandbox' }).returning('id').executeTakeFirstOrThrow()
    const rows = Array.from({ length: 2600 }, (_, i) => ({
      account_id: account.id,
      chorus_invoice_id: String(1000 + i),
      invoice_number: `F-${i}-${nasty[i % nasty.length]}`,
      status: i % 7 === 0 ? 'REJETEE' : 'MISE_A_DISPOSITION',
      status_at: new Date(Date.UTC(2026, 9, 1) + i * 3600_000),
      status_comment: i % 3 === 0 ? nasty[(i + 5) % nasty.length]! : null,
      recipient_siret: i % 11 === 0 ? null : '21760000000012',
      recipient_name: nasty[(i + 2) % nasty.length]!,
      amount_net: i % 13 === 0 ? null : `${i}.5`,
      amount_vat: `${i % 50}.10`,
      amount_gross: i % 13 === 0 ? null : `${i + (i % 50)}.60`,
      invoice_date: '2026-10-01',
      deposited_at: i % 17 === 0 ? null : new Date(Date.UTC(2026, 9, 2) + i * 60_000),
    }))
    for (let i = 0; i < rows.length; i += 500) await t.db.insertInto('invoices').values(rows.slice(i, i + 500)).execute()
  })
  afterAll(async () => {
    await pool?.end()
    await t?.close()
  })

  const cases: Array<[string, InvoiceFilters, Sort]> = [
    ['all by id', {}, { key: 'id', desc: false }],
    ['nullable sort descending', {}, { key: 'amountGross', desc: true }],
    ['nullable sort ascending with filters', { statuses: ['MISE_A_DISPOSITION'], recipient: '2176' }, { key: 'depositedAt', desc: false }],
    ['text filter with quotes', { q: 'quote "here"' } as InvoiceFilters, { key: 'invoiceNumber', desc: false }],
  ]
  for (const [name, filters, sort] of cases) {
    for (const separator of [';', ','] as const) {
      it(`${name}, separator ${separator}`, async () => {
        const paged = await text(invoicesCsvChunks(t.db, filters, sort, { separator, pageSize: 333 }))
        const copied = await text(invoicesCsvChunks(t.db, filters, sort, { separator, copyOut }))
        expect(copied.rows).toBe(paged.rows)
        expect(copied.out).toBe(paged.out)
        expect(paged.rows).toBeGreaterThan(0)
      })
    }
  }

  it('ends rows with CRLF but leaves line breaks inside quoted cells alone, across chunks', () => {
    const d = copyCsvDecoder()
    const parts = ['a;"multi\nli', 'ne";b\nc;', '"x""y', '\nz"\n', 'plain\n']
    let out = ''
    let rows = 0
    for (const p of parts) {
      const r = d.push(Buffer.from(p))
      out += r.text
      rows += r.rows
    }
    out += d.end()
    expect(out).toBe('a;"multi\nline";b\r\nc;"x""y\nz"\r\nplain\r\n')
    expect(rows).toBe(3)
  })

  it('gives the connection back usable after an export stopped half-way', async () => {
    const it = invoicesCsvChunks(t.db, {}, { key: 'id', desc: false }, { copyOut })
    await it.next()
    await it.next()
    await it.return(undefined)
    const again = await text(invoicesCsvChunks(t.db, {}, { key: 'id', desc: false }, { copyOut }))
    expect(again.rows).toBe(2600)
  })
})
