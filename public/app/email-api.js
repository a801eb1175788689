// The email routes: recovering a forgotten password and verifying an address. They share the
// session and envelope handling of api.js.
import { authed, forgetSession, send } from './api.js'

/**
 * Asks for a link to reset a forgotten password. The API answers 202 with the same message
 * whether or not an account has this email; resolves with that message.
 */
export async function requestPasswordReset(email) {
  const answer = await send('POST', '/v1/auth/password-reset', { body: { email }, envelope: true })
  return answer.message ?? ''
}

/**
 * Sets a new password with the token from a reset link (204). The API ends every session of the
 * account; 400 `invalid_token` for a used, replaced or expired link.
 */
export async function confirmPasswordReset(token, newPassword) {
  await send('POST', '/v1/auth/password-reset/confirm', { body: { token, newPassword } })
  forgetSession()
}

/** Spends the token of a verification link; resolves with the user, now `emailVerified`. */
export const verifyEmail = (token) => send('POST', '/v1/auth/verify-email', { body: { token } })

/** Sends the verification email again (202); 429 with Retry-After within a minute. */
export async function resendVerificationEmail() {
  const answer = await authed('POST', '/v1/users/me/verification-email', { envelope: true })
  return answer.message ?? ''
}
