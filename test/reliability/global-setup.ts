import { rmSync } from 'node:fs'
import { RELIABILITY_DIR, filesIn, LOG_DIR, scanLogsForSecrets } from './harness'

/**
 * Starts the suite with an empty log folder, and ends it with the scan of every kept log (each spawned
 * service's whole output) for every secret handed out: the PISTE client secret, technical passwords,
 * API keys, Chorus access tokens. A hit fails the run.
 */
export default function setup() {
  rmSync(RELIABILITY_DIR, { recursive: true, force: true })
  return () => {
    const found = scanLogsForSecrets()
    process.stdout.write(`\nreliability: scanned ${filesIn(LOG_DIR).length} service logs for secrets: ${found.length ? JSON.stringify(found) : 'none found'}\n`)
    if (found.length) throw new Error(`secrets in the logs: ${JSON.stringify(found)}`)
  }
}
