// Builds the service into dist/ (run by `npm install` through "prepare", and by `npm run build`):
// one esbuild pass with code splitting, so the running service is plain JavaScript on Node and neither
// tsx nor esbuild load at run time. Packages stay external (node_modules is what runs).
import { build } from 'esbuild'
import { cpSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = `${root}dist`
const t0 = performance.now()
rmSync(dist, { recursive: true, force: true })
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/main.ts',
    cli: 'src/cli.ts',
    // Worker threads (the PDF reader, the embedded database, the sandbox's OCR) and the standalone sandbox.
    'pdf-worker': 'src/pdf/pdf-worker.ts',
    'pglite-worker': 'src/db/pglite-worker.ts',
    'pdf-text-worker': 'src/sandbox/pdf-text-worker.ts',
    sandbox: 'src/sandbox/serve.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  // Chunks beside the entries: code that reads files relative to itself (../package.json, ./client/,
  // ./pdf-worker.js) finds them from any of them.
  logLevel: 'warning',
})
// Files the code reads beside itself (new URL('./client/…', import.meta.url)): next to every chunk.
cpSync(`${root}src/http/ui/client`, `${dist}/client`, { recursive: true, filter: (p) => !p.endsWith('tsconfig.json') })
process.stdout.write(`built dist/ in ${Math.round(performance.now() - t0)} ms\n`)
