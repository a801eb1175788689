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
 * A blocked attempt counts against neither key, and the window is fixed from the first
 * failure, so nobody can stretch a lockout past the window by trying again.
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

const insertRefreshToken = (db: Database, token: NewRefreshToken) =>
  db.insert(refreshTokens).values({
    userId: token.userId,
    familyId: token.familyId,
    tokenHash: token.tokenHash,
    expiresAt: sql`now() + ${token.ttlSeconds} * interval '1 second'`,
  })

/** Clears the email's counter and gives the address its attempt back. */
const releaseAttemptQueries = (db: Database, keys: ThrottleKeys) =>
  [
    db.delete(loginThrottle).where(eq(loginThrottle.key, keys.email)),
    db
      .update(loginThrottle)
      .set({ failures: sql`greatest(${loginThrottle.failures} - 1, 0)` })
      .where(eq(loginThrottle.key, keys.address)),
  ] as const

/** After a password was checked successfully outside a login (a password change). */
export async function releaseLoginAttempt(db: Database, keys: ThrottleKeys): Promise<void> {
  await db.batch(releaseAttemptQueries(db, keys))
}

export type Rehash = { userId: string; previousHash: string; passwordHash: string }

/**
 * Releases the attempt and opens a token family; with `rehash`, also replaces a hash made at
 * another cost (only if it is still the one that was checked, so a concurrent password change
 * wins).
 */
export async function recordLoginSuccess(
  db: Database,
  keys: ThrottleKeys,
  token: NewRefreshToken,
  rehash?: Rehash,
): Promise<void> {
  const release = releaseAttemptQueries(db, keys)
  const open = insertRefreshToken(db, token)
  if (!rehash) {
    await db.batch([...release, open])
    return
  }
  await db.batch([
    ...release,
    open,
    db
      .update(users)
      .set({ passwordHash: rehash.passwordHash })
      .where(and(eq(users.id, rehash.userId), eq(users.passwordHash, rehash.previousHash))),
  ])
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
 * ago (the revoked member is what keeps its family dead), and closed login windows.
 */
export async function deleteStaleRows(db: Database): Promise<{ tokens: number; counters: number }> {
  const [tokens, counters] = await db.batch([
    db
      .delete(refreshTokens)
      .where(
        or(
          lt(refreshTokens.expiresAt, sql`now()`),
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
