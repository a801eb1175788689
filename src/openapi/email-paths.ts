import { PasswordResetBody, PasswordResetConfirmBody, VerifyEmailBody } from '../email/schemas'
import {
  authFailures,
  bearer,
  common,
  failure,
  type Json,
  json,
  ok,
  RETRY_AFTER,
  ref,
  requestSchema,
} from './parts'

/** Schemas the email paths refer to. */
export const emailSchemas = (): Json => ({
  VerifyEmailBody: requestSchema(VerifyEmailBody),
  PasswordResetBody: requestSchema(PasswordResetBody),
  PasswordResetConfirmBody: requestSchema(PasswordResetConfirmBody),
})

const invalidToken = failure(
  'An unknown, used, replaced or expired token (`invalid_token`), or malformed JSON (`invalid_json`)',
)
const accepted = { description: 'Accepted', ...json({ $ref: '#/components/schemas/Accepted' }) }

/** Email verification and password recovery. */
export const emailPaths = (): Json => ({
  '/v1/auth/verify-email': {
    post: {
      summary: 'Verify an email address with the token from its link',
      requestBody: { required: true, ...json(ref('VerifyEmailBody')) },
      responses: { '200': ok('Verified', ref('User')), ...common, '400': invalidToken },
    },
  },
  '/v1/users/me/verification-email': {
    post: {
      summary: 'Send the verification email again (at most once a minute)',
      security: bearer,
      responses: {
        '202': accepted,
        '429': failure('Asked within the last minute (`rate_limited`)', RETRY_AFTER),
        ...authFailures,
      },
    },
  },
  '/v1/auth/password-reset': {
    post: {
      summary: 'Email a password reset link',
      description:
        'Answers the same, after the same work, whether or not an account has this email; only an account gets an email. At most 3 requests an hour per email and 10 per client address.',
      requestBody: { required: true, ...json(ref('PasswordResetBody')) },
      responses: {
        '202': accepted,
        '429': failure('Too many reset requests (`rate_limited`)', RETRY_AFTER),
        ...common,
      },
    },
  },
  '/v1/auth/password-reset/confirm': {
    post: {
      summary: 'Set a new password with the token from a reset link',
      description:
        'Spends the token, ends every session of the user (access tokens included), marks the email verified and clears the failed-login counters of that email. A weak password is 422 and the token stays good.',
      requestBody: { required: true, ...json(ref('PasswordResetConfirmBody')) },
      responses: { '204': { description: 'Changed' }, ...common, '400': invalidToken },
    },
  },
})
