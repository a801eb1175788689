import * as z from 'zod'

/** Building blocks of the OpenAPI document, shared by its path groups. */
export type Json = Record<string, unknown>

/**
 * A zod schema as a component. One with a `meta({ id })` comes back from zod as a reference into
 * its own `$defs`, which would dangle inside the document: the component is the definition.
 */
function componentSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const converted = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Json & { $ref?: string; $defs?: Record<string, Json> }
  const { $schema: _, $ref, $defs, ...rest } = converted
  const own = $ref?.startsWith('#/$defs/') ? $defs?.[$ref.slice('#/$defs/'.length)] : undefined
  return own ?? { ...rest, ...($defs ? { $defs } : {}), ...($ref ? { $ref } : {}) }
}

export const requestSchema = (schema: z.ZodType): Json => componentSchema(schema, 'input')
export const responseSchema = (schema: z.ZodType): Json => componentSchema(schema, 'output')

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

export const envelope = (data?: Json) => ({
  type: 'object',
  required: ['success'],
  properties: { success: { const: true }, message: { type: 'string' }, ...(data ? { data } : {}) },
})

export const json = (schema: Json) => ({ content: { 'application/json': { schema } } })
export const ok = (description: string, data?: Json) => ({ description, ...json(envelope(data)) })
export const failure = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  ...json(ref('Failure')),
})

export const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds until a try is allowed', schema: { type: 'integer' } },
}
export const WWW_AUTHENTICATE = {
  'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer challenge' },
}

export const common = {
  '413': failure('Body over 16 KiB (`payload_too_large`)'),
  '415': failure('Body is not JSON (`unsupported_media_type`)'),
  '422': failure('A field is not valid (`validation_error`), with `errors`'),
  '400': failure('Malformed JSON (`invalid_json`)'),
}
export const authFailures = {
  '401': failure('Missing, invalid, expired or revoked token (`unauthorized`)', WWW_AUTHENTICATE),
}
export const bearer = [{ bearerAuth: [] }, { oauth2: [] }]

export const tokenPair = {
  type: 'object',
  required: ['token', 'tokenType', 'expiresIn', 'refreshToken', 'user'],
  properties: {
    token: { type: 'string', description: 'JWT access token (HS256)' },
    tokenType: { const: 'Bearer' },
    expiresIn: { type: 'integer', description: 'Seconds' },
    refreshToken: { type: 'string', description: 'Opaque; single use' },
    user: ref('User'),
  },
}
