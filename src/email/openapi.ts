import { describeRoute } from 'hono-openapi'
import {
  authFailures,
  bearer,
  bodyFailures,
  failure,
  noContent,
  ok,
  RETRY_AFTER,
  serviceFailures,
} from '../openapi/describe'
import { User } from '../users/schemas'

/** What the email verification and password recovery routes answer. */

const TAGS = ['email']

const invalidToken = failure(
  'An unknown, used, replaced or expired token (`invalid_token`), or malformed JSON (`invalid_json`)',
)
const accepted = ok('Accepted: the email is on its way (or, for a reset, would be)')

export const describeVerifyEmail = describeRoute({
  summary: 'Verify an email address with the token from its link',
  tags: TAGS,
  responses: {
    '200': ok('Verified', User),
    ...bodyFailures,
    '400': invalidToken,
    ...serviceFailures,
  },
})

export const describeResendVerification = describeRoute({
  summary: 'Send the verification email again (at most once a minute)',
  tags: TAGS,
  description: 'Answers 202 with a message saying so when the email is already verified.',
  security: bearer,
  responses: {
    '202': accepted,
    '429': failure('Asked within the last minute (`rate_limited`)', RETRY_AFTER),
    ...authFailures,
    ...serviceFailures,
  },
})

export const describePasswordReset = describeRoute({
  summary: 'Email a password reset link',
  tags: TAGS,
  description:
    'Answers the same, after the same work, whether or not an account has this email; only an account gets an email. At most 3 requests an hour per email and 10 per network.',
  responses: {
    '202': accepted,
    '429': failure('Too many reset requests (`rate_limited`)', RETRY_AFTER),
    ...bodyFailures,
    ...serviceFailures,
  },
})

export const describePasswordResetConfirm = describeRoute({
  summary: 'Set a new password with the token from a reset link',
  tags: TAGS,
  description:
    'Spends the token, ends every session of the user (access tokens included), marks the email verified and clears the failed-login counters of that email. A weak password is 422 and the token stays good.',
  responses: {
    '204': noContent('Changed'),
    '429': failure('Too many tries from this address (`rate_limited`)', RETRY_AFTER),
    ...bodyFailures,
    '400': invalidToken,
    ...serviceFailures,
  },
})
