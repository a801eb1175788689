import { describeRoute } from 'hono-openapi'
import * as z from 'zod'
import {
  aliasOf,
  authFailures,
  bearer,
  bodyFailures,
  created,
  failure,
  noContent,
  OPTIONAL_BODY,
  ok,
  RETRY_AFTER,
  reauthFailures,
  serviceFailures,
  uuidPathParameter,
} from '../openapi/describe'
import { User } from './schemas'

/** What each /v1/users route answers; the routes put these in front of their validators. */

const TAGS = ['users']
const ADMIN_TAGS = ['admin']

const register = {
  summary: 'Register',
  tags: TAGS,
  description: 'Sends a verification email to the new address.',
  responses: {
    '201': created('Created; `Location` names the user', User),
    '409': failure('Email already registered (`conflict`)'),
    '429': failure('Too many registrations from this address (`rate_limited`)', RETRY_AFTER),
    ...bodyFailures,
    ...serviceFailures,
  },
}
export const describeRegister = describeRoute(register)
export const describeLegacyRegister = aliasOf(register, 'POST /v1/users')

const me = {
  summary: 'The caller',
  tags: TAGS,
  security: bearer,
  responses: { '200': ok('The caller', User), ...authFailures, ...serviceFailures },
}
export const describeMe = describeRoute(me)
export const describeLegacyMe = aliasOf(me, 'GET /v1/users/me')

export const describeUpdateMe = describeRoute({
  summary: 'Update own name or email (PUT is the same partial update)',
  tags: TAGS,
  description: 'Changing the email needs `currentPassword` in the same body.',
  security: bearer,
  responses: {
    '200': ok('Updated', User),
    '409': failure('Email taken (`conflict`)'),
    ...authFailures,
    ...bodyFailures,
    ...reauthFailures,
    ...serviceFailures,
  },
})

export const describeChangePassword = describeRoute({
  summary: 'Change password; every session ends, this one too',
  tags: TAGS,
  security: bearer,
  responses: {
    '204': noContent('Changed'),
    ...authFailures,
    ...bodyFailures,
    ...reauthFailures,
    ...serviceFailures,
    '422': failure('Invalid new password, or wrong `currentPassword` (`validation_error`)'),
  },
})

export const describeDeleteMe = describeRoute({
  summary: 'Delete own account (audit-logged); needs `currentPassword`',
  tags: TAGS,
  security: bearer,
  responses: {
    '204': noContent('Deleted, with every session'),
    ...authFailures,
    ...bodyFailures,
    ...reauthFailures,
    ...serviceFailures,
  },
})

export const describeListUsers = describeRoute({
  summary: 'List users (admin)',
  tags: ADMIN_TAGS,
  security: bearer,
  responses: {
    '200': ok(
      'A page of users, ordered by email',
      z.object({ items: z.array(User), nextCursor: z.string().nullable() }),
    ),
    ...authFailures,
    '403': failure('Not an admin (`forbidden`)'),
    '422': failure('A query parameter is not valid (`validation_error`, with `errors`)'),
    ...serviceFailures,
  },
})

const userIdParameters = [uuidPathParameter('userId')]
const notAllowed = failure('Not yourself and not an admin (`forbidden`)')
const unknownUser = failure('Unknown or malformed id (`not_found`)')

export const describeGetUser = describeRoute({
  summary: 'One user (self or admin)',
  tags: ADMIN_TAGS,
  security: bearer,
  parameters: userIdParameters,
  responses: {
    '200': ok('The user', User),
    ...authFailures,
    '403': notAllowed,
    '404': unknownUser,
    ...serviceFailures,
  },
})

export const describeUpdateUser = describeRoute({
  summary: 'Update a user (self or admin; only an admin sets `role`; PUT is the same)',
  tags: ADMIN_TAGS,
  description:
    "A role change ends every session of the user. On one's own account, changing the email needs `currentPassword`.",
  security: bearer,
  parameters: userIdParameters,
  responses: {
    '200': ok('Updated', User),
    ...authFailures,
    '403': failure('Not yourself and not an admin, or `role` from a non-admin (`forbidden`)'),
    '404': unknownUser,
    '409': failure('Email taken (`conflict`)'),
    ...bodyFailures,
    ...reauthFailures,
    ...serviceFailures,
  },
})

export const describeDeleteUser = describeRoute({
  summary: 'Delete a user (self or admin; audit-logged)',
  tags: ADMIN_TAGS,
  description: "On one's own account, `currentPassword` is needed as for `/v1/users/me`.",
  security: bearer,
  parameters: userIdParameters,
  requestBody: OPTIONAL_BODY,
  responses: {
    '204': noContent('Deleted'),
    ...authFailures,
    '403': notAllowed,
    '404': unknownUser,
    ...bodyFailures,
    ...reauthFailures,
    ...serviceFailures,
  },
})
