import type { Feature } from '../../feature'
import type { Ports } from '../../workflows/ports'
import { trackingHandlers, TRACKING_SCHEDULES } from '../../workflows/tracking/tracking-jobs'
import type { SyncOptions } from '../../workflows/tracking/sync-statuses'
import { invoicesRoutes } from './invoices-routes'
import { exportsRoutes } from './exports-routes'
import { webhooksRoutes } from './webhooks-routes'

/**
 * Tracking and to-process (issue 7): invoice list / detail / actions / CSV, background exports,
 * webhooks admin; the status sync, export and webhook delivery jobs; their schedules.
 */
export function trackingFeature(ports: Ports, opts: { sync?: SyncOptions } = {}): Feature {
  return {
    name: 'tracking',
    apiRoutes: [invoicesRoutes(ports), exportsRoutes(ports), webhooksRoutes(ports)],
    handlers: trackingHandlers(ports, opts.sync),
    schedules: TRACKING_SCHEDULES,
  }
}
