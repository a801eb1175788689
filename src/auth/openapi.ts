import { describeRoute } from 'hono-openapi'
import * as z from 'zod'
import { openApiSchema } from '../lib/openapi-schema'
import {
  aliasOf,
  authFailures,
  bearer,
  bodyFailures,
  failure,
  invalidFields,
  noContent,
  OPTIONAL_BODY,
  ok,
  RETRY_AFTER,
  serviceFailures,
  tooLarge,
  WWW_AUTHENTICATE,
} from '../openapi/describe'
import { User } from '../users/schemas'

/** What the login, token, refresh and logout routes answer. */

const TAGS = ['auth']

const TokenPair = z
  .object({
    token: z.string().meta({ description: 'JWT access token (HS256)' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().meta({ description: 'Seconds' }),
    refreshToken: z.string().optional().meta({
      description:
        'Opaque; single use. Left out when the request asked for the `__Host-refresh_token` cookie instead (`X-Refresh-Token-Transport: cookie`)',
    }),
    user: User,
  })
  .meta({ id: 'TokenPair' })

/** The browser app keeps its refresh token in an HttpOnly cookie rather than in script. */
const cookieTransport = [
  {
    name: 'X-Refresh-Token-Transport',
    in: 'header' as const,
    required: false,
    schema: { type: 'string' as const, enum: ['cookie'] },
    description:
      'With `cookie`, the refresh token travels in the `__Host-refresh_token` cookie (Set-Cookie) instead of the body',
  },
]

const OAuthToken = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string(),
  })
  .meta({ id: 'OAuthToken' })

const wrongPassword = failure('Wrong email or password (`invalid_credentials`)', WWW_AUTHENTICATE)
const unverified = failure(
  'Right password, but the email is not verified and REQUIRE_EMAIL_VERIFICATION is on (`email_not_verified`)',
)
const tooManyLogins = failure(
  'Too many failed logins for this email or network, or too many logins from this address (`rate_limited`)',
  RETRY_AFTER,
)

const login = {
  summary: 'Log in',
  tags: TAGS,
  description: 'Opens a session (see `/v1/auth/sessions`).',
  parameters: cookieTransport,
  responses: {
    '200': ok('Access and refresh token', TokenPair),
    '401': wrongPassword,
    '403': unverified,
    '429': tooManyLogins,
    ...bodyFailures,
    ...serviceFailures,
  },
}
export const describeLogin = describeRoute(login)
export const describeLegacyLogin = aliasOf(login, 'POST /v1/users/login')

export const describeToken = describeRoute({
  summary: 'OAuth2 password grant (for Swagger UI and OAuth2 clients)',
  tags: TAGS,
  responses: {
    '200': {
      description: 'OAuth2 token response (RFC 6749 §5.1, no envelope)',
      content: { 'application/json': { schema: openApiSchema(OAuthToken, 'output') } },
    },
    '401': wrongPassword,
    '403': unverified,
    '429': tooManyLogins,
    '413': tooLarge,
    '415': failure('Body is not form-encoded (`unsupported_media_type`)'),
    '422': invalidFields,
    ...serviceFailures,
  },
})

export const describeRefresh = describeRoute({
  summary: 'Spend a refresh token for a new pair',
  tags: TAGS,
  description:
    'The presented token is spent. Presenting a spent token again ends its session: every token of that login stops working. The body may be left out (or be `{}`) only with `X-Refresh-Token-Transport: cookie`, when the token comes from the cookie.',
  parameters: cookieTransport,
  responses: {
    '200': ok('New access and refresh token', TokenPair),
    '401': failure(
      'Unknown, expired, spent or revoked refresh token, or its session ended (`unauthorized`)',
      WWW_AUTHENTICATE,
    ),
    '429': failure('Too many refreshes from this address (`rate_limited`)', RETRY_AFTER),
    ...bodyFailures,
    ...serviceFailures,
  },
})

export const describeLogout = describeRoute({
  summary: 'End sessions: this one (default), every other one, or all',
  tags: TAGS,
  description:
    "Ends the access token's session (`scope: current`), every other session of the caller (`others`) or all of them (`all`). A `refreshToken` of the caller's in the body ends its session too. Access and refresh tokens of an ended session are refused at once. The body is optional.",
  security: bearer,
  parameters: cookieTransport,
  requestBody: OPTIONAL_BODY,
  responses: { '204': noContent('Ended'), ...authFailures, ...bodyFailures, ...serviceFailures },
})
