import { type ClientRequestOptions, hc } from 'hono/client'
import type { App } from './app'
import type { ErrorCode, FieldError } from './lib/errors'

/**
 * A typed client of the API for TypeScript callers: `import { createClient } from
 * 'edge-user-api/client'`. Paths, bodies and answers come from the routes' own types, so a wrong
 * body or path does not compile. It is built on hono's `hc`; nothing of it is in the Worker.
 */
export type Client = ReturnType<typeof hc<App>>

// The type is computed here once, not at every call site: that keeps callers' type checks fast.
export const createClient = (baseUrl: string, options?: ClientRequestOptions): Client =>
  hc<App>(baseUrl, options)

/**
 * The contract's failure envelope. Failures are thrown inside the app, so `hc` types only the
 * success answer; when `response.ok` is false, read the body with this instead.
 */
export type ApiFailure = {
  success: false
  message: string
  code: ErrorCode
  errors?: FieldError[]
}

export const failureOf = async (response: Response): Promise<ApiFailure> =>
  (await response.json()) as ApiFailure
