import type { Context } from 'hono'
import { asBatch } from '../db/client'
import type { UserRow } from '../db/schema'
import type { AppEnv } from '../env'
import { emailNotVerified, invalidCredentials, rateLimited } from '../lib/errors'
import {
  burnPasswordCheck,
  hashPassword,
  needsRehash,
  topUpPasswordCheck,
  verifyPassword,
} from '../lib/password'
import { createRefreshToken, issueAccessToken, sha256Hex } from '../lib/tokens'
import { knownClientAddress } from '../middleware/client-address'
import { rotateRefreshToken } from '../sessions/queries'
import { releaseQueries } from '../throttle/queries'
import { toUser } from '../users/schemas'
import { setRefreshCookie, wantsCookie } from './cookie'
import { loginLimits } from './limits'
import { beginLoginAttempt, loginRelease, recordLoginFailure, recordLoginSuccess } from './queries'

export type TokenPair = {
  accessToken: string
  expiresIn: number
  refreshToken: string
}

export type Session = { user: UserRow; tokens: TokenPair }

// Enough to tell browsers and apps apart in the sessions list; the rest is not kept.
const USER_AGENT_MAX_CHARACTERS = 256
const userAgentOf = (c: Context<AppEnv>) =>
  c.req.header('user-agent')?.trim().slice(0, USER_AGENT_MAX_CHARACTERS) || undefined

/**
 * Checks an email and password under the login throttle and opens a new token family.
 * Two round trips, success or failure (a refused try: one); unknown emails, and wrong passwords
 * for hashes at a lower cost or of the other algorithm, cost the same password-hashing work as a
 * wrong password against a hash in the configured form (lib/password.ts).
 */
export async function logIn(
  c: Context<AppEnv>,
  credentials: { email: string; password: string },
): Promise<Session> {
  const { db, config } = c.var
  const limits = await loginLimits(c, credentials.email)
  const { user, retryAfterSeconds } = await beginLoginAttempt(db, credentials.email, limits)
  if (retryAfterSeconds !== undefined) {
    throw rateLimited(retryAfterSeconds, 'Too many failed attempts; try again later')
  }
  const passwordMatches = user
    ? await verifyPassword(credentials.password, user.passwordHash)
    : await burnPasswordCheck(credentials.password, config)
  if (!user || !passwordMatches) {
    // A hash from the old service, at a lower cost or of the other algorithm, must not answer
    // faster than an unknown email.
    if (user) await topUpPasswordCheck(credentials.password, user.passwordHash, config)
    await recordLoginFailure(db, limits)
    c.var.log.info('login failed', { reason: user ? 'wrong password' : 'unknown email' })
    throw invalidCredentials()
  }
  if (config.requireEmailVerification && user.emailVerifiedAt === null) {
    // A right password: its try is given back, but no session opens until the email is proved.
    await db.batch(asBatch(releaseQueries(db, loginRelease(limits))))
    c.var.log.info('login refused', { userId: user.id, reason: 'email not verified' })
    throw emailNotVerified()
  }
  // Hashes from the old service, from before a cost change or of the other algorithm move to
  // the configured form on the next login, so known and unknown emails keep costing the same.
  const rehash = needsRehash(user.passwordHash, config)
    ? {
        previousHash: user.passwordHash,
        passwordHash: await hashPassword(credentials.password, config),
      }
    : undefined
  const refreshToken = createRefreshToken()
  const sessionId = crypto.randomUUID()
  const [access, opened] = await Promise.all([
    issueAccessToken(user, sessionId, config),
    sha256Hex(refreshToken).then((tokenHash) =>
      recordLoginSuccess(db, {
        limits,
        session: {
          id: sessionId,
          userId: user.id,
          tokenHash,
          refreshTtlSeconds: config.refreshTokenTtlSeconds,
          maxAgeSeconds: config.sessionMaxAgeSeconds,
          userAgent: userAgentOf(c),
          clientAddress: knownClientAddress(c),
        },
        tokenVersion: user.tokenVersion,
        rehash,
      }),
    ),
  ])
  if (!opened) {
    // The password was changed, or the account deleted, between the check and now.
    c.var.log.info('login failed', { reason: 'account changed during login' })
    throw invalidCredentials()
  }
  c.var.log.info('login succeeded', { userId: user.id, rehashed: rehash !== undefined })
  return { user, tokens: { accessToken: access.token, expiresIn: access.expiresIn, refreshToken } }
}

/** Spends a refresh token for a new pair; undefined when the token is not (or no longer) good. */
export async function refreshSession(
  c: Context<AppEnv>,
  presentedToken: string,
): Promise<Session | undefined> {
  const { db, config } = c.var
  const successor = createRefreshToken()
  const [presentedHash, successorHash] = await Promise.all([
    sha256Hex(presentedToken),
    sha256Hex(successor),
  ])
  const rotation = await rotateRefreshToken(db, {
    presentedHash,
    successorHash,
    ttlSeconds: config.refreshTokenTtlSeconds,
    address: knownClientAddress(c),
  })
  if (!rotation) return undefined
  const { user, sessionId } = rotation
  const access = await issueAccessToken(user, sessionId, config)
  return {
    user,
    tokens: { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: successor },
  }
}

/**
 * The `data` of a login or refresh answer. When the browser app asked for the cookie, the
 * refresh token goes there and is left out of the body, so no page script ever holds it.
 */
export function sessionBody(c: Context<AppEnv>, session: Session) {
  const base = {
    token: session.tokens.accessToken,
    tokenType: 'Bearer' as const,
    expiresIn: session.tokens.expiresIn,
    user: toUser(session.user),
  }
  if (wantsCookie(c)) {
    setRefreshCookie(c, session.tokens.refreshToken)
    return base
  }
  return { ...base, refreshToken: session.tokens.refreshToken }
}
