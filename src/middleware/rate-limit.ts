import type { MiddlewareHandler } from 'hono'
import type { AppEnv, Bindings } from '../env'
import { rateLimited } from '../lib/errors'
import { clientNetwork } from './client-address'

type LimiterName = {
  [K in keyof Bindings]-?: Bindings[K] extends RateLimit ? K : never
}[keyof Bindings]

/**
 * Per-address limit through a Workers Rate Limiting binding. Its counters live at the edge
 * location, so they cost no database round trip; the window is the binding's `period`.
 */
export function rateLimit(binding: LimiterName, periodSeconds: number): MiddlewareHandler<AppEnv> {
  return async function rateLimitHandler(c, next) {
    const { success } = await c.env[binding].limit({ key: clientNetwork(c) })
    if (!success)
      throw rateLimited(periodSeconds, 'Too many requests from this address; try again later')
    await next()
  }
}
