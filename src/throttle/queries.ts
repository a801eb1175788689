import { eq, lt, type SQL, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { loginThrottle } from '../db/schema'

/**
 * One counter: at most `maxFailures` in `windowSeconds`, a window that starts at the first
 * failure and that nothing moves, so no lockout outlasts it. A `reserved` limit counts a try
 * before the password is checked (given back when it was right): of any number of concurrent
 * tries, at most `maxFailures` reach the check. An unreserved one counts only a wrong password,
 * after the check: it never refuses anyone for failures that did not happen, but concurrent
 * guesses in flight when it fills all reach the check.
 */
export type Limit = {
  key: string
  maxFailures: number
  windowSeconds: number
  reserved: boolean
  /**
   * Count a try even when a counter refuses it: for limits on requests rather than failures
   * (reset emails), whose counter then says by itself whether this request was over, so a
   * later statement of the same batch can act only for requests within the limits. The window
   * still never moves.
   */
  countRefused?: boolean
}

const limitRows = (limits: readonly Limit[]) =>
  sql.join(
    limits.map(
      (limit) =>
        sql`(${limit.key}::text, ${limit.maxFailures}::int, ${limit.windowSeconds}::int, ${limit.reserved}::boolean, ${limit.countRefused ?? false}::boolean)`,
    ),
    sql`, `,
  )

const windowOf = (seconds: SQL) => sql`${seconds} * interval '1 second'`

/**
 * Checks every limit, and reserves a try on the reserved ones, in ONE statement (one snapshot):
 * a separate check could see "not blocked" while the count, a moment later, sees "blocked" and
 * counts nothing, letting the guess through. A try refused here counts against nothing.
 * Returns one row per limit over its maximum, with the seconds until its window closes.
 */
export function checkLimitsQuery(db: Database, limits: readonly Limit[]) {
  return db.execute<{ retry_after: number }>(sql`
    with limits(key, max_failures, window_seconds, reserved, count_refused) as (values ${limitRows(limits)}),
    blocking as (
      select ceil(extract(epoch from t.window_start + ${windowOf(sql`l.window_seconds`)} - now()))::int as retry_after
      from ${loginThrottle} t join limits l on l.key = t.key
      where t.window_start > now() - ${windowOf(sql`l.window_seconds`)}
        and t.failures >= l.max_failures
    ), reserved as (
      insert into ${loginThrottle} as t (key, failures, window_start, window_seconds)
      select key, 1, now(), window_seconds from limits
      where reserved and (count_refused or not exists (select 1 from blocking))
      on conflict (key) do update set
        failures = case when t.window_start <= now() - ${windowOf(sql`t.window_seconds`)} then 1 else t.failures + 1 end,
        window_start = case when t.window_start <= now() - ${windowOf(sql`t.window_seconds`)} then now() else t.window_start end
      returning t.key, t.failures,
        ceil(extract(epoch from t.window_start + ${windowOf(sql`t.window_seconds`)} - now()))::int as retry_after
    )
    select retry_after from blocking
    union all
    -- Pushed over the maximum by a concurrent try: counted, then refused.
    select r.retry_after from reserved r join limits l on l.key = r.key where r.failures > l.max_failures
  `)
}

/** Seconds until a try is allowed, from `checkLimitsQuery`'s rows; undefined when allowed. */
export const retryAfter = (rows: readonly { retry_after: number }[]): number | undefined =>
  rows.length ? Math.max(...rows.map((row) => Number(row.retry_after))) : undefined

/** Counts a wrong password against the unreserved limits (the reserved ones already hold it). */
export function countFailureQuery(db: Database, limits: readonly Limit[]) {
  const unreserved = limits.filter((limit) => !limit.reserved)
  if (unreserved.length === 0) throw new Error('countFailureQuery needs an unreserved limit')
  return db.execute(sql`
    insert into ${loginThrottle} as t (key, failures, window_start, window_seconds)
    select key, 1, now(), window_seconds
    from (values ${limitRows(unreserved)}) as l(key, max_failures, window_seconds, reserved, count_refused)
    on conflict (key) do update set
      failures = case when t.window_start <= now() - ${windowOf(sql`t.window_seconds`)} then 1 else t.failures + 1 end,
      window_start = case when t.window_start <= now() - ${windowOf(sql`t.window_seconds`)} then now() else t.window_start end
  `)
}

/**
 * Gives a right password's reserved tries back: `clear` keys start over (the one that proved
 * the password is theirs), `giveBack` keys lose one count (shared ones, such as all networks'
 * tries at one email). For the batch that records what the check was for.
 */
export function releaseQueries(db: Database, keys: { clear: string; giveBack?: string }) {
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
    .where(
      lt(
        loginThrottle.windowStart,
        sql`now() - ${loginThrottle.windowSeconds} * interval '1 second'`,
      ),
    )
    .returning({ key: loginThrottle.key })

/**
 * For a statement batched after `checkLimitsQuery` with `countRefused` limits: true only while
 * every counter, this request included, is within its limit.
 */
export const withinLimits = (limits: readonly Limit[]) =>
  sql.join(
    limits.map(
      (limit) =>
        sql`coalesce((select failures from ${loginThrottle} where key = ${limit.key}), 0) <= ${limit.maxFailures}`,
    ),
    sql` and `,
  )
