import type { MiddlewareHandler } from 'hono'
import { getDatabase } from '../db/client'
import { type AppEnv, loadConfig } from '../env'
import { createLogger } from '../lib/logger'

/**
 * Request-scoped dependencies (settings, database, logger) and one access-log line per
 * request. Settings are parsed once per isolate; the database client is shared per isolate.
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContextHandler(c, next) {
    const started = Date.now()
    const log = createLogger(c.var.requestId)
    c.set('log', log)
    try {
      const config = loadConfig(c.env)
      c.set('config', config)
      c.set('db', getDatabase(config))
      await next()
    } finally {
      // Date.now() only advances across I/O in Workers: this is wall time spent waiting on
      // the database and bcrypt's yields, which is what a client sees.
      log.info('request', {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Date.now() - started,
      })
    }
  }
}
