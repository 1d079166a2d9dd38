/**
 * `npm run bench`: runs every benchmark module in test/bench (each default-exports an async function
 * returning a titled table), prints the tables and writes the results to .bench/results.json.
 * Pass names to run only some: `npm run bench -- pdf-analysis`.
 */
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'

export interface BenchResult {
  readonly name: string
  readonly rows: ReadonlyArray<Record<string, string | number>>
  readonly notes?: readonly string[]
}

function printTable(r: BenchResult): void {
  process.stdout.write(`\n## ${r.name}\n\n`)
  const cols = [...new Set(r.rows.flatMap((row) => Object.keys(row)))]
  const width = cols.map((c) => Math.max(c.length, ...r.rows.map((row) => String(row[c] ?? '').length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |\n`
  process.stdout.write(line(cols))
  process.stdout.write(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|\n`)
  for (const row of r.rows) process.stdout.write(line(cols.map((c) => String(row[c] ?? ''))))
  for (const n of r.notes ?? []) process.stdout.write(`\n${n}\n`)
}

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv.slice(2)
const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), at: new Date().toISOString() }
process.stdout.write(`Benchmarks on ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}\n`)
const results: BenchResult[] = []
for (const f of modules) {
  const mod = await import(pathToFileURL(join(dir, f)).href)
  if (typeof mod.default !== 'function') continue
  const r: BenchResult = await mod.default()
  results.push(r)
  printTable(r)
}
mkdirSync('.bench', { recursive: true })
writeFileSync('.bench/results.json', JSON.stringify({ machine, results }, null, 2))
process.stdout.write(`\nwrote .bench/results.json\n`)
process.exit(0)
