import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../lib/errors'

const MEDIA_TYPES = {
  json: { pattern: /^application\/([\w.-]+\+)?json$/i, label: 'application/json' },
  form: {
    pattern: /^application\/x-www-form-urlencoded$/i,
    label: 'application/x-www-form-urlencoded',
  },
} as const

const hasBody = (headers: Headers) =>
  headers.has('transfer-encoding') || Number(headers.get('content-length') ?? '0') > 0

/**
 * Refuses a request body of any other media type with 415. Hono's validators would otherwise
 * read a mislabelled body as an empty object and answer with a confusing 422.
 */
export function requireMediaType(kind: keyof typeof MEDIA_TYPES): MiddlewareHandler {
  const { pattern, label } = MEDIA_TYPES[kind]
  return async function requireMediaTypeHandler(c, next) {
    if (hasBody(c.req.raw.headers)) {
      const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? ''
      if (!pattern.test(mediaType)) {
        throw new ApiError(415, 'unsupported_media_type', `Send the body as ${label}`)
      }
    }
    await next()
  }
}
