import type { Config } from './config'
import type { Feature } from './feature'
import type { Ports } from './workflows/ports'
import { accountsRoutes } from './http/api/accounts-routes'
import { directoryRoutes } from './http/api/directory-routes'
import { auditRoutes } from './http/api/audit-routes'
import { recipientsRoutes } from './http/api/recipients-routes'
import { maintenanceHandlers } from './jobs/maintenance-handlers'
import { accountHandlers } from './jobs/account-handlers'
import { trackingFeature } from './http/api/tracking-feature'
import { documentsFeature } from './documents-feature'
import { intakeFeature } from './sources/intake-feature'
import { uiFeature } from './http/ui/ui-feature'

/** Every feature of the product, in the order their routes are mounted. Add a line per feature. */
export function buildFeatures(ports: Ports, config: Config): Feature[] {
  const features: Feature[] = [
    { name: 'maintenance', handlers: maintenanceHandlers(), schedules: [{ name: 'maintenance.purge', cron: '15 3 * * *', kind: 'maintenance.purge' }] },
    {
      name: 'accounts',
      apiRoutes: [accountsRoutes(ports), directoryRoutes(ports), auditRoutes(ports.db)],
      handlers: accountHandlers(ports),
      schedules: [{ name: 'accounts.check', cron: '0 7 * * *', kind: 'accounts.check' }],
    },
    intakeFeature(ports),
    documentsFeature(ports, { autoSubmitCron: config.autoSubmitCron }),
    trackingFeature(ports),
    { name: 'recipients', apiRoutes: [recipientsRoutes(ports)] },
  ]
  // The tab pages act through the other features' API routes, so they come last and are given them.
  return [...features, uiFeature(ports, config, features)]
}
