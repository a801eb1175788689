import {
  ChangePasswordBody,
  DeleteAccountBody,
  ListUsersQuery,
  LoginBody,
  RegisterBody,
  UpdateMeBody,
  UpdateUserBody,
  User,
} from '../users/schemas'
import { API_VERSION } from '../version'
import { authPaths, authSchemas } from './auth-paths'
import { emailPaths, emailSchemas } from './email-paths'
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

const userIdParameter = {
  name: 'userId',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
}

const register = {
  summary: 'Register',
  requestBody: { required: true, ...json(ref('RegisterBody')) },
  responses: {
    '201': ok('Created; `Location` names the user', ref('User')),
    '409': failure('Email already registered (`conflict`)'),
    '429': failure('Too many registrations from this address', RETRY_AFTER),
    ...common,
  },
}

const login = {
  summary: 'Log in',
  requestBody: { required: true, ...json(ref('LoginBody')) },
  responses: {
    '200': ok('Access and refresh token', tokenPair),
    '401': failure('Wrong email or password (`invalid_credentials`)', WWW_AUTHENTICATE),
    '429': failure(
      'Too many failed logins for this email or address (`rate_limited`)',
      RETRY_AFTER,
    ),
    ...common,
  },
}

const me = {
  summary: 'The caller',
  security: bearer,
  responses: { '200': ok('The caller', ref('User')), ...authFailures },
}

/** The original service's paths answer exactly as their /v1 counterparts. */
const alias = (operation: { summary: string }, of: string) => ({
  ...operation,
  summary: `${operation.summary} (alias of ${of}, the original service's path)`,
})

/** Answers of a route that checks the caller's current password (re-authentication). */
const reauthFailures = {
  '422': failure(
    'A field is not valid, or `currentPassword` is missing or wrong (`validation_error`, with `errors`)',
  ),
  '429': failure('Too many wrong current passwords for this user (`rate_limited`)', RETRY_AFTER),
}

const updateMe = {
  summary: 'Update own name or email',
  description: 'Changing the email needs `currentPassword` in the same body.',
  security: bearer,
  requestBody: { required: true, ...json(ref('UpdateMeBody')) },
  responses: {
    '200': ok('Updated', ref('User')),
    '409': failure('Email taken (`conflict`)'),
    ...authFailures,
    ...common,
    ...reauthFailures,
  },
}

const updateUser = {
  summary: 'Update a user (self or admin; only an admin sets `role`)',
  description:
    "A role change ends every session of the user. On one's own account, changing the email needs `currentPassword`.",
  security: bearer,
  requestBody: { required: true, ...json(ref('UpdateUserBody')) },
  responses: {
    '200': ok('Updated', ref('User')),
    ...authFailures,
    '403': failure('Not yourself and not an admin, or `role` from a non-admin (`forbidden`)'),
    '404': failure('Unknown or malformed id (`not_found`)'),
    '409': failure('Email taken (`conflict`)'),
    ...common,
    ...reauthFailures,
  },
}

function buildDocument(): Json {
  const listQuery = requestSchema(ListUsersQuery) as { properties: Record<string, Json> }
  return {
    openapi: '3.1.0',
    info: {
      title: 'User Management API',
      version: API_VERSION,
      description:
        'Register, log in, manage your profile; admins manage users. Every JSON response is an envelope: `{success, message?, data?}` or `{success: false, message, code, errors?}`.',
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/v1/auth/token', scopes: {} } } },
      },
      schemas: {
        User: responseSchema(User),
        Failure: {
          type: 'object',
          required: ['success', 'message', 'code'],
          properties: {
            success: { const: false },
            message: { type: 'string' },
            code: {
              enum: [
                'validation_error',
                'invalid_json',
                'unsupported_media_type',
                'payload_too_large',
                'unauthorized',
                'forbidden',
                'not_found',
                'method_not_allowed',
                'conflict',
                'invalid_credentials',
                'invalid_token',
                'email_not_verified',
                'rate_limited',
                'internal_error',
                'service_unavailable',
              ],
            },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['field', 'message'],
                properties: { field: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
        RegisterBody: requestSchema(RegisterBody),
        LoginBody: requestSchema(LoginBody),
        UpdateMeBody: requestSchema(UpdateMeBody),
        UpdateUserBody: requestSchema(UpdateUserBody),
        ChangePasswordBody: requestSchema(ChangePasswordBody),
        DeleteAccountBody: requestSchema(DeleteAccountBody),
        ...authSchemas(),
        ...emailSchemas(),
        Accepted: {
          type: 'object',
          required: ['success', 'message'],
          properties: { success: { const: true }, message: { type: 'string' } },
        },
      },
    },
    paths: {
      '/': { get: { summary: 'Service status', responses: { '200': { description: 'Running' } } } },
      '/health': {
        get: {
          summary: 'Liveness and a database round trip',
          responses: {
            '200': ok('Healthy'),
            '503': failure('Database unreachable (`service_unavailable`)'),
          },
        },
      },
      '/v1/users': {
        post: register,
        get: {
          summary: 'List users (admin)',
          security: bearer,
          parameters: Object.entries(listQuery.properties).map(([name, schema]) => ({
            name,
            in: 'query',
            required: false,
            schema,
            description:
              name === 'cursor'
                ? 'Opaque; `nextCursor` of the previous page'
                : name === 'q'
                  ? 'Prefix of the email or the name (case-insensitive)'
                  : 'Page size, 1 to 100',
          })),
          responses: {
            '200': ok('A page of users, ordered by email', {
              type: 'object',
              properties: {
                items: { type: 'array', items: ref('User') },
                nextCursor: { type: ['string', 'null'] },
              },
            }),
            ...authFailures,
            '403': failure('Not an admin (`forbidden`)'),
            '422': common['422'],
          },
        },
      },
      '/v1/users/login': { post: login },
      ...authPaths(),
      ...emailPaths(),
      '/v1/users/me': {
        get: me,
        patch: updateMe,
        put: { ...updateMe, summary: 'Same as PATCH (a partial update too)' },
        delete: {
          summary: 'Delete own account (audit-logged); needs `currentPassword`',
          security: bearer,
          requestBody: { required: true, ...json(ref('DeleteAccountBody')) },
          responses: {
            '204': { description: 'Deleted, with every session' },
            ...authFailures,
            ...common,
            ...reauthFailures,
          },
        },
      },
      '/v1/users/me/password': {
        post: {
          summary: 'Change password; every earlier token stops working',
          security: bearer,
          requestBody: { required: true, ...json(ref('ChangePasswordBody')) },
          responses: {
            '204': { description: 'Changed' },
            '422': failure('Invalid new password, or wrong `currentPassword` (`validation_error`)'),
            '429': failure('Too many wrong current passwords (`rate_limited`)', RETRY_AFTER),
            ...authFailures,
          },
        },
      },
      '/v1/users/{userId}': {
        parameters: [userIdParameter],
        get: {
          summary: 'One user (self or admin)',
          security: bearer,
          responses: {
            '200': ok('The user', ref('User')),
            ...authFailures,
            '403': failure('Not yourself and not an admin'),
            '404': failure('Unknown or malformed id'),
          },
        },
        patch: updateUser,
        put: { ...updateUser, summary: 'Same as PATCH (a partial update too)' },
        delete: {
          summary: 'Delete a user (self or admin; audit-logged)',
          description: "On one's own account, `currentPassword` is needed as for `/v1/users/me`.",
          security: bearer,
          requestBody: { required: false, ...json(ref('DeleteAccountBody')) },
          responses: {
            '204': { description: 'Deleted' },
            ...authFailures,
            ...reauthFailures,
            '403': failure('Not allowed'),
            '404': failure('Unknown or malformed id'),
          },
        },
      },
      '/api/users/register': { post: alias(register, 'POST /v1/users') },
      '/api/users/login': { post: alias(login, 'POST /v1/users/login') },
      '/api/users/me': { get: alias(me, 'GET /v1/users/me') },
    },
  }
}

let document: Json | undefined

/** Built on first use and kept for the isolate's life. */
export function openApiDocument(): Json {
  document ??= buildDocument()
  return document
}
