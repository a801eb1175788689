import type { Context } from 'hono'
import type { UserRow } from '../db/schema'
import type { AppEnv } from '../env'
import { rateLimited, validationError } from '../lib/errors'
import { verifyPassword } from '../lib/password'
import { checkLimitsQuery, releaseQueries, retryAfter } from '../throttle/queries'
import type { Alongside } from './queries'

/** Reserved: only the owner, or a thief of their access token, tries this key. */
const REAUTH_LIMIT = { maxFailures: 5, windowSeconds: 15 * 60, reserved: true } as const

/**
 * Re-authentication: the caller's current password, checked under a throttle kept per user,
 * so that strangers' failed logins for the same email never block the owner's own change, and
 * a stolen access token is no way to guess the password without limit. Counted before the
 * check, like a login, so concurrent guesses cannot slip past the limit; the returned queries
 * give the attempt back, for the batch that makes the change. One round trip before the check.
 */
export async function confirmCurrentPassword(
  c: Context<AppEnv>,
  user: UserRow,
  presented: string | undefined,
): Promise<Alongside> {
  if (presented === undefined) {
    throw validationError(
      [{ field: 'currentPassword', message: 'is required for this change' }],
      'Confirm this change with your current password',
    )
  }
  const key = `user:${user.id}`
  const verdict = await checkLimitsQuery(c.var.db, [{ key, ...REAUTH_LIMIT }])
  const retryAfterSeconds = retryAfter(verdict.rows)
  if (retryAfterSeconds !== undefined) {
    throw rateLimited(retryAfterSeconds, 'Too many wrong passwords; try again later')
  }
  if (!(await verifyPassword(presented, user.passwordHash))) {
    c.var.log.info('re-authentication failed', { userId: user.id })
    throw validationError(
      [{ field: 'currentPassword', message: 'is not your current password' }],
      'The current password is not correct',
    )
  }
  return releaseQueries(c.var.db, { clear: key })
}
