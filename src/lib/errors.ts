import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Every `code` a failure can carry; the OpenAPI document lists the same. */
export const ERROR_CODES = [
  'validation_error',
  'invalid_json',
  'unsupported_media_type',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'invalid_credentials',
  'invalid_token',
  'email_not_verified',
  'rate_limited',
  'internal_error',
  'service_unavailable',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export type FieldError = { field: string; message: string }

type ApiErrorOptions = {
  errors?: FieldError[]
  headers?: Record<string, string>
  cause?: unknown
}

/** An error that becomes the contract's failure envelope. */
export class ApiError extends HTTPException {
  override name = 'ApiError'
  readonly code: ErrorCode
  readonly errors: FieldError[] | undefined
  readonly headers: Record<string, string>

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(status, { message, cause: options.cause })
    this.code = code
    this.errors = options.errors
    this.headers = options.headers ?? {}
  }
}

export const BEARER_CHALLENGE = 'Bearer realm="user-api"'

export const unauthorized = (message = 'Authentication required', cause?: unknown) =>
  new ApiError(401, 'unauthorized', message, {
    cause,
    headers: { 'WWW-Authenticate': `${BEARER_CHALLENGE}, error="invalid_token"` },
  })

export const invalidCredentials = () =>
  new ApiError(401, 'invalid_credentials', 'Incorrect email or password', {
    headers: { 'WWW-Authenticate': BEARER_CHALLENGE },
  })

/** A verification or reset token that is unknown, used or expired. */
export const invalidToken = () =>
  new ApiError(400, 'invalid_token', 'This link is not valid: it was used, replaced or has expired')

export const emailNotVerified = () =>
  new ApiError(
    403,
    'email_not_verified',
    'Verify your email address first: follow the link we sent, or ask for a new one',
  )

export const forbidden = (message = 'You are not allowed to do this') =>
  new ApiError(403, 'forbidden', message)

export const notFound = (message = 'Not found') => new ApiError(404, 'not_found', message)

export const conflict = (message: string, field?: string) =>
  new ApiError(409, 'conflict', message, field ? { errors: [{ field, message }] } : {})

export const validationError = (errors: FieldError[], message = 'Some fields are not valid') =>
  new ApiError(422, 'validation_error', message, { errors })

export const rateLimited = (retryAfterSeconds: number, message = 'Too many requests') =>
  new ApiError(429, 'rate_limited', message, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  })
