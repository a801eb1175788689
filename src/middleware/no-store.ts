import type { MiddlewareHandler } from 'hono'

/**
 * `Cache-Control: no-store` on every answer below it, errors included: answers there carry
 * tokens or users' data, and no cache, shared or private, may keep them. Set before the route
 * runs, so hono builds it into the answer; set after, hono copies the whole Response to add it.
 */
export function noStore(): MiddlewareHandler {
  return async function noStoreHandler(c, next) {
    c.header('Cache-Control', 'no-store')
    await next()
  }
}
