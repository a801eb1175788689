import * as z from 'zod'
import { NewPassword, PresentedEmail } from '../users/schemas'

/**
 * A token from an email link. Any text is looked up (a malformed one is simply unknown: 400
 * `invalid_token`, like a used or expired one); only a missing field or another type is 422.
 */
export const EmailTokenValue = z
  .string()
  .meta({ description: 'The token from the link in the email (after `token=`)' })

export const VerifyEmailBody = z
  .strictObject({ token: EmailTokenValue })
  .meta({ id: 'VerifyEmailBody' })
export const PasswordResetBody = z
  .strictObject({ email: PresentedEmail })
  .meta({ id: 'PasswordResetBody' })
export const PasswordResetConfirmBody = z
  .strictObject({
    token: EmailTokenValue,
    newPassword: NewPassword,
  })
  .meta({ id: 'PasswordResetConfirmBody' })
