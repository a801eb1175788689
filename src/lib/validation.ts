import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type * as z from 'zod'
import { type FieldError, validationError } from './errors'

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

/** The one validator the routes use: zod through @hono/zod-validator, failures as 422. */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw validationError(toFieldErrors(result.error))
  })
