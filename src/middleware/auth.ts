import type { MiddlewareHandler } from 'hono'
import { jwt } from 'hono/jwt'
import type { AppEnv, Config } from '../env'
import { ApiError, forbidden, unauthorized } from '../lib/errors'
import {
  AccessTokenClaims,
  JWT_ALGORITHM,
  JWT_AUDIENCE,
  JWT_ISSUER,
  signingKey,
} from '../lib/tokens'
import { findSessionUser } from '../sessions/queries'

// hono's jwt() checks its options when it is built; build it once per signing key.
const verifiers = new WeakMap<CryptoKey, MiddlewareHandler>()

async function verifierFor(config: Config): Promise<MiddlewareHandler> {
  const secret = await signingKey(config)
  let verifier = verifiers.get(secret)
  if (!verifier) {
    verifier = jwt({
      secret,
      alg: JWT_ALGORITHM,
      verification: { iss: JWT_ISSUER, aud: JWT_AUDIENCE },
    })
    verifiers.set(secret, verifier)
  }
  return verifier
}

/**
 * Requires a valid bearer access token whose session is live, for a user that still exists at
 * the token's version; sets `c.var.auth`. One round trip. Tokens issued before sessions
 * existed carry no `sid` and are refused: their clients refresh or log in again.
 */
export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async function requireAuthHandler(c, next) {
    try {
      await (await verifierFor(c.var.config))(c, async () => {})
    } catch (error) {
      if (error instanceof ApiError) throw error
      const presented = Boolean(c.req.header('authorization'))
      throw unauthorized(
        presented ? 'The access token is not valid' : 'Authentication required',
        error,
      )
    }
    const claims = AccessTokenClaims.safeParse(c.get('jwtPayload'))
    if (!claims.success) throw unauthorized('The access token is not valid')
    const user = await findSessionUser(c.var.db, claims.data.sub, claims.data.sid)
    if (!user || user.tokenVersion !== claims.data.ver) {
      throw unauthorized('The session has ended')
    }
    c.set('auth', { user, sessionId: claims.data.sid, tokenId: claims.data.jti })
    await next()
  }
}

/** Requires `requireAuth()` before it. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdminHandler(c, next) {
    if (c.var.auth.user.role !== 'admin') throw forbidden('Only an admin may do this')
    await next()
  }
}
