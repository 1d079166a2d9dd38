/**
 * The tracking routes alone, served over HTTP in their own process, so the CSV benchmark measures the
 * server's own time and peak RSS (VmHWM) without the client's. Prints `port <n>` once listening.
 * Env: DB_URL, API_KEY_NAME (a viewer key is created and printed as `key <k>`).
 */
import { addressPolicy } from '../../src/domain/address-policy'
import { createJobQueue } from '../../src/jobs/job-queue'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import pino from 'pino'
import { openDatabase } from '../../src/db/database'
import { createApiKey } from '../../src/db/api-keys'
import { createApp } from '../../src/http/app'
import { createMetrics } from '../../src/http/metrics'
import { invoicesRoutes } from '../../src/http/api/invoices-routes'
import { createSecretBox } from '../../src/secrets/secret-box'
import type { Ports } from '../../src/workflows/ports'

const { db, copyOut } = await openDatabase({ url: process.env.DB_URL!, poolSize: 10 })
const logger = pino({ level: 'warn' })
const ports = { db, logger, secrets: createSecretBox(randomBytes(32)), get chorus(): never { throw new Error('no Chorus in this bench') }, chorusEnv: 'sandbox', now: () => new Date(), jobs: createJobQueue(db, () => {}), webhookTargets: addressPolicy([]), dataDir: tmpdir(), inboxDir: tmpdir(), copyOut } as Ports
const app = createApp({ db, logger, metrics: createMetrics(db), version: 'bench', bodyLimitBytes: 1 << 20, apiRoutes: [invoicesRoutes(ports)] })
const key = (await createApiKey(db, { name: 'bench-server', role: 'viewer' })).key
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
server.once('listening', () => process.stdout.write(`key ${key}\nport ${(server.address() as AddressInfo).port}\n`))
