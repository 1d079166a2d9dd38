/**
 * Local analysis of one-page invoice PDFs (text fields + embedded XML lookup), in process after
 * warm-up and through the worker pool, against `pdftotext` (poppler-utils) on the same files in the
 * same run. Target: ≤ 20 ms median in process.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { analysePdfLocally } from '../../src/pdf/analyse-pdf-locally'
import { PdfWorkerPool } from '../../src/pdf/pdf-worker-pool'
import { plainEntry, plainVariants, xmlEntries } from '../pdf/corpus/build-corpus'

const run = promisify(execFile)
const ROUNDS = 5

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!
  return { n: s.length, median: q(0.5), p95: q(0.95) }
}
const r1 = (n: number) => Math.round(n * 10) / 10

export default async function bench(): Promise<{ name: string; rows: Array<Record<string, string | number>>; notes?: string[] }> {
  const plain = await Promise.all(plainVariants(36).filter((v) => v.layout !== 'frMultiPage').map(plainEntry))
  const files = [...plain.map((e) => e.bytes), ...(await xmlEntries()).map((e) => e.bytes)]
  const notes: string[] = [`${files.length} one-page PDFs (pdf-lib and raw writer, 3 fonts, 8 with Factur-X/UBL), ${ROUNDS} rounds each.`]

  for (const f of files.slice(0, 5)) await analysePdfLocally(f) // warm-up: pdfjs import and JIT
  const local: number[] = []
  for (let r = 0; r < ROUNDS; r++)
    for (const f of files) {
      const t0 = performance.now()
      await analysePdfLocally(f)
      local.push(performance.now() - t0)
    }
  const rows: Array<Record<string, string | number>> = []
  const l = stats(local)
  rows.push({ reader: 'analysePdfLocally (in process)', runs: l.n, 'median ms': r1(l.median), 'p95 ms': r1(l.p95), 'vs pdftotext': '' })

  const pool = new PdfWorkerPool()
  await pool.warmUp()
  const pooled: number[] = []
  for (let r = 0; r < ROUNDS; r++)
    for (const f of files) {
      const t0 = performance.now()
      await pool.analyse(f)
      pooled.push(performance.now() - t0)
    }
  let batchMs = Infinity
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now()
    await Promise.all(files.map((f) => pool.analyse(f)))
    batchMs = Math.min(batchMs, performance.now() - t0)
  }
  await pool.close()
  const p = stats(pooled)
  rows.push({ reader: `worker pool (${pool.size} workers), one at a time`, runs: p.n, 'median ms': r1(p.median), 'p95 ms': r1(p.p95), 'vs pdftotext': '' })
  notes.push(`Pool throughput: ${files.length} PDFs concurrently in ${Math.round(batchMs)} ms (best of 3) (${r1(batchMs / files.length)} ms/PDF).`)

  let hasPdftotext = true
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' })
  } catch {
    hasPdftotext = false
  }
  if (!hasPdftotext) {
    notes.push('pdftotext not found: install poppler-utils (apt-get install -y poppler-utils) for the comparison.')
    return { name: 'PDF local analysis (one page)', rows, notes }
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-pdf-'))
  try {
    const paths = files.map((f, i) => {
      const path = join(dir, `${i}.pdf`)
      writeFileSync(path, f)
      return path
    })
    const pt: number[] = []
    for (let r = 0; r < ROUNDS; r++)
      for (const path of paths) {
        const t1 = performance.now()
        await run('pdftotext', ['-layout', path, '-'])
        pt.push(performance.now() - t1)
      }
    const s = stats(pt)
    rows.push({ reader: 'pdftotext -layout (process per file)', runs: s.n, 'median ms': r1(s.median), 'p95 ms': r1(s.p95), 'vs pdftotext': '1.00' })
    rows[0]!['vs pdftotext'] = (l.median / s.median).toFixed(2)
    rows[1]!['vs pdftotext'] = (p.median / s.median).toFixed(2)
    notes.push('vs pdftotext = median / pdftotext median (below 1: faster). pdftotext only extracts text; analysePdfLocally also reads fields and looks for Factur-X.')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { name: 'PDF local analysis (one page)', rows, notes }
}
