import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { AppEnv } from '../env'

type CorsOptions = NonNullable<Parameters<typeof cors>[0]>

/**
 * hono's cors() where CORS applies: requests that carry an Origin, and preflights. Any other
 * request (a server, curl, a same-origin GET) gets only `Vary: Origin`, set before the route
 * builds its answer. For such requests cors() would answer nothing different, but it builds a
 * placeholder Response before the route runs, which hono then copies into the route's answer,
 * and copies that answer once more to add Vary: with the Cache-Control below, about a quarter
 * of the Worker's own JavaScript per request on GET /v1/users/me (`npm run bench:micro`).
 */
export function corsForBrowsers(options: CorsOptions): MiddlewareHandler<AppEnv> {
  const handler = cors(options)
  return async function corsForBrowsersHandler(c, next) {
    if (c.req.method === 'OPTIONS' || c.req.header('origin') !== undefined) {
      return handler(c, next)
    }
    c.header('Vary', 'Origin')
    await next()
  }
}
