import { eq, lt, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { loginThrottle } from '../db/schema'

export const ATTEMPT_WINDOW_SECONDS = 15 * 60
export const MAX_FAILURES = 5

const window = sql.raw(`interval '${ATTEMPT_WINDOW_SECONDS} seconds'`)

/**
 * Checks the counters of `keys` and counts this attempt against each, in one statement. The
 * attempt is counted before the password is checked, so concurrent guesses cannot slip past the
 * limit (the upsert returns the new count); a success gives it back (`releaseAttemptQueries`).
 * An attempt blocked by a counter already at the limit counts against no key, and the window is
 * fixed from the first failure, so nobody can stretch a lockout past the window by trying again.
 * (Attempts that race past the limit together are counted, then refused: the counter may
 * overshoot by as many as arrived at once, which changes nothing about the window.)
 *
 * The check and the count are one statement on purpose. Under READ COMMITTED each statement
 * of a batch takes its own snapshot: a separate check could see "not blocked" while the count,
 * a moment later, sees "blocked" and counts nothing, letting the guess through.
 *
 * Returns one row per key over its limit, with the seconds until its window closes.
 */
export const countAttemptQuery = (db: Database, keys: readonly string[]) => {
  const keyList = sql.join(
    keys.map((key) => sql`${key}`),
    sql`, `,
  )
  return db.execute<{ retry_after: number }>(sql`
    with blocking as (
      select ceil(extract(epoch from b.window_start + ${window} - now()))::int as retry_after
      from ${loginThrottle} b
      where b.key in (${keyList})
        and b.window_start > now() - ${window}
        and b.failures >= ${MAX_FAILURES}
    ), counted as (
      insert into ${loginThrottle} as t (key, failures, window_start)
      select v.key, 1, now() from unnest(array[${keyList}]::text[]) as v(key)
      where not exists (select 1 from blocking)
      on conflict (key) do update set
        failures = case when t.window_start <= now() - ${window} then 1 else t.failures + 1 end,
        window_start = case when t.window_start <= now() - ${window} then now() else t.window_start end
      returning t.failures, ceil(extract(epoch from t.window_start + ${window} - now()))::int as retry_after
    )
    -- Over the limit before this attempt, or pushed over it by a concurrent one.
    select retry_after from blocking
    union all
    select retry_after from counted where failures > ${MAX_FAILURES}
  `)
}

/** Seconds until a try is allowed, from `countAttemptQuery`'s rows; undefined when allowed. */
export const retryAfter = (rows: readonly { retry_after: number }[]): number | undefined =>
  rows.length ? Math.max(...rows.map((row) => Number(row.retry_after))) : undefined

/**
 * Gives a successful password check its attempt back: `clear` keys are reset (the email of a
 * login, the user of a re-authentication), `giveBack` keys lose one count (a shared address).
 * For the batch that records what the check was for.
 */
export const releaseAttemptQueries = (
  db: Database,
  keys: { clear: string; giveBack?: string | undefined },
) => {
  const clear = db.delete(loginThrottle).where(eq(loginThrottle.key, keys.clear))
  if (keys.giveBack === undefined) return [clear] as const
  return [
    clear,
    db
      .update(loginThrottle)
      .set({ failures: sql`greatest(${loginThrottle.failures} - 1, 0)` })
      .where(eq(loginThrottle.key, keys.giveBack)),
  ] as const
}

/** Counters whose window has closed, for the daily cleanup. */
export const deleteStaleCountersQuery = (db: Database) =>
  db
    .delete(loginThrottle)
    .where(lt(loginThrottle.windowStart, sql`now() - ${window}`))
    .returning({ key: loginThrottle.key })
