import type { DescribeRouteOptions } from 'hono-openapi'
import { describeRoute } from 'hono-openapi'
import * as z from 'zod'
import { ERROR_CODES } from '../lib/errors'
import { openApiSchema } from '../lib/openapi-schema'

/**
 * Building blocks for `describeRoute`: each route states every answer it can give, in the
 * contract's envelope, and the document at /openapi.json is generated from those statements
 * and the validators (see ./routes.ts).
 */
export type Responses = NonNullable<DescribeRouteOptions['responses']>
type Response = NonNullable<Responses[string]>
type Headers = Record<string, { description: string; schema: { type: 'integer' | 'string' } }>

export const Failure = z
  .object({
    success: z.literal(false),
    message: z.string(),
    code: z.enum(ERROR_CODES),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'With `validation_error`, and with a `conflict` on one field' }),
  })
  .meta({ id: 'Failure' })

// Answers are what the handlers send: zod's output side (defaults applied, no input-only forms).
const json = (schema: z.ZodType) => ({
  'application/json': { schema: openApiSchema(schema, 'output') },
})

/** A success envelope: `{success: true, message?, data?}`. */
export const ok = (description: string, data?: z.ZodType, headers?: Headers): Response => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(
    z.object({
      success: z.literal(true),
      message: z.string().optional(),
      ...(data ? { data } : {}),
    }),
  ),
})

export const noContent = (description: string): Response => ({ description })

export const failure = (description: string, headers?: Headers): Response => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(Failure),
})

export const RETRY_AFTER: Headers = {
  'Retry-After': { description: 'Seconds until a try is allowed', schema: { type: 'integer' } },
}
export const WWW_AUTHENTICATE: Headers = {
  'WWW-Authenticate': { description: 'Bearer challenge', schema: { type: 'string' } },
}
const LOCATION: Headers = {
  Location: { description: 'The new resource', schema: { type: 'string' } },
}
export const created = (description: string, data: z.ZodType) => ok(description, data, LOCATION)

export const tooLarge = failure('Body over 16 KiB (`payload_too_large`)')
export const invalidFields = failure('A field is not valid (`validation_error`, with `errors`)')

/** What any route with a JSON body can answer before its handler runs. */
export const bodyFailures: Responses = {
  '400': failure('Malformed JSON (`invalid_json`)'),
  '413': tooLarge,
  '415': failure('Body of another media type (`unsupported_media_type`)'),
  '422': invalidFields,
}

/** What any route can answer when the service itself fails (see lib/error-handler.ts). */
export const internalFailure: Responses = {
  '500': failure('The service is misconfigured or failed; nothing was changed (`internal_error`)'),
}

/** ...and a route that reads or writes the database, when it cannot be reached. */
export const serviceFailures: Responses = {
  ...internalFailure,
  '503': failure(
    'The database cannot be reached: send the same request again after `Retry-After` (`service_unavailable`)',
    RETRY_AFTER,
  ),
}

export const authFailures: Responses = {
  '401': failure('Missing, invalid, expired or revoked token (`unauthorized`)', WWW_AUTHENTICATE),
}

/** Answers of a route that checks the caller's current password (re-authentication). */
export const reauthFailures: Responses = {
  '422': failure(
    'A field is not valid, or `currentPassword` is missing or wrong (`validation_error`, with `errors`)',
  ),
  '429': failure('Too many wrong current passwords for this user (`rate_limited`)', RETRY_AFTER),
}

/**
 * For a route whose body may be left out; put after the validator, whose documentation says
 * `required`, so that this wins.
 */
export const OPTIONAL_BODY = { required: false, content: {} }

export const bearer: NonNullable<DescribeRouteOptions['security']> = [
  { bearerAuth: [] },
  { oauth2: [] },
]

export const uuidPathParameter = (name: string) => ({
  name,
  in: 'path' as const,
  required: true,
  schema: { type: 'string' as const, format: 'uuid' },
})

/** The original service's paths answer exactly as their /v1 counterparts. */
export const aliasOf = (operation: DescribeRouteOptions, of: string) =>
  describeRoute({
    ...operation,
    summary: `${operation.summary} (alias of ${of}, the original service's path)`,
  })
