import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Database } from '../db/database'
import { queueCounts } from '../db/jobs'

export interface Metrics {
  readonly registry: Registry
  observeHttp(method: string, route: string, status: number, seconds: number): void
  observeJob(kind: string, outcome: string, seconds: number): void
  /** Extra gauges other modules register (e.g. Chorus Pro's circuit state). */
  readonly gauge: (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void | Promise<void>) => void
}

/** One registry per app (tests build many apps in one process; the global registry would clash). */
export function createMetrics(db: Database): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const http = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const jobRuns = new Histogram({
    name: 'jobs_run_duration_seconds',
    help: 'Job run duration by kind and outcome',
    labelNames: ['kind', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  })
  new Gauge({
    name: 'jobs',
    help: 'Jobs in the queue by kind and state',
    labelNames: ['kind', 'state'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const r of await queueCounts(db)) this.set({ kind: r.kind, state: r.state }, r.count)
    },
  })
  new Gauge({
    name: 'job_queue_depth',
    help: 'Jobs due now and not yet claimed',
    registers: [registry],
    async collect() {
      const r = await db.selectFrom('jobs').select(db.fn.countAll<string>().as('n')).where('state', '=', 'pending').where('run_at', '<=', new Date()).executeTakeFirst()
      this.set(Number(r?.n ?? 0))
    },
  })
  void Counter
  return {
    registry,
    observeHttp: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
    observeJob: (kind, outcome, seconds) => jobRuns.observe({ kind, outcome }, seconds),
    gauge: (name, help, labelNames, collect) => {
      new Gauge({ name, help, labelNames, registers: [registry], async collect() { await collect(this) } })
    },
  }
}
