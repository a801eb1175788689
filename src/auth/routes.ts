import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { unauthorized, validationError } from '../lib/errors'
import { sha256Hex } from '../lib/tokens'
import { validate } from '../lib/validation'
import { requireAuth } from '../middleware/auth'
import { requireMediaType } from '../middleware/media-type'
import { rateLimit } from '../middleware/rate-limit'
import { endSessions } from '../sessions/queries'
import { LoginBody } from '../users/schemas'
import { clearRefreshCookie, readRefreshCookie, wantsCookie } from './cookie'
import {
  describeLegacyLogin,
  describeLogin,
  describeLogout,
  describeRefresh,
  describeToken,
} from './openapi'
import { LogoutBody, RefreshBody, TokenForm } from './schemas'
import { logIn, refreshSession, sessionBody } from './session'

export const REFRESH_PERIOD_SECONDS = 60
export const LOGIN_PERIOD_SECONDS = 60

/** The token from the body, or from the cookie when the browser app asks for that. */
function presentedRefreshToken(c: Context<AppEnv>, fromBody: string | undefined): string {
  if (fromBody !== undefined) return fromBody
  if (wantsCookie(c)) {
    const fromCookie = readRefreshCookie(c)
    if (fromCookie) return fromCookie
    throw unauthorized('There is no session to continue')
  }
  throw validationError([{ field: 'refreshToken', message: 'is required' }])
}

/**
 * `POST /login`, mounted under `/v1/users` and the original service's `/api/users`: a login
 * answers in the users' namespace, but it opens a session, which is this feature's business.
 */
const loginRoutesDescribedBy = (described: MiddlewareHandler) =>
  new Hono<AppEnv>().post(
    '/login',
    described,
    rateLimit('LOGIN_LIMITER', LOGIN_PERIOD_SECONDS),
    requireMediaType('json'),
    validate('json', LoginBody),
    async (c) => {
      const session = await logIn(c, c.req.valid('json'))
      return c.json({ success: true, message: 'Logged in', data: sessionBody(c, session) })
    },
  )

export const loginRoutes = loginRoutesDescribedBy(describeLogin)
export const legacyLoginRoutes = loginRoutesDescribedBy(describeLegacyLogin)

export const authRoutes = new Hono<AppEnv>()
  .post(
    '/token',
    describeToken,
    rateLimit('LOGIN_LIMITER', LOGIN_PERIOD_SECONDS),
    requireMediaType('form'),
    validate('form', TokenForm),
    async (c) => {
      const { username, password } = c.req.valid('form')
      const { tokens } = await logIn(c, { email: username, password })
      // The OAuth2 token response shape (RFC 6749 §5.1), not the envelope: Swagger UI reads it.
      return c.json({
        access_token: tokens.accessToken,
        token_type: 'bearer' as const,
        expires_in: tokens.expiresIn,
        refresh_token: tokens.refreshToken,
      })
    },
  )
  .post(
    '/refresh',
    describeRefresh,
    rateLimit('REFRESH_LIMITER', REFRESH_PERIOD_SECONDS),
    requireMediaType('json'),
    validate('json', RefreshBody),
    async (c) => {
      const presented = presentedRefreshToken(c, c.req.valid('json').refreshToken)
      const session = await refreshSession(c, presented)
      // The cookie is left alone on a 401: the loser of two tabs refreshing at once must not
      // wipe the cookie the winner just set. Logout and the next login replace it.
      if (!session) throw unauthorized('The refresh token is not valid')
      return c.json({ success: true, data: sessionBody(c, session) })
    },
  )
  .post(
    '/logout',
    requireAuth(),
    requireMediaType('json'),
    validate('json', LogoutBody),
    describeLogout,
    async (c) => {
      const { refreshToken, scope } = c.req.valid('json')
      // The app's cookie belongs to its current session: read and cleared only when that ends.
      const endsCurrent = scope !== 'others'
      const presented = refreshToken ?? (endsCurrent ? readRefreshCookie(c) : undefined)
      const { user, sessionId } = c.var.auth
      const ended = await endSessions(c.var.db, {
        userId: user.id,
        scope,
        currentSessionId: sessionId,
        presentedHash: presented === undefined ? undefined : await sha256Hex(presented),
      })
      c.var.log.info('sessions ended', { userId: user.id, scope, ended })
      if (endsCurrent && wantsCookie(c)) clearRefreshCookie(c)
      return c.body(null, 204)
    },
  )
