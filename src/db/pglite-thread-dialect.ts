import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import type { PgliteThread } from './pglite-thread'
import { isBackground } from './query-priority'

/**
 * How long background work may be passed over by requests before it goes first anyway, so a steady
 * stream of requests never starves the analyses.
 */
const MAX_BACKGROUND_WAIT_MS = 1_000

class ThreadConnection implements DatabaseConnection {
  constructor(private readonly thread: PgliteThread) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const r = await this.thread.query(query.sql, [...query.parameters])
    return { rows: r.rows as R[], ...(r.affectedRows ? { numAffectedRows: BigInt(r.affectedRows) } : {}) }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    const r = await this.executeQuery<R>(query)
    for (let i = 0; i < r.rows.length; i += chunkSize) yield { rows: r.rows.slice(i, i + chunkSize) }
  }
}

interface Waiter {
  readonly since: number
  readonly take: (c: DatabaseConnection) => void
}

/**
 * PGlite has one connection, so every query and transaction takes turns. kysely-pglite-dialect gives
 * turns first come, first served: during a burst of 100 uploads each upload's transaction queued
 * behind analysis transactions and job claims, and POST /documents' p95 was 2 s (footprint bench,
 * README). Here a request goes ahead of background work (asBackground), and background work that
 * waited MAX_BACKGROUND_WAIT_MS goes first, so neither starves.
 */
class PriorityDriver implements Driver {
  private readonly connection: ThreadConnection
  private busy = false
  private readonly front: Waiter[] = []
  private readonly back: Waiter[] = []

  constructor(private readonly thread: PgliteThread) {
    this.connection = new ThreadConnection(thread)
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    if (!this.busy) {
      this.busy = true
      return Promise.resolve(this.connection)
    }
    return new Promise((take) => (isBackground() ? this.back : this.front).push({ since: Date.now(), take }))
  }

  async releaseConnection(): Promise<void> {
    const overdue = this.back.length > 0 && Date.now() - this.back[0]!.since >= MAX_BACKGROUND_WAIT_MS
    const next = overdue ? this.back.shift() : (this.front.shift() ?? this.back.shift())
    if (next) next.take(this.connection)
    else this.busy = false
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : 'begin'))
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'))
  }

  async destroy(): Promise<void> {
    if (!this.thread.closed) await this.thread.close()
  }
}

/** Kysely's PostgreSQL dialect over the embedded database's thread, requests before background work. */
export class PgliteThreadDialect implements Dialect {
  constructor(private readonly thread: PgliteThread) {}

  createAdapter() {
    return new PostgresAdapter()
  }

  createDriver(): Driver {
    return new PriorityDriver(this.thread)
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db)
  }
}
