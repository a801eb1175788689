import * as z from 'zod'
import { NewPassword, PresentedEmail } from '../users/schemas'

/** A token from an email link: what we issue is 43 base64url characters. */
export const EmailTokenValue = z
  .string()
  .min(1, 'is required')
  .max(512, 'is not a valid token')
  .meta({ description: 'The token from the link in the email (after `token=`)' })

export const VerifyEmailBody = z.strictObject({ token: EmailTokenValue })
export const PasswordResetBody = z.strictObject({ email: PresentedEmail })
export const PasswordResetConfirmBody = z.strictObject({
  token: EmailTokenValue,
  newPassword: NewPassword,
})
