import { serve } from '@hono/node-server'
import { createSandbox } from './create-sandbox'
import { SANDBOX_CREDENTIALS } from './test-identity'

/** `npm run sandbox`: the simulator alone on SANDBOX_PORT (default 8090), for hosts' own test suites. */
const port = Number(process.env.SANDBOX_PORT ?? 8090)
const stepMs = process.env.SANDBOX_STEP_MS ? Number(process.env.SANDBOX_STEP_MS) : undefined
const sandbox = createSandbox(stepMs !== undefined ? { clock: { stepMs } } : {})
const server = serve({ fetch: sandbox.app.fetch, port, hostname: process.env.SANDBOX_HOST ?? '127.0.0.1' }, (info) => {
  const base = `http://${info.address === '::' ? 'localhost' : info.address}:${info.port}`
  const c = SANDBOX_CREDENTIALS
  process.stdout.write(
    [
      `Chorus Pro sandbox listening on ${base}`,
      `  PISTE_OAUTH_URL=${base}/api/oauth/token`,
      `  CHORUS_API_URL=${base}/cpro`,
      `  PISTE_CLIENT_ID=${c.clientId}`,
      `  PISTE_CLIENT_SECRET=${c.clientSecret}`,
      `  technical account: ${c.technicalLogin} / ${c.technicalPassword}`,
      `  supplier SIRET ${c.supplierSiret}, idStructureCPP ${c.supplierIdStructureCPP}`,
      `  control API: ${base}/_sandbox/ (calls, reset, faults, clock, invoices/:id/status, structures, credentials)`,
      '',
    ].join('\n'),
  )
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)))
