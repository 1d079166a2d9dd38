/**
 * Proves the worker pool runs under plain tsx, as `npm start` does (vitest covers the other runtime):
 *   npx tsx test/pdf/pool-smoke.ts
 */
import { PdfWorkerPool } from '../../src/pdf/pdf-worker-pool'
import { buildCorpus } from './corpus/build-corpus'

const pool = new PdfWorkerPool({ timeoutMs: 10_000 })
const t0 = performance.now()
await pool.warmUp()
const warm = performance.now() - t0
const corpus = await buildCorpus()
const t1 = performance.now()
const results = await Promise.all(corpus.map((e) => pool.analyse(e.bytes)))
const t2 = performance.now()
const bad = await pool.analyse(new TextEncoder().encode('not a pdf')).catch((e: Error & { code: string }) => e.code)
console.log(
  JSON.stringify({
    workers: pool.size,
    warmUpMs: Math.round(warm),
    documents: results.length,
    batchMs: Math.round(t2 - t1),
    withXml: results.filter((r) => r.xml?.found).length,
    notAPdf: bad,
    stats: pool.stats(),
  }),
)
await pool.close()
