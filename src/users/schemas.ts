import * as z from 'zod'
import { roleEnum, type UserRow } from '../db/schema'
import { BCRYPT_MAX_BYTES } from '../lib/password-limits'

const utf8Bytes = (value: string) => new TextEncoder().encode(value).byteLength
/** Lone UTF-16 surrogates would be stored as U+FFFD: refuse them instead. */
const wellFormed = (value: string) => value.isWellFormed()
const NOT_WELL_FORMED = 'must be valid Unicode text'

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/

/** Bidirectional overrides and isolates: they can make a name display as something else. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/

/**
 * What shows nothing on screen: spaces, format characters (zero-width joiners and spaces among
 * them), characters Unicode says to ignore when not supported (fillers, variation selectors) and
 * the blank Braille pattern. A name may contain them (an emoji ZWJ sequence needs U+200D), but
 * not be made only of them.
 */
const INVISIBLE = /[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu
const hasVisibleCharacter = (name: string) => name.replace(INVISIBLE, '').length > 0

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(255, 'must be at most 255 characters')
  .pipe(z.email('must be a valid email address'))
  .meta({ example: 'ada@example.com', description: 'Trimmed and stored lower-case' })

export const Name = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .refine((name) => [...name].length <= 100, 'must be at most 100 characters')
  .refine((name) => !CONTROL_CHARACTERS.test(name), 'must not contain control characters')
  .refine(
    (name) => !BIDI_CONTROLS.test(name),
    'must not contain bidirectional overrides or isolates',
  )
  .refine(hasVisibleCharacter, 'must contain a visible character')
  .refine(wellFormed, NOT_WELL_FORMED)
  .meta({ example: 'Ada Lovelace' })

/** The rules for a new password. */
export const NewPassword = z
  .string()
  .refine((password) => utf8Bytes(password) >= 8, 'must be at least 8 bytes long')
  .refine(
    (password) => utf8Bytes(password) <= BCRYPT_MAX_BYTES,
    `must be at most ${BCRYPT_MAX_BYTES} bytes long (bcrypt's limit)`,
  )
  .refine((password) => /[A-Z]/.test(password), 'must contain an upper-case letter')
  .refine((password) => /[a-z]/.test(password), 'must contain a lower-case letter')
  .refine((password) => /\d/.test(password), 'must contain a digit')
  .refine((password) => !password.includes('\u0000'), 'must not contain a NUL character')
  .refine(wellFormed, NOT_WELL_FORMED)
  .meta({ example: 'Correct-Horse-9', format: 'password' })

/**
 * A password presented to log in. Accounts moved from the old service may predate today's
 * rules, so only what bcrypt can check is enforced.
 */
export const PresentedPassword = z
  .string()
  .min(1, 'is required')
  .refine(
    (password) => utf8Bytes(password) <= BCRYPT_MAX_BYTES,
    `must be at most ${BCRYPT_MAX_BYTES} bytes long (bcrypt's limit)`,
  )
  .refine((password) => !password.includes('\u0000'), 'must not contain a NUL character')
  .refine(wellFormed, NOT_WELL_FORMED)
  .meta({ format: 'password' })

export const Role = z.enum(roleEnum.enumValues)

export const RegisterBody = z
  .strictObject({ name: Name, email: Email, password: NewPassword })
  .meta({ id: 'RegisterBody' })

/** An email presented to log in: any account's address, so only its shape limits apply. */
export const PresentedEmail = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'is required')
  .max(255, 'must be at most 255 characters')
  .refine((email) => !CONTROL_CHARACTERS.test(email), 'must not contain control characters')
  .refine(wellFormed, NOT_WELL_FORMED)

export const LoginBody = z
  .strictObject({ email: PresentedEmail, password: PresentedPassword })
  .meta({ id: 'LoginBody' })

/** Re-authentication: the caller's password, for changes a stolen access token must not make. */
export const CurrentPassword = PresentedPassword.meta({
  description:
    "The caller's password: needed to change one's own email or delete one's own account, and always checked when sent",
})

const changesSomething = (body: object) =>
  Object.keys(body).some((field) => field !== 'currentPassword')
const AT_LEAST_ONE = { message: 'Send at least one field to change' }

export const UpdateMeBody = z
  .strictObject({
    name: Name.optional(),
    email: Email.optional(),
    currentPassword: CurrentPassword.optional(),
  })
  .refine(changesSomething, AT_LEAST_ONE)
  .meta({ id: 'UpdateMeBody' })

export const UpdateUserBody = z
  .strictObject({
    name: Name.optional(),
    email: Email.optional(),
    role: Role.optional(),
    currentPassword: CurrentPassword.optional(),
  })
  .refine(changesSomething, AT_LEAST_ONE)
  .meta({ id: 'UpdateUserBody' })

/** Deleting one's own account; an admin deleting someone else sends no body. */
export const DeleteAccountBody = z
  .strictObject({ currentPassword: CurrentPassword.optional() })
  .meta({ id: 'DeleteAccountBody' })

export const ChangePasswordBody = z
  .strictObject({ currentPassword: PresentedPassword, newPassword: NewPassword })
  .meta({ id: 'ChangePasswordBody' })

export const ListUsersQuery = z.object({
  limit: z.coerce
    .number('must be a number')
    .int('must be a whole number')
    .min(1, 'must be between 1 and 100')
    .max(100, 'must be between 1 and 100')
    .default(20)
    .meta({ description: 'Page size, 1 to 100' }),
  cursor: z
    .string()
    .max(512, 'is not a valid cursor')
    .optional()
    .meta({ description: 'Opaque; `nextCursor` of the previous page' }),
  q: z
    .string()
    .trim()
    .max(255, 'must be at most 255 characters')
    .refine((q) => !CONTROL_CHARACTERS.test(q), 'must not contain control characters')
    .refine(wellFormed, NOT_WELL_FORMED)
    .optional()
    .meta({ description: 'Prefix of the email or the name (case-insensitive)' }),
})

export const User = z
  .object({
    userId: z.uuid(),
    name: z.string(),
    email: z.string(),
    emailVerified: z.boolean(),
    role: Role,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'User' })
export type User = z.infer<typeof User>

export function toUser(row: UserRow): User {
  return {
    userId: row.id,
    name: row.name,
    email: row.email,
    emailVerified: row.emailVerifiedAt !== null,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
