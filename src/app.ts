import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import { authRoutes, loginRoutes } from './auth/routes'
import { emailAuthRoutes, verificationEmailRoutes } from './email/routes'
import type { AppEnv } from './env'
import { healthRoutes } from './health/routes'
import { createNotFoundHandler, handleError } from './lib/error-handler'
import { ApiError } from './lib/errors'
import { accessLog } from './middleware/access-log'
import { requestContext } from './middleware/context'
import { corsForBrowsers } from './middleware/cors'
import { noStore } from './middleware/no-store'
import { requestIds } from './middleware/request-ids'
import { openApiRoutes } from './openapi/routes'
import { sessionsRoutes } from './sessions/routes'
import { legacyUsersRoutes, usersRoutes } from './users/routes'
import { API_VERSION } from './version'

export const MAX_BODY_BYTES = 16 * 1024

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

  app.get('/', (c) =>
    c.json({
      success: true,
      status: 'ok',
      message: 'User Management API is running',
      version: API_VERSION,
    }),
  )
  app.use('/v1/*', noStore())
  app.use('/api/*', noStore())

  app.route('/health', healthRoutes)
  app.route('/v1/users', loginRoutes)
  app.route('/v1/users', usersRoutes)
  app.route('/v1/users/me/verification-email', verificationEmailRoutes)
  app.route('/v1/auth/sessions', sessionsRoutes)
  app.route('/v1/auth', emailAuthRoutes)
  app.route('/v1/auth', authRoutes)
  app.route('/api/users', loginRoutes)
  app.route('/api/users', legacyUsersRoutes)
  app.route('/', openApiRoutes)

  app.notFound(createNotFoundHandler(() => app.routes))
  app.onError(handleError)
  return app
}

export type App = ReturnType<typeof createApp>
