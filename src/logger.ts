import pino, { type Logger, type DestinationStream } from 'pino'

/**
 * Values that must never reach a log line, whatever path they travel by (a URL, an error message
 * quoting a request body, a third-party library's debug output). Redaction by path alone misses those,
 * so every serialised line is also scrubbed of each registered value just before it is written.
 */
const secretValues = new Set<string>()

/** Registers a secret so that any later log line containing it is scrubbed. Short values are ignored (they would mangle ordinary text). */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 8) return
  secretValues.add(value)
  // A technical account travels as base64("login:password") in cpro-account: scrub that form too.
  secretValues.add(Buffer.from(value).toString('base64'))
}

export function scrubSecrets(line: string): string {
  let out = line
  for (const s of secretValues) if (out.includes(s)) out = out.split(s).join('[REDACTED]')
  // Bearer tokens and API keys we did not register (tokens issued by PISTE, keys typed by a user).
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[REDACTED]').replace(/\bcpk_[A-Za-z0-9_-]{8,}/g, 'cpk_[REDACTED]')
}

const SECRET_KEYS = ['password', 'technicalPassword', 'clientSecret', 'client_secret', 'secret', 'token', 'access_token', 'apiKey', 'key', 'authorization', 'cookie']

/** Secret-named fields at the top level and up to two levels down, plus the cpro-account header. */
export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  '["cpro-account"]',
  '*["cpro-account"]',
  '*.*["cpro-account"]',
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'chorus-pro-connector' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: scrubSecrets },
    },
    destination,
  )
}

export type { Logger }
