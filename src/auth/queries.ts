import { and, eq, inArray, lt, or, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { loginThrottle, refreshTokens, type UserRow, users } from '../db/schema'

export const LOGIN_WINDOW_SECONDS = 15 * 60
export const LOGIN_MAX_FAILURES = 5

export type ThrottleKeys = { email: string; address: string }

export type LoginLookup = {
  user: UserRow | undefined
  /** Seconds until a try is allowed, when either key is over its limit. */
  retryAfterSeconds: number | undefined
}

/**
 * Checks both keys, counts the attempt and reads the user, in one round trip. The attempt is
 * counted before the password is checked, so concurrent guesses cannot slip past the limit
 * (the upsert returns the new count); a success gives it back (see `recordLoginSuccess`).
 * An attempt blocked by a counter already at the limit counts against neither key, and the
 * window is fixed from the first failure, so nobody can stretch a lockout past the window by
 * trying again. (Attempts that race past the limit together are counted, then refused: the
 * counter may overshoot by as many as arrived at once, which changes nothing about the window.)
 *
 * The check and the count are one statement on purpose. Under READ COMMITTED each statement
 * of a batch takes its own snapshot: a separate check could see "not blocked" while the
 * count, a moment later, sees "blocked" and counts nothing, letting the guess through.
 */
export async function beginLoginAttempt(
  db: Database,
  email: string,
  keys: ThrottleKeys,
): Promise<LoginLookup> {
  const window = sql.raw(`interval '${LOGIN_WINDOW_SECONDS} seconds'`)
  const [verdict, found] = await db.batch([
    db.execute<{ retry_after: number }>(sql`
      with blocking as (
        select ceil(extract(epoch from b.window_start + ${window} - now()))::int as retry_after
        from ${loginThrottle} b
        where b.key in (${keys.email}, ${keys.address})
          and b.window_start > now() - ${window}
          and b.failures >= ${LOGIN_MAX_FAILURES}
      ), counted as (
        insert into ${loginThrottle} as t (key, failures, window_start)
        select v.key, 1, now() from (values (${keys.email}), (${keys.address})) as v(key)
        where not exists (select 1 from blocking)
        on conflict (key) do update set
          failures = case when t.window_start <= now() - ${window} then 1 else t.failures + 1 end,
          window_start = case when t.window_start <= now() - ${window} then now() else t.window_start end
        returning t.failures, ceil(extract(epoch from t.window_start + ${window} - now()))::int as retry_after
      )
      -- Over the limit before this attempt, or pushed over it by a concurrent one.
      select retry_after from blocking
      union all
      select retry_after from counted where failures > ${LOGIN_MAX_FAILURES}
    `),
    db.select().from(users).where(eq(users.email, email)).limit(1),
  ])
  const retryAfterSeconds = verdict.rows.length
    ? Math.max(...verdict.rows.map((row) => Number(row.retry_after)))
    : undefined
  return { user: found[0], retryAfterSeconds }
}

export type NewRefreshToken = {
  userId: string
  familyId: string
  tokenHash: string
  ttlSeconds: number
}

/**
 * Opens a token family, only while the user still exists at `tokenVersion` (the version the
 * password was checked against). FOR SHARE makes a concurrent password change or deletion wait
 * for this insert to commit, so its revocation (a later statement, with a later snapshot) sees
 * the new token; or, if the change committed first, this finds the new version and inserts
 * nothing.
 */
const openFamilyQuery = (db: Database, token: NewRefreshToken, tokenVersion: number) =>
  db.execute<{ id: string }>(sql`
    with holder as (
      select ${users.id} from ${users}
      where ${users.id} = ${token.userId} and ${users.tokenVersion} = ${tokenVersion}
      for share
    )
    insert into ${refreshTokens} (user_id, family_id, token_hash, expires_at)
    select holder.id, ${token.familyId}, ${token.tokenHash}, now() + ${token.ttlSeconds} * interval '1 second'
    from holder
    returning ${refreshTokens.id}
  `)

/**
 * Clears the email's counter and gives the address its attempt back; for a batch that records
 * what the successful password check was for.
 */
export const releaseAttemptQueries = (db: Database, keys: ThrottleKeys) =>
  [
    db.delete(loginThrottle).where(eq(loginThrottle.key, keys.email)),
    db
      .update(loginThrottle)
      .set({ failures: sql`greatest(${loginThrottle.failures} - 1, 0)` })
      .where(eq(loginThrottle.key, keys.address)),
  ] as const

export type Rehash = { previousHash: string; passwordHash: string }

export type LoginSuccess = {
  keys: ThrottleKeys
  token: NewRefreshToken
  /** The version the access token carries. */
  tokenVersion: number
  /** A hash made at another cost, to replace while it is still the one that was checked. */
  rehash?: Rehash
}

/**
 * Opens the token family (with the rehash first, if any) and then releases the attempt, in one
 * round trip. False when the account was deleted or its password changed since the check.
 * The user row is locked before the throttle rows, in the order a password change locks them,
 * so the two cannot deadlock.
 */
export async function recordLoginSuccess(db: Database, success: LoginSuccess): Promise<boolean> {
  const open = openFamilyQuery(db, success.token, success.tokenVersion)
  const release = releaseAttemptQueries(db, success.keys)
  if (!success.rehash) {
    const [opened] = await db.batch([open, ...release])
    return opened.rows.length === 1
  }
  const [, opened] = await db.batch([
    db
      .update(users)
      .set({ passwordHash: success.rehash.passwordHash })
      .where(
        and(
          eq(users.id, success.token.userId),
          eq(users.passwordHash, success.rehash.previousHash),
        ),
      ),
    open,
    ...release,
  ])
  return opened.rows.length === 1
}

type RotatedRow = {
  id: string
  name: string
  email: string
  password_hash: string
  role: UserRow['role']
  token_version: number | string
  created_at: string | Date
  updated_at: string | Date
}

/**
 * Spends the presented token and stores its successor in ONE statement: the row lock on the
 * presented token lets exactly one of many concurrent refreshes win. Presenting a token that
 * was already spent revokes its whole family (a stolen token was used, or the legitimate
 * client was). Returns the user when the rotation happened.
 */
export async function rotateRefreshToken(
  db: Database,
  presentedHash: string,
  successorHash: string,
  ttlSeconds: number,
): Promise<UserRow | undefined> {
  const result = await db.execute<RotatedRow>(sql`
    with presented as (
      select id, family_id, spent_at from ${refreshTokens} where token_hash = ${presentedHash}
    ), spent as (
      update ${refreshTokens} t set spent_at = now()
      from presented p
      where t.id = p.id and t.spent_at is null and t.revoked_at is null and t.expires_at > now()
        -- A revocation that raced an earlier rotation cannot see the successor it inserted;
        -- any revoked member marks the whole family dead.
        and not exists (
          select 1 from ${refreshTokens} f where f.family_id = t.family_id and f.revoked_at is not null
        )
      returning t.user_id, t.family_id
    ), reused as (
      update ${refreshTokens} t set revoked_at = now()
      from presented p
      where p.spent_at is not null and t.family_id = p.family_id and t.revoked_at is null
      returning t.id
    ), successor as (
      insert into ${refreshTokens} (user_id, family_id, token_hash, expires_at)
      select user_id, family_id, ${successorHash}, now() + ${ttlSeconds} * interval '1 second'
      from spent
      returning user_id
    )
    select u.id, u.name, u.email, u.password_hash, u.role, u.token_version, u.created_at, u.updated_at
    from ${users} u join successor s on s.user_id = u.id
  `)
  const row = result.rows[0]
  if (!row) return undefined
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    passwordHash: row.password_hash,
    role: row.role,
    tokenVersion: Number(row.token_version),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

/** Revokes the family of the presented token, if it belongs to this user. */
export async function revokeFamily(
  db: Database,
  userId: string,
  presentedHash: string,
): Promise<void> {
  await db.execute(sql`
    update ${refreshTokens} set revoked_at = now()
    where revoked_at is null and family_id in (
      select family_id from ${refreshTokens} where token_hash = ${presentedHash} and user_id = ${userId}
    )
  `)
}

/**
 * What the daily Cron Trigger removes: refresh tokens past their expiry (spent ones are kept
 * until then, so that reuse is still detected), whole families with a member revoked over a day
 * ago, and closed login windows. A family with a revoked member goes only as a whole: that
 * member is what keeps the family dead (see `rotateRefreshToken`), so deleting it alone when it
 * expires could bring a successor back to life.
 */
export async function deleteStaleRows(db: Database): Promise<{ tokens: number; counters: number }> {
  const [tokens, counters] = await db.batch([
    db
      .delete(refreshTokens)
      .where(
        or(
          and(
            lt(refreshTokens.expiresAt, sql`now()`),
            sql`not exists (select 1 from ${refreshTokens} f where f.family_id = ${refreshTokens.familyId} and f.revoked_at is not null)`,
          ),
          inArray(
            refreshTokens.familyId,
            db
              .select({ familyId: refreshTokens.familyId })
              .from(refreshTokens)
              .where(lt(refreshTokens.revokedAt, sql`now() - interval '1 day'`)),
          ),
        ),
      )
      .returning({ id: refreshTokens.id }),
    db
      .delete(loginThrottle)
      .where(
        lt(
          loginThrottle.windowStart,
          sql.raw(`now() - interval '${LOGIN_WINDOW_SECONDS} seconds'`),
        ),
      )
      .returning({ key: loginThrottle.key }),
  ])
  return { tokens: tokens.length, counters: counters.length }
}
