import type { MiddlewareHandler } from 'hono'
import { getDatabase } from '../db/client'
import { type AppEnv, loadConfig } from '../env'

/**
 * Request-scoped dependencies: settings, parsed once per isolate, and the database client,
 * shared per isolate. Unusable settings throw here, and the error handler answers 500.
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContextHandler(c, next) {
    const config = loadConfig(c.env)
    c.set('config', config)
    c.set('db', getDatabase(config))
    await next()
  }
}
