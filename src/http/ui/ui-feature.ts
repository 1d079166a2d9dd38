import type { Config } from '../../config'
import type { Feature } from '../../feature'
import type { Ports } from '../../workflows/ports'
import { apiKeysRoutes } from '../api/api-keys-routes'
import { uiSessionsRoutes } from '../api/ui-sessions-routes'
import { uiRoutes } from './ui-routes'

/**
 * The tab pages a host embeds (/ui/...), and `POST /api/v1/ui-sessions` that opens them. The pages
 * act through the API routes of the other features (given here), mounted again behind the session
 * cookie; app.ts mounts the API keys routes itself, so they are added here for the settings page.
 */
export function uiFeature(ports: Ports, config: Config, others: ReadonlyArray<Feature>): Feature {
  return {
    name: 'ui',
    apiRoutes: [uiSessionsRoutes(ports.db, { publicUrl: config.publicUrl })],
    pageRoutes: [
      uiRoutes({
        db: ports.db,
        // Read when the feature is built: every other feature is listed before this one.
        apiGroups: [apiKeysRoutes(ports.db), ...others.flatMap((f) => f.apiRoutes ?? [])],
        bodyLimitBytes: config.bodyLimitBytes,
        frameAncestors: config.uiFrameAncestors,
      }),
    ],
  }
}
