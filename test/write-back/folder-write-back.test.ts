import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { startTestService, type TestService } from '../support/in-process-service'
import { invoicePdf } from '../support/invoice-pdf'

/**
 * Issue 16, item 2: a folder source with `writeBack: true` gets `<name>.chorus.json` beside the processed
 * PDF, rewritten atomically on each change (a hidden temporary file renamed over it); the file is never
 * taken as a document; a source without the setting writes nothing.
 */
describe.each(testEngines())('folder write-back on $name', (engine) => {
  let t: TestDatabase | undefined
  let s: TestService
  const root = mkdtempSync(join(tmpdir(), 'dms-'))
  beforeAll(async () => {
    t = engine.name === 'postgres' ? await engine.open() : undefined
    s = await startTestService({ FOLDER_SOURCE_ROOTS: root, ...(t?.url ? { DATABASE_URL: t.url } : {}) })
    expect((await s.sandbox('/clock', { method: 'POST', json: { paused: true } })).status).toBe(200)
  }, 60_000)
  afterAll(async () => {
    await s?.stop()
    await t?.close()
  })

  const db = () => s.service.database.db
  const addSource = async (name: string, writeBack: boolean) => {
    const path = join(root, name)
    const res = await s.api('/sources', { method: 'POST', json: { kind: 'folder', name, config: { path, settleMs: 0, watch: false, ...(writeBack ? { writeBack: true } : {}) } } })
    expect(res.status, await res.clone().text()).toBe(201)
    return { id: ((await res.json()) as any).id as string, path }
  }
  const drop = async (dir: string, number: string, seed: number) => {
    const { bytes } = await invoicePdf({ seed, recipientIndex: 0, number, serviceCode: null, engagement: null })
    writeFileSync(join(dir, `.${number}.part`), bytes)
    renameSync(join(dir, `.${number}.part`), join(dir, `${number}.pdf`))
  }
  const submitted = (filename: string) =>
    s.until(() => db().selectFrom('documents').selectAll().where('filename', '=', filename).where('stage', '=', 'submitted').executeTakeFirst(), 40_000, `${filename} submitted`)
  const settled = (documentId: string, n: number) =>
    s.until(async () => {
      const rows = await db().selectFrom('write_backs').selectAll().where('document_id', '=', documentId).orderBy('id').execute()
      return rows.length === n && rows.every((r) => r.state === 'done') ? rows : undefined
    }, 30_000, `${n} write-backs done`)

  it('writes <name>.chorus.json beside the processed PDF and rewrites it on each status change', async () => {
    const src = await addSource('ged', true)
    // A file of that name is already in processed/: ours becomes "F-2026-1611 (2).pdf", and the JSON follows it.
    mkdirSync(join(src.path, 'processed'), { recursive: true })
    writeFileSync(join(src.path, 'processed', 'F-2026-1611.pdf'), 'an older file')
    await drop(src.path, 'F-2026-1611', 1611)
    await s.api(`/sources/${src.id}/scan`, { method: 'POST' })
    const doc = await submitted('F-2026-1611.pdf')
    expect(doc.host_metadata).toMatchObject({ processedPath: 'processed/F-2026-1611 (2).pdf' })
    await settled(doc.id, 1)
    const file = join(src.path, 'processed', 'F-2026-1611 (2).chorus.json')
    const first = JSON.parse(readFileSync(file, 'utf8'))
    const invoice = await db().selectFrom('invoices').selectAll().where('document_id', '=', doc.id).executeTakeFirstOrThrow()
    expect(first).toMatchObject({
      format: 'chorus-pro-connector/write-back/1',
      documentId: doc.id,
      file: 'F-2026-1611.pdf',
      invoiceNumber: 'F-2026-1611',
      chorusInvoiceId: invoice.chorus_invoice_id,
      status: 'DEPOSEE',
      statusLabel: { fr: 'Déposée', en: 'Deposited' },
      statusGroup: 'in_progress',
      comment: null,
    })
    expect(first.history.map((h: any) => h.status)).toEqual(['DEPOSEE'])
    expect(Date.parse(first.depositedAt)).not.toBeNaN()
    expect(existsSync(join(src.path, 'processed', 'F-2026-1611.chorus.json'))).toBe(false)

    await s.sandbox(`/invoices/${invoice.chorus_invoice_id}/status`, { method: 'POST', json: { status: 'MISE_A_DISPOSITION' } })
    await s.api('/invoices/sync', { method: 'POST' })
    await settled(doc.id, 2)
    await s.sandbox(`/invoices/${invoice.chorus_invoice_id}/status`, { method: 'POST', json: { status: 'REJETEE', comment: 'Montant TTC erroné' } })
    await s.api('/invoices/sync', { method: 'POST' })
    await settled(doc.id, 3)
    const last = JSON.parse(readFileSync(file, 'utf8'))
    expect(last).toMatchObject({ status: 'REJETEE', statusGroup: 'rejected', comment: 'Montant TTC erroné', statusLabel: { fr: 'Rejetée' } })
    expect(last.history.map((h: any) => h.status)).toEqual(['DEPOSEE', 'MISE_A_DISPOSITION', 'REJETEE'])
    expect(last.history.at(-1).comment).toBe('Montant TTC erroné')
    // No temporary file left behind; the JSON files are never taken as documents.
    expect(readdirSync(join(src.path, 'processed')).sort()).toEqual(['F-2026-1611 (2).chorus.json', 'F-2026-1611 (2).pdf', 'F-2026-1611.pdf'])
    writeFileSync(join(src.path, 'loose.chorus.json'), '{}')
    await s.api(`/sources/${src.id}/scan`, { method: 'POST' })
    await new Promise((r) => setTimeout(r, 1500))
    expect(await db().selectFrom('documents').select('id').where('source_id', '=', src.id).execute()).toHaveLength(1)
  }, 120_000)

  it('writes nothing for a folder source without writeBack', async () => {
    const src = await addSource('plain', false)
    await drop(src.path, 'F-2026-1612', 1612)
    await s.api(`/sources/${src.id}/scan`, { method: 'POST' })
    const doc = await submitted('F-2026-1612.pdf')
    await new Promise((r) => setTimeout(r, 500))
    expect(await db().selectFrom('write_backs').select('id').where('document_id', '=', doc.id).execute()).toEqual([])
    expect(readdirSync(join(src.path, 'processed'))).toEqual(['F-2026-1612.pdf'])
  }, 60_000)
})
