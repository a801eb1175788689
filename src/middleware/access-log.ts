import type { MiddlewareHandler } from 'hono'
import { type AppEnv, logLevelOf } from '../env'
import { createLogger } from '../lib/logger'

/**
 * The request's logger at LOG_LEVEL, and with LOG_LEVEL=debug one access-log line per request
 * with the status the client got. It runs outside everything that can fail (settings,
 * database): hono turns an error into the error handler's answer where it is thrown, so by the
 * time `next()` returns here, `c.res` is what was sent, a 500 included.
 */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async function accessLogHandler(c, next) {
    const log = createLogger(c.var.requestId, logLevelOf(c.env))
    c.set('log', log)
    if (!log.writes('debug')) {
      await next()
      return
    }
    const started = Date.now()
    try {
      await next()
    } finally {
      // Date.now() only advances across I/O in Workers: this is wall time spent waiting on
      // the database and bcrypt's yields, which is what a client sees.
      log.debug('request', {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Date.now() - started,
        clientRequestId: c.var.clientRequestId,
      })
    }
  }
}
