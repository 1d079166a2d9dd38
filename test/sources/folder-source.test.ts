import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testEngines, type TestDatabase } from '../support/databases'
import { intakePorts, pdfBytes, type IntakePorts } from '../intake/intake-harness'
import { createSource, getSource } from '../../src/db/sources'
import { createFilingRule } from '../../src/db/filing-rules'
import { scanSource, enqueueDueScans } from '../../src/workflows/intake/scan-source'
import { sourceAdapters } from '../../src/wiring'
import { folderWatchers } from '../../src/sources/folder/folder-watchers'

describe.each(testEngines())('folder source on $name', (engine) => {
  let t: TestDatabase
  let ports: IntakePorts
  beforeAll(async () => {
    t = await engine.open()
    ports = intakePorts(t)
  })
  afterAll(() => t.close())

  async function folder(config: Record<string, unknown> = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-inbox-'))
    const s = await createSource(t.db, { kind: 'folder', name: `f-${dir}`, config: { path: dir, settleMs: 150, ...config } })
    return { dir, id: s.id, scan: () => scanSource(ports, s.id, sourceAdapters(ports)) }
  }
  const docsOf = (sourceId: string) => t.db.selectFrom('documents').selectAll().where('source_id', '=', sourceId).orderBy('id').execute()

  it('takes PDFs into the database, then moves them to processed/; refuses non-PDF into rejected/ with a .error.txt', async () => {
    const f = await folder()
    writeFileSync(join(f.dir, 'facture 1.pdf'), await pdfBytes('f1'))
    writeFileSync(join(f.dir, 'Facture été — n°2.pdf'), await pdfBytes('f2'))
    writeFileSync(join(f.dir, 'notes.docx'), 'PK\u0003\u0004 not a pdf')
    writeFileSync(join(f.dir, 'vide.pdf'), '')
    writeFileSync(join(f.dir, '.hidden.pdf'), await pdfBytes('hidden'))
    writeFileSync(join(f.dir, 'copie.pdf.part'), 'partial')
    const r = await f.scan()
    expect(r?.stats).toMatchObject({ seen: 4, received: 2, refused: 2, failed: 0 })
    expect(readdirSync(join(f.dir, 'processed')).sort()).toEqual(['Facture été — n°2.pdf', 'facture 1.pdf'])
    expect(readdirSync(join(f.dir, 'rejected')).sort()).toEqual(['notes.docx', 'notes.docx.error.txt', 'vide.pdf', 'vide.pdf.error.txt'])
    const why = readFileSync(join(f.dir, 'rejected', 'notes.docx.error.txt'), 'utf8')
    expect(why).toMatch(/n'est pas un PDF/)
    expect(why).toMatch(/not a PDF/)
    expect(readdirSync(f.dir).sort()).toEqual(['.hidden.pdf', 'copie.pdf.part', 'processed', 'rejected'])
    const docs = await docsOf(f.id)
    expect(docs.map((d) => [d.filename, d.stage, d.analysis_status])).toEqual(expect.arrayContaining([
      ['facture 1.pdf', 'received', 'pending'],
      ['notes.docx', 'to_submit', 'error'],
    ]))
    const jobs = await t.db.selectFrom('jobs').select('key').where('kind', '=', 'document.analyse').execute()
    for (const d of docs.filter((x) => x.stage === 'received')) expect(jobs.map((j) => j.key)).toContain(`document.analyse:${d.id}`)
    const src = (await getSource(t.db, f.id))!
    expect(src.last_scan_at).not.toBeNull()
    expect(src.last_scan_stats).toMatchObject({ received: 2, refused: 2 })
    expect(src.last_error).toBeNull()
  })

  it('waits for a file whose size changes between the two checks', async () => {
    // A wide settle window so the growth (at 100 ms) lands between the two checks even on a loaded machine.
    const f = await folder({ settleMs: 1500 })
    const path = join(f.dir, 'growing.pdf')
    const bytes = await pdfBytes('growing')
    writeFileSync(path, bytes.slice(0, 100))
    const growing = setTimeout(() => writeFileSync(path, bytes), 100)
    const r1 = await f.scan()
    clearTimeout(growing)
    expect(r1?.stats).toMatchObject({ received: 0, unsettled: 1 })
    expect(existsSync(path)).toBe(true)
    const r2 = await f.scan()
    expect(r2?.stats.received).toBe(1)
    expect((await docsOf(f.id))[0]!.size).toBe(bytes.length)
  })

  it('refuses symbolic links (never following them) and keeps working', async () => {
    const f = await folder()
    const outside = mkdtempSync(join(tmpdir(), 'chorus-outside-'))
    writeFileSync(join(outside, 'secret.pdf'), await pdfBytes('outside'))
    symlinkSync(join(outside, 'secret.pdf'), join(f.dir, 'lien.pdf'))
    symlinkSync(outside, join(f.dir, 'dir-link'))
    writeFileSync(join(f.dir, 'ok.pdf'), await pdfBytes('ok'))
    const r = await f.scan()
    expect(r?.stats).toMatchObject({ received: 1, refused: 2 })
    const docs = await docsOf(f.id)
    expect(docs.filter((d) => d.blob_sha256 === null).map((d) => (d.analysis_error as any).code)).toEqual(['file_unreadable', 'file_unreadable'])
    expect(existsSync(join(outside, 'secret.pdf'))).toBe(true) // the target is untouched
    expect(readdirSync(join(f.dir, 'rejected'))).toContain('lien.pdf.error.txt')
  })

  it('catches up after a crash between commit and move: the file left in the inbox is moved, not stored twice', async () => {
    const f = await folder()
    const bytes = await pdfBytes('crash')
    writeFileSync(join(f.dir, 'a.pdf'), bytes)
    await f.scan()
    // As if the process died after the commit, before the move: the same file is back in the inbox.
    writeFileSync(join(f.dir, 'a.pdf'), bytes)
    const old = new Date(Date.now() - 60_000)
    utimesSync(join(f.dir, 'a.pdf'), old, old)
    const r = await f.scan()
    expect(r?.stats).toMatchObject({ duplicates: 1, received: 0 })
    expect(await docsOf(f.id)).toHaveLength(1)
    expect(readdirSync(join(f.dir, 'processed')).sort()).toEqual(['a (2).pdf', 'a.pdf'])
    expect(readdirSync(f.dir).filter((n) => n.endsWith('.pdf'))).toEqual([])
  })

  it('leaves files in place when asked, takes a changed file as a new version superseding the previous one', async () => {
    const f = await folder({ afterIntake: 'leave', recursive: true })
    mkdirSync(join(f.dir, 'clients', 'mairie'), { recursive: true })
    const path = join(f.dir, 'clients', 'mairie', 'f.pdf')
    writeFileSync(path, await pdfBytes('v1'))
    expect((await f.scan())?.stats.received).toBe(1)
    expect((await f.scan())?.stats).toMatchObject({ received: 0, duplicates: 1 })
    writeFileSync(path, await pdfBytes('v2'))
    expect((await f.scan())?.stats.received).toBe(1)
    const docs = await docsOf(f.id)
    expect(docs.map((d) => [d.source_ref, d.stage])).toEqual([['clients/mairie/f.pdf', 'removed'], ['clients/mairie/f.pdf', 'received']])
    expect(docs[0]!.superseded_by).toBe(docs[1]!.id)
    expect(existsSync(path)).toBe(true)
  })

  it('applies filing rules on paths and names: unmatched files are skipped, counted and left in place', async () => {
    const f = await folder({ recursive: true })
    await createFilingRule(t.db, { sourceId: f.id, name: 'publics', match: { path: 'publics/**', filename: 'FAC*.pdf' }, metadataMap: { path: 'recipientLabel' } })
    mkdirSync(join(f.dir, 'publics'))
    writeFileSync(join(f.dir, 'publics', 'FAC-1.pdf'), await pdfBytes('in'))
    writeFileSync(join(f.dir, 'publics', 'devis.pdf'), await pdfBytes('out1'))
    writeFileSync(join(f.dir, 'FAC-2.pdf'), await pdfBytes('out2'))
    const r = await f.scan()
    expect(r?.stats).toMatchObject({ received: 1, skipped: 2 })
    expect(existsSync(join(f.dir, 'publics', 'devis.pdf'))).toBe(true)
    expect(existsSync(join(f.dir, 'processed', 'publics', 'FAC-1.pdf'))).toBe(true)
  })

  it('records a missing or unreadable folder as the source’s last error', async () => {
    const f = await folder()
    const file = join(f.dir, 'not-a-dir')
    writeFileSync(file, 'x')
    await t.db.updateTable('sources').set({ config: JSON.stringify({ path: file }) }).where('id', '=', f.id).execute()
    const r = await f.scan()
    expect(r?.error).toMatch(/EEXIST|ENOTDIR|not a directory/i)
    expect((await getSource(t.db, f.id))!.last_error).toBe(r?.error)
  })

  it('takes a bounded batch per scan and asks for a follow-up scan', async () => {
    const f = await folder({ maxFilesPerScan: 2 })
    for (let i = 0; i < 5; i++) writeFileSync(join(f.dir, `b${i}.pdf`), await pdfBytes(`batch-${i}`))
    const r = await f.scan()
    expect(r?.stats.received).toBe(2)
    expect(r?.more).toBe(true)
    const job = await t.db.selectFrom('jobs').select('payload').where('key', '=', `source.scan:${f.id}`).where('state', '=', 'pending').executeTakeFirst()
    expect(job?.payload).toEqual({ sourceId: f.id })
  })

  it('polls: enqueues scans of the sources whose interval elapsed, once per source', async () => {
    await t.db.deleteFrom('jobs').where('kind', '=', 'source.scan').execute()
    const f = await folder({ pollSeconds: 3600 })
    await t.db.updateTable('sources').set({ last_scan_at: new Date() }).where('id', '=', f.id).execute()
    await enqueueDueScans(ports)
    const keys = async () => (await t.db.selectFrom('jobs').select('key').where('kind', '=', 'source.scan').where('state', '=', 'pending').execute()).map((j) => j.key)
    expect(await keys()).not.toContain(`source.scan:${f.id}`)
    await t.db.updateTable('sources').set({ last_scan_at: new Date(Date.now() - 3_600_000) }).where('id', '=', f.id).execute()
    await enqueueDueScans(ports)
    await enqueueDueScans(ports)
    expect((await keys()).filter((k) => k === `source.scan:${f.id}`)).toHaveLength(1)
    // At start, a catch-up scan does not wait behind a scan job a killed process still holds.
    await t.db.updateTable('jobs').set({ state: 'running' }).where('key', '=', `source.scan:${f.id}`).execute()
    await enqueueDueScans(ports, true)
    expect(await keys()).toContain(`source.scan:${f.id}:catch-up`)
  })

  it('watches with fs.watch: a dropped file triggers a scan request', async () => {
    const f = await folder()
    const seen: string[] = []
    const w = folderWatchers((id) => seen.push(id), ports.logger, 50)
    w.sync([(await getSource(t.db, f.id))!])
    try {
      writeFileSync(join(f.dir, 'dropped.pdf'), await pdfBytes('watch'))
      for (let i = 0; i < 40 && !seen.length; i++) await new Promise((r) => setTimeout(r, 50))
      expect(seen).toContain(f.id)
    } finally {
      w.close()
    }
  })
})
