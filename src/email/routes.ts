import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { users } from '../db/schema'
import type { AppEnv } from '../env'
import { invalidToken, rateLimited } from '../lib/errors'
import { hashPassword } from '../lib/password'
import { sha256Hex } from '../lib/tokens'
import { validate } from '../lib/validation'
import { requireAuth } from '../middleware/auth'
import { clientNetwork } from '../middleware/client-address'
import { requireMediaType } from '../middleware/media-type'
import { rateLimit } from '../middleware/rate-limit'
import { checkLimitsQuery, type Limit, retryAfter, withinLimits } from '../throttle/queries'
import { toUser } from '../users/schemas'
import { linkBase, newEmailToken, sendAfterAnswer } from './delivery'
import {
  describePasswordReset,
  describePasswordResetConfirm,
  describeResendVerification,
  describeVerifyEmail,
} from './openapi'
import { issueTokenQuery, resetPassword, verifyEmail } from './queries'
import { PasswordResetBody, PasswordResetConfirmBody, VerifyEmailBody } from './schemas'
import { passwordResetEmail, verificationEmail } from './templates'

const HOUR = 3600
/** LOGIN_LIMITER's `period` in wrangler.toml. */
const LOGIN_LIMITER_PERIOD_SECONDS = 60

/** Reset requests, counted per request (an account or not): the limits reveal nothing either. */
async function resetLimits(email: string, network: string): Promise<Limit[]> {
  return [
    {
      key: `reset-email:${await sha256Hex(email)}`,
      maxFailures: 3,
      windowSeconds: HOUR,
      reserved: true,
      countRefused: true,
    },
    {
      key: `reset-net:${network}`,
      maxFailures: 10,
      windowSeconds: HOUR,
      reserved: true,
      countRefused: true,
    },
  ]
}

const ACCEPTED_RESET =
  'If an account has this email, a link to reset its password is on its way. It works for one hour.'

/** Mounted at /v1/auth: following links from emails, and asking for a reset. */
export const emailAuthRoutes = new Hono<AppEnv>()
  .post(
    '/verify-email',
    describeVerifyEmail,
    requireMediaType('json'),
    validate('json', VerifyEmailBody),
    async (c) => {
      const user = await verifyEmail(c.var.db, await sha256Hex(c.req.valid('json').token))
      if (!user) throw invalidToken()
      c.var.log.info('email verified', { userId: user.id })
      return c.json({ success: true, message: 'Email verified', data: toUser(user) })
    },
  )
  .post(
    '/password-reset',
    describePasswordReset,
    requireMediaType('json'),
    validate('json', PasswordResetBody),
    async (c) => {
      const { email } = c.req.valid('json')
      const limits = await resetLimits(email, clientNetwork(c))
      // The same work whether or not the account exists: one batch counts the limits (a write,
      // committed either way) and writes a token and its email only for an account, and only
      // while the limits allow.
      const { token, tokenHash } = await newEmailToken()
      const [verdict, written] = await c.var.db.batch([
        checkLimitsQuery(c.var.db, limits),
        issueTokenQuery(c.var.db, sql`${users.email} = ${email} and ${withinLimits(limits)}`, {
          kind: 'reset_password',
          tokenHash,
          email: passwordResetEmail(email, linkBase(c), token),
        }),
      ])
      const wait = retryAfter(verdict.rows)
      if (wait !== undefined) throw rateLimited(wait, 'Too many reset requests; try again later')
      sendAfterAnswer(
        c,
        written.rows.map((row) => row.id),
      )
      return c.json({ success: true, message: ACCEPTED_RESET }, 202)
    },
  )
  .post(
    '/password-reset/confirm',
    describePasswordResetConfirm,
    // A confirm does bcrypt work before it knows whether the token is good: limited like a login.
    rateLimit('LOGIN_LIMITER', LOGIN_LIMITER_PERIOD_SECONDS),
    requireMediaType('json'),
    validate('json', PasswordResetConfirmBody),
    async (c) => {
      const { token, newPassword } = c.req.valid('json')
      const passwordHash = await hashPassword(newPassword, c.var.config)
      const reset = await resetPassword(c.var.db, {
        tokenHash: await sha256Hex(token),
        passwordHash,
      })
      if (!reset) throw invalidToken()
      c.var.log.info('password reset', { userId: reset.id })
      return c.body(null, 204)
    },
  )

/** Mounted at /v1/users/me/verification-email: the verification email, once more. */
export const verificationEmailRoutes = new Hono<AppEnv>()
  .use(requireMediaType('json'))
  .post('/', describeResendVerification, requireAuth(), async (c) => {
    const { user } = c.var.auth
    const limits: Limit[] = [
      {
        key: `verify-mail:${user.id}`,
        maxFailures: 1,
        windowSeconds: 60,
        reserved: true,
        countRefused: true,
      },
    ]
    const { token, tokenHash } = await newEmailToken()
    const [verdict, written] = await c.var.db.batch([
      checkLimitsQuery(c.var.db, limits),
      // The address the link goes to is the one it verifies: if the email changed meanwhile,
      // nothing is written.
      issueTokenQuery(
        c.var.db,
        sql`${users.id} = ${user.id} and ${users.email} = ${user.email} and ${users.emailVerifiedAt} is null and ${withinLimits(limits)}`,
        {
          kind: 'verify_email',
          tokenHash,
          email: verificationEmail(user.email, linkBase(c), token),
        },
      ),
    ])
    const wait = retryAfter(verdict.rows)
    if (wait !== undefined)
      throw rateLimited(wait, 'One verification email a minute; try again soon')
    if (written.rows.length === 0) {
      return c.json({ success: true, message: 'Your email is already verified' }, 202)
    }
    sendAfterAnswer(
      c,
      written.rows.map((row) => row.id),
    )
    return c.json(
      { success: true, message: `A verification link is on its way to ${user.email}` },
      202,
    )
  })
