import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/logger'

/** A real pino logger (same redaction and scrubbing as production) writing into memory. */
export function captureLogs(level = 'debug'): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk))
      cb()
    },
  })
  const logger = createLogger(level, stream as any)
  return { logger, lines, text: () => lines.join('') }
}
