// Worker bootstrap for the PDF readers and the embedded database thread (plain JS, so Node can start it without a TypeScript loader): registers tsx in
// this worker thread, then loads the TypeScript worker. On Node 20, `execArgv: ['--import', 'tsx']`
// does not reach a worker's entry module (ERR_UNKNOWN_FILE_EXTENSION, verified 20.20.2).
//
// `preload` lists plain-JavaScript packages to import before tsx is registered: tsx would transform
// them on the way in, and pdfjs took 1.5–4 s to load that way against 0.3 s natively (measured on this
// 2-core machine); loaded first, the TypeScript worker's own import finds them in the module cache.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

for (const specifier of workerData.preload ?? []) await import(specifier)
register()
await import(workerData.entry)
