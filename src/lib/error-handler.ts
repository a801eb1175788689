import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { isDatabaseUnavailable, pgErrorCode } from '../db/errors'
import { type AppEnv, ConfigError } from '../env'
import { ApiError, BEARER_CHALLENGE, type ErrorCode } from './errors'
import { createLogger } from './logger'

type Failure = {
  success: false
  message: string
  code: ErrorCode
  errors?: { field: string; message: string }[]
}

function respond(
  c: Context,
  status: ContentfulStatusCode,
  body: Failure,
  headers: Record<string, string> = {},
) {
  for (const [name, value] of Object.entries(headers)) c.header(name, value)
  return c.json(body, status)
}

/** A 503 whose request can be sent again as it is, after `retryAfterSeconds`. */
const tryAgain = (c: Context, message: string, retryAfterSeconds: number) =>
  respond(
    c,
    503,
    { success: false, code: 'service_unavailable', message },
    {
      'Retry-After': String(retryAfterSeconds),
    },
  )

// Errors hono's own middleware raises, in the contract's words.
const HTTP_EXCEPTIONS: Partial<Record<number, { code: ErrorCode; message: string }>> = {
  400: { code: 'invalid_json', message: 'The request body is not valid JSON' },
  401: { code: 'unauthorized', message: 'Authentication required' },
  413: { code: 'payload_too_large', message: 'The request body is larger than 16 KiB' },
}

const logFor = (c: Context<AppEnv>) => c.var.log ?? createLogger(c.var.requestId ?? 'unknown')

/** The one error handler: every failure leaves as the contract's envelope, and nothing else. */
export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof ApiError) {
    const body: Failure = { success: false, message: error.message, code: error.code }
    if (error.errors) body.errors = error.errors
    return respond(c, error.status as ContentfulStatusCode, body, error.headers)
  }
  if (error instanceof HTTPException && error.status < 500) {
    const known = HTTP_EXCEPTIONS[error.status]
    const headers: Record<string, string> =
      error.status === 401 ? { 'WWW-Authenticate': BEARER_CHALLENGE } : {}
    const body: Failure = known
      ? { success: false, ...known }
      : { success: false, code: 'validation_error', message: 'The request is not valid' }
    return respond(c, error.status as ContentfulStatusCode, body, headers)
  }
  const log = logFor(c)
  if (error instanceof ConfigError) {
    log.error('configuration is invalid', { settings: error.invalidSettings.join(',') })
    return respond(c, 500, {
      success: false,
      code: 'internal_error',
      message: 'The service is misconfigured',
    })
  }
  if (isDatabaseUnavailable(error)) {
    log.error('database unavailable', { error: error.name })
    return tryAgain(c, 'The database is unavailable; try again shortly', 5)
  }
  // Driver messages can carry SQL and values: log the kind and a PostgreSQL code, never the text.
  const pgCode = pgErrorCode(error)
  if (pgCode?.startsWith('40')) {
    // Class 40 (serialization failure, deadlock): the transaction was rolled back whole, and the
    // same request sent again succeeds. The statements are ordered not to deadlock; this is the
    // net under that.
    log.warn('transaction rolled back', { pgCode })
    return tryAgain(c, 'The request collided with another one; try again', 1)
  }
  if (pgCode?.startsWith('22')) {
    // Class 22 (data exception: bad encoding, out-of-range number) means the input slipped past
    // validation; it is the client's to fix, and nothing was written.
    log.warn('data exception from input', { pgCode })
    return respond(c, 422, {
      success: false,
      code: 'validation_error',
      message: 'The request contains a value that cannot be stored',
    })
  }
  log.error('unhandled error', {
    error: error.name,
    pgCode,
  })
  return respond(c, 500, {
    success: false,
    code: 'internal_error',
    message: 'Something went wrong',
  })
}

type RouteShape = { method: string; pattern: RegExp }

function compileRoutes(routes: { method: string; path: string }[]): RouteShape[] {
  return routes
    .filter((route) => route.method !== 'ALL' && route.path !== '/*' && !route.path.endsWith('*'))
    .map((route) => ({
      method: route.method,
      pattern: new RegExp(
        `^${route.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}/?$`,
      ),
    }))
}

/**
 * 404 for unknown paths; 405 with `Allow` for a known path asked with another method (hono
 * itself answers both with 404).
 */
export function createNotFoundHandler(
  listRoutes: () => { method: string; path: string }[],
): NotFoundHandler<AppEnv> {
  let shapes: RouteShape[] | undefined
  return function notFoundHandler(c) {
    shapes ??= compileRoutes(listRoutes())
    const path = c.req.path
    const allowed = [...new Set(shapes.filter((s) => s.pattern.test(path)).map((s) => s.method))]
    if (allowed.length > 0) {
      if (allowed.includes('GET')) allowed.push('HEAD')
      allowed.push('OPTIONS')
      return respond(
        c,
        405 as ContentfulStatusCode,
        {
          success: false,
          code: 'method_not_allowed',
          message: `Use one of: ${allowed.join(', ')}`,
        },
        { Allow: allowed.join(', ') },
      )
    }
    return respond(c, 404, { success: false, code: 'not_found', message: 'No such route' })
  }
}
