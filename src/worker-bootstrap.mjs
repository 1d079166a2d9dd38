// Worker bootstrap for the PDF readers and the embedded database thread (plain JS, so Node can start it without a TypeScript loader): registers tsx in
// this worker thread, then loads the TypeScript worker. On Node 20, `execArgv: ['--import', 'tsx']`
// does not reach a worker's entry module (ERR_UNKNOWN_FILE_EXTENSION, verified 20.20.2).
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
