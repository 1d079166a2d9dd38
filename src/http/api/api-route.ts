import { OpenAPIHono, createRoute, type RouteConfig } from '@hono/zod-openapi'
import type { AppEnv } from '../app-env'
import type { Role } from '../../db/schema'
import { requireRole } from '../middleware/auth'
import { ErrorSchema, validationHook } from '../error-response'

const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing or invalid API key', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'The key’s role is too weak', content: { 'application/json': { schema: ErrorSchema } } },
} as const

/**
 * An /api route: bearer auth in the OpenAPI document, its minimum role both enforced (route
 * middleware) and published as `x-role`, which the manifest and the route-table test read.
 */
export function apiRoute<const R extends Omit<RouteConfig, 'middleware' | 'security'>>(role: Role, config: R) {
  return createRoute({
    ...config,
    security: [{ bearerAuth: [] }],
    'x-role': role,
    middleware: requireRole(role),
    responses: { ...errorResponses, ...config.responses },
  } as R & { middleware: ReturnType<typeof requireRole> })
}

/** Every API sub-app validates with the same hook, so a bad request always gets our error shape. */
export function apiRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
}
