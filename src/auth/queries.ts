import { and, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { type UserRow, users } from '../db/schema'
import { type NewSession, openSessionQueries } from '../sessions/queries'
import { countAttemptQuery, releaseAttemptQueries, retryAfter } from '../throttle/queries'

/** The login throttle's keys: the email (as its SHA-256) and the client's network. */
export type ThrottleKeys = { email: string; address: string }

export type LoginLookup = {
  user: UserRow | undefined
  /** Seconds until a try is allowed, when either key is over its limit. */
  retryAfterSeconds: number | undefined
}

/** Checks and counts the attempt against both keys and reads the user, in one round trip. */
export async function beginLoginAttempt(
  db: Database,
  email: string,
  keys: ThrottleKeys,
): Promise<LoginLookup> {
  const [verdict, found] = await db.batch([
    countAttemptQuery(db, [keys.email, keys.address]),
    db.select().from(users).where(eq(users.email, email)).limit(1),
  ])
  return { user: found[0], retryAfterSeconds: retryAfter(verdict.rows) }
}

export type Rehash = { previousHash: string; passwordHash: string }

export type LoginSuccess = {
  keys: ThrottleKeys
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
  const release = releaseAttemptQueries(db, {
    clear: success.keys.email,
    giveBack: success.keys.address,
  })
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
