import type { Hono, MiddlewareHandler } from 'hono'
import { describeRoute, type GenerateSpecOptions, generateSpecs } from 'hono-openapi'
import * as z from 'zod'
import type { AppEnv } from '../env'
import { openApiSchema } from '../lib/openapi-schema'
import { API_VERSION } from '../version'
import { internalFailure } from './describe'

const documentation: GenerateSpecOptions['documentation'] = {
  info: {
    title: 'User Management API',
    version: API_VERSION,
    description:
      'Register, log in, manage your profile and sessions; admins manage users. Every JSON response is an envelope: `{success, message?, data?}` or `{success: false, message, code, errors?}`.',
  },
  tags: [
    { name: 'users', description: 'Registration and your own account' },
    { name: 'auth', description: 'Logging in, tokens and logging out' },
    { name: 'sessions', description: 'Your logins: see them, end them' },
    { name: 'email', description: 'Verification and password recovery' },
    { name: 'admin', description: 'Users by id (yourself, or anyone for an admin)' },
    { name: 'service', description: 'Status and documentation' },
  ],
  components: {
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/v1/auth/token', scopes: {} } } },
    },
  },
}

export const describeDocument = describeRoute({
  summary: 'This OpenAPI document (Swagger UI at /docs)',
  tags: ['service'],
  responses: {
    '200': {
      description: 'OpenAPI 3.1',
      content: {
        'application/json': {
          schema: openApiSchema(z.looseObject({ openapi: z.literal('3.1.0') }), 'output'),
        },
      },
    },
    ...internalFailure,
  },
})

/**
 * Serves the OpenAPI document, generated from the routes' own declarations (`describeRoute`
 * and the validators) the first time it is asked for, and kept for the isolate's life.
 */
export function serveOpenApiDocument(app: Hono<AppEnv>): MiddlewareHandler<AppEnv> {
  let document: ReturnType<typeof generateSpecs> | undefined
  return async function openApiDocument(c) {
    document ??= generateSpecs(app, {
      documentation,
      // The library's own 400 shape is not ours: every route states its answers itself.
      defaultValidationErrorResponse: false,
      // Keeps /openapi.json, which the library would take for a static file.
      excludeStaticFile: false,
    })
    try {
      return c.json(await document)
    } catch (error) {
      document = undefined
      throw error
    }
  }
}
