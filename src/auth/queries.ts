import { and, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { type UserRow, users } from '../db/schema'
import { type NewSession, openSessionQueries } from '../sessions/queries'
import {
  checkLimitsQuery,
  countFailureQuery,
  releaseQueries,
  retryAfter,
} from '../throttle/queries'
import { allLimits, type LoginLimits } from './limits'

export type LoginLookup = {
  user: UserRow | undefined
  /** Seconds until a try is allowed, when either key is over its limit. */
  retryAfterSeconds: number | undefined
}

/** Checks the limits (reserving a try on the reserved ones) and reads the user: one round trip. */
export async function beginLoginAttempt(
  db: Database,
  email: string,
  limits: LoginLimits,
): Promise<LoginLookup> {
  const [verdict, found] = await db.batch([
    checkLimitsQuery(db, allLimits(limits)),
    db.select().from(users).where(eq(users.email, email)).limit(1),
  ])
  return { user: found[0], retryAfterSeconds: retryAfter(verdict.rows) }
}

/** A right password's try is given back; the email at this network starts over. */
export const loginRelease = (limits: LoginLimits) => ({
  clear: limits.emailAtNetwork.key,
  giveBack: limits.email.key,
})

export type Rehash = { previousHash: string; passwordHash: string }

/** A wrong password (or an unknown email): counted against the limits that wait for the check. */
export async function recordLoginFailure(db: Database, limits: LoginLimits): Promise<void> {
  await countFailureQuery(db, allLimits(limits))
}

export type LoginSuccess = {
  limits: LoginLimits
  session: NewSession
  /** The version the password was checked against. */
  tokenVersion: number
  /** A hash made at another cost, to replace while it is still the one that was checked. */
  rehash?: Rehash | undefined
}

/**
 * Opens the session (with the rehash first, if any), ends the oldest beyond the limit, and
 * releases the attempt, in one round trip. False when the account was deleted or its password
 * changed since the check. The user row is locked before the session and throttle rows, in the
 * order a password change locks them, so the two cannot deadlock.
 */
export async function recordLoginSuccess(db: Database, success: LoginSuccess): Promise<boolean> {
  const [open, trim] = openSessionQueries(db, success.session, success.tokenVersion)
  const release = releaseQueries(db, loginRelease(success.limits))
  if (!success.rehash) {
    const [opened] = await db.batch([open, trim, ...release])
    return opened.rows.length === 1
  }
  const [, opened] = await db.batch([
    db
      .update(users)
      .set({ passwordHash: success.rehash.passwordHash })
      .where(
        and(
          eq(users.id, success.session.userId),
          eq(users.passwordHash, success.rehash.previousHash),
        ),
      ),
    open,
    trim,
    ...release,
  ])
  return opened.rows.length === 1
}
