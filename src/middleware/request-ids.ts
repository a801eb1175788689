import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env'

const CLIENT_ID = /^[\w\-=]{1,128}$/

/**
 * Every request gets an id the server made (`c.var.requestId`, answered as `X-Request-Id`), and
 * a well-formed `X-Request-Id` from the client is kept beside it (`c.var.clientRequestId`),
 * never instead of it: an id a client chose cannot pose as, or collide with, the server's in
 * the audit log, and a trace across services still finds the client's.
 */
export function requestIds(): MiddlewareHandler<AppEnv> {
  return async function requestIdsHandler(c, next) {
    const fromClient = c.req.header('x-request-id')
    c.set('requestId', crypto.randomUUID())
    c.set('clientRequestId', fromClient && CLIENT_ID.test(fromClient) ? fromClient : undefined)
    c.header('X-Request-Id', c.var.requestId)
    await next()
  }
}
