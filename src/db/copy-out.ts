import type { CompiledQuery } from 'kysely'
import type { Pool } from 'pg'

/**
 * Streams the result of a query with `COPY (…) TO STDOUT`, PostgreSQL's bulk path: rows leave the server
 * as text without the per-row protocol and parsing of a normal query (measured on 1,000,000 invoices:
 * keyset pages took 2.2× the time of psql's \copy; COPY is psql's own path). PostgreSQL only.
 */
export type CopyOut = (query: CompiledQuery, signal?: AbortSignal) => AsyncIterable<Buffer>

/**
 * COPY takes no bind parameters, so each `$n` of the compiled query becomes a literal quoted by pg's own
 * escapeLiteral (the function pg offers for exactly this). Values are what our filters produce: strings,
 * numbers, booleans, dates and arrays of those.
 */
export function inlineParameters(query: CompiledQuery, escapeLiteral: (s: string) => string, prepareValue: (v: unknown) => unknown): string {
  return query.sql.replace(/\$(\d+)\b/g, (_, n: string) => {
    const v = query.parameters[Number(n) - 1]
    if (v === null || v === undefined) return 'null'
    if (typeof v === 'number' || typeof v === 'bigint') {
      if (!Number.isFinite(Number(v))) throw new Error('COPY parameter is not a finite number')
      return String(v)
    }
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    return escapeLiteral(String(prepareValue(v)))
  })
}

export async function createCopyOut(pool: Pool): Promise<CopyOut> {
  const { to } = await import('pg-copy-streams')
  const pg = await import('pg')
  const utils = (pg.default as any).utils ?? (await import('pg/lib/utils.js' as string)).default
  const escapeLiteral: (s: string) => string = (pg.default as any).escapeLiteral ?? utils.escapeLiteral
  const prepareValue: (v: unknown) => unknown = utils.prepareValue
  return async function* copyOut(query, signal) {
    const text = inlineParameters(query, escapeLiteral, prepareValue)
    const client = await pool.connect()
    let failed = false
    try {
      const stream = client.query(to(`COPY (${text}) TO STDOUT`))
      const abort = () => stream.destroy(new Error('export cancelled'))
      signal?.addEventListener('abort', abort, { once: true })
      try {
        for await (const chunk of stream) yield chunk as Buffer
      } catch (e) {
        failed = true
        throw e
      } finally {
        signal?.removeEventListener('abort', abort)
        // A COPY stopped early leaves the connection mid-protocol: never give it back to the pool.
        if (!stream.readableEnded) failed = true
      }
    } finally {
      client.release(failed ? true : undefined)
    }
  }
}

/**
 * Undoes COPY's text-format escaping of one-column rows, across chunk boundaries: each row ends with a
 * real LF (dropped, since our lines carry their own CRLF); \\ \b \f \n \r \t \v stand for themselves.
 */
export function copyTextDecoder(): { push(chunk: Buffer): { text: string; rows: number }; end(): string } {
  const decoder = new TextDecoder('utf-8')
  let pending = ''
  const map: Record<string, string> = { '\\': '\\', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }
  const decode = (s: string) => {
    let rows = 0
    const text = s.replace(/\\([\\bfnrtv])|\n/g, (m, c: string | undefined) => {
      if (m === '\n') {
        rows++
        return ''
      }
      return map[c!]!
    })
    return { text, rows }
  }
  return {
    push(chunk) {
      let s = pending + decoder.decode(chunk, { stream: true })
      // A backslash at the very end may be half of an escape whose letter is in the next chunk.
      let tail = 0
      while (tail < s.length && s[s.length - 1 - tail] === '\\') tail++
      pending = tail % 2 === 1 ? '\\' : ''
      if (pending) s = s.slice(0, -1)
      return decode(s)
    },
    end() {
      return decode(pending + decoder.decode()).text
    },
  }
}
