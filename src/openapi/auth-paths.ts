import { LogoutBody, RefreshBody, TokenForm } from '../auth/schemas'
import { SessionSummary } from '../sessions/schemas'
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
  responseSchema,
  tokenPair,
  WWW_AUTHENTICATE,
} from './parts'

/** Schemas the /v1/auth paths refer to. */
export const authSchemas = (): Json => ({
  RefreshBody: requestSchema(RefreshBody),
  LogoutBody: requestSchema(LogoutBody),
  TokenForm: requestSchema(TokenForm),
  Session: responseSchema(SessionSummary),
})

/** /v1/auth: tokens and sessions. */
export const authPaths = (): Json => ({
  '/v1/auth/token': {
    post: {
      summary: 'OAuth2 password grant (for Swagger UI and OAuth2 clients)',
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: ref('TokenForm') } },
      },
      responses: {
        '200': {
          description: 'OAuth2 token response (no envelope)',
          ...json({
            type: 'object',
            required: ['access_token', 'token_type', 'expires_in', 'refresh_token'],
            properties: {
              access_token: { type: 'string' },
              token_type: { const: 'bearer' },
              expires_in: { type: 'integer' },
              refresh_token: { type: 'string' },
            },
          }),
        },
        '401': failure('Wrong email or password (`invalid_credentials`)', WWW_AUTHENTICATE),
        '429': failure('Too many failed logins (`rate_limited`)', RETRY_AFTER),
        '415': failure('Body is not form-encoded (`unsupported_media_type`)'),
        '422': common['422'],
      },
    },
  },
  '/v1/auth/refresh': {
    post: {
      summary: 'Spend a refresh token for a new pair',
      description:
        'The presented token is spent. Presenting a spent token again revokes every token of its login (its family).',
      requestBody: { required: true, ...json(ref('RefreshBody')) },
      responses: {
        '200': ok('New access and refresh token', tokenPair),
        '401': failure(
          'Unknown, expired, spent or revoked refresh token (`unauthorized`)',
          WWW_AUTHENTICATE,
        ),
        '429': failure('Too many refreshes from this address (`rate_limited`)', RETRY_AFTER),
        ...common,
      },
    },
  },
  '/v1/auth/logout': {
    post: {
      summary: 'End sessions: this one (default), every other one, or all',
      description:
        "Ends the access token's session (`scope: current`), every other session of the caller (`others`) or all of them (`all`). A `refreshToken` of the caller's in the body ends its session too. Access and refresh tokens of an ended session are refused at once. The body is optional.",
      security: bearer,
      requestBody: { required: false, ...json(ref('LogoutBody')) },
      responses: { '204': { description: 'Ended' }, ...authFailures, ...common },
    },
  },
  '/v1/auth/sessions': {
    get: {
      summary: "The caller's live sessions, newest first",
      security: bearer,
      responses: {
        '200': ok('Live sessions; `current` marks the one of this access token', {
          type: 'object',
          required: ['items'],
          properties: { items: { type: 'array', items: ref('Session') } },
        }),
        ...authFailures,
      },
    },
  },
  '/v1/auth/sessions/{sessionId}': {
    parameters: [
      { name: 'sessionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    ],
    delete: {
      summary: "End one of the caller's sessions",
      security: bearer,
      responses: {
        '204': { description: 'Ended; its tokens are refused from now on' },
        ...authFailures,
        '404': failure("Unknown, already ended, or not the caller's (`not_found`)"),
      },
    },
  },
})
