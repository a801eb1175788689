import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import { uniqueSymbol } from 'hono-openapi'
import type * as z from 'zod'
import { type FieldError, validationError } from './errors'
import { openApiSchema } from './openapi-schema'

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    // zod leaves the input out of issues; its own message says what it received.
    return /received undefined$/.test(issue.message)
      ? 'is required'
      : `must be ${article(issue.expected)}`
  }
  return issue.message
}

const article = (expected: string) =>
  /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`

/** Turns zod issues into the contract's `{field, message}` list; zod's own objects stay inside. */
export function toFieldErrors(error: z.core.$ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String)
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...path, key].join('.'),
        message: 'is not allowed',
      }))
    }
    return [{ field: path.join('.') || 'body', message: describeIssue(issue) }]
  })
}

// The body media types the routes accept (hono-openapi would say multipart for a form).
const MEDIA: Partial<Record<keyof ValidationTargets, string>> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
}

/**
 * The one validator the routes use: zod through @hono/zod-validator, failures as 422. The same
 * schema documents the request in /openapi.json: hono-openapi reads it from the middleware.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) =>
  Object.assign(
    zValidator(target, schema, (result) => {
      if (!result.success) throw validationError(toFieldErrors(result.error))
    }),
    {
      [uniqueSymbol]: {
        target,
        ...openApiSchema(schema, 'input'),
        options: { media: MEDIA[target] },
      },
    },
  )
