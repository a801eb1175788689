import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import { describeRoute } from 'hono-openapi'
import * as z from 'zod'
import { authRoutes, legacyLoginRoutes, loginRoutes } from './auth/routes'
import { emailAuthRoutes, verificationEmailRoutes } from './email/routes'
import type { AppEnv } from './env'
import { healthRoutes } from './health/routes'
import { createNotFoundHandler, handleError } from './lib/error-handler'
import { ApiError } from './lib/errors'
import { openApiSchema } from './lib/openapi-schema'
import { accessLog } from './middleware/access-log'
import { requestContext } from './middleware/context'
import { corsForBrowsers } from './middleware/cors'
import { noStore } from './middleware/no-store'
import { requestIds } from './middleware/request-ids'
import { internalFailure } from './openapi/describe'
import { describeDocument, serveOpenApiDocument } from './openapi/routes'
import { sessionsRoutes } from './sessions/routes'
import { legacyUsersRoutes, usersRoutes } from './users/routes'
import { API_VERSION } from './version'

export const MAX_BODY_BYTES = 16 * 1024

const describeStatus = describeRoute({
  summary: 'Service status',
  tags: ['service'],
  responses: {
    '200': {
      description: 'Running, with the API version',
      content: {
        'application/json': {
          schema: openApiSchema(
            z.object({
              success: z.literal(true),
              status: z.literal('ok'),
              message: z.string(),
              version: z.string(),
            }),
            'output',
          ),
        },
      },
    },
    ...internalFailure,
  },
})

export function createApp() {
  const app = new Hono<AppEnv>()

  app.use(requestIds())
  app.use(accessLog())
  app.use(requestContext())
  app.use(
    corsForBrowsers({
      origin: (origin, c) => (c.var.config.corsOrigins.includes(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposeHeaders: ['Location', 'Retry-After', 'X-Request-Id', 'WWW-Authenticate'],
      maxAge: 600,
    }),
  )
  app.use(secureHeaders())
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', 'The request body is larger than 16 KiB')
      },
    }),
  )

  // Answers here carry tokens or users' data: no cache, shared or private, may keep them.
  app.use('/v1/*', noStore())
  app.use('/api/*', noStore())

  // One chain, so that the type of the app (and of the typed client) knows every route.
  const routes = app
    .get('/', describeStatus, (c) =>
      c.json({
        success: true,
        status: 'ok',
        message: 'User Management API is running',
        version: API_VERSION,
      }),
    )
    .route('/health', healthRoutes)
    .route('/v1/users', loginRoutes)
    .route('/v1/users', usersRoutes)
    .route('/v1/users/me/verification-email', verificationEmailRoutes)
    .route('/v1/auth/sessions', sessionsRoutes)
    .route('/v1/auth', emailAuthRoutes)
    .route('/v1/auth', authRoutes)
    .route('/api/users', legacyLoginRoutes)
    .route('/api/users', legacyUsersRoutes)
    .get('/openapi.json', describeDocument, serveOpenApiDocument(app))

  app.notFound(createNotFoundHandler(() => app.routes))
  app.onError(handleError)
  return routes
}

export type App = ReturnType<typeof createApp>
