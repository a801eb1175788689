/**
 * Forcing an interleaving on PostgreSQL: a helper transaction holds a row, requests queue
 * behind it in the order the test starts them, and the test sees them queue in
 * pg_stat_activity before it goes on. PGlite's endpoint runs one statement at a time, so tests
 * that use this run on PostgreSQL only and are skipped, by name, elsewhere.
 */
import { sql as drizzleSql } from 'drizzle-orm'
import { inject } from 'vitest'
import { appDatabase, sql } from './api'

export const onPostgres = inject('databaseBackend') === 'postgresql'
export const POSTGRES_ONLY = '(PostgreSQL only: the embedded PGlite runs one statement at a time)'

/** A tag unique to one held transaction, to find it in pg_stat_activity. */
export const lockTag = () => `holder-${crypto.randomUUID()}`

export type HeldRows = {
  /** Ends the holding transaction (by cancelling it) and waits until it has let go. */
  release(): Promise<void>
}

/**
 * Holds the rows `lockQuery` selects FOR NO KEY UPDATE in a transaction of its own, as a
 * request in flight would, until `release()` (or 30 s). Its waiting statement carries `tag`.
 */
export const holdRows = (lockQuery: ReturnType<typeof drizzleSql>, tag: string): HeldRows =>
  holdAfter(drizzleSql`${lockQuery} for no key update`, tag)

/**
 * Runs `statement` (an insert, say, whose unique key others must wait for) in a transaction
 * of its own and holds what it took until `release()`, which rolls it back.
 */
export function holdAfter(statement: ReturnType<typeof drizzleSql>, tag: string): HeldRows {
  const db = appDatabase()
  const held = db
    .batch([db.execute(statement), db.execute(drizzleSql.raw(`select pg_sleep(30) /* ${tag} */`))])
    // Cancelled on purpose: the rollback is what lets the racers go.
    .catch(() => undefined)
  return {
    async release() {
      await sql(
        `select pg_cancel_backend(pid) from pg_stat_activity
         where query like '%' || $1 || '%' and pid <> pg_backend_pid()`,
        [tag],
      )
      await held
    },
  }
}

/**
 * Backends waiting, directly or behind another waiter, on the transaction tagged `tag`; -1
 * while that transaction has not reached its tagged statement (so holds nothing yet).
 */
async function waitersBehind(tag: string): Promise<number> {
  const [row] = await sql<{ waiting: number }>(
    `with recursive holder as (
       select pid from pg_stat_activity where query like '%' || $1 || '%' and pid <> pg_backend_pid()
     ), queue(pid) as (
       select pid from holder
       union
       select w.pid from pg_stat_activity w join queue q on q.pid = any(pg_blocking_pids(w.pid))
     )
     select count(*)::int - 1 as waiting from queue where exists (select 1 from holder)`,
    [tag],
  )
  return Number(row?.waiting ?? -1)
}

/** Polls until the tagged transaction holds its rows and `count` requests wait behind it. */
export async function untilQueued(tag: string, count: number, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while ((await waitersBehind(tag)) < count) {
    if (Date.now() > deadline) throw new Error(`${count} request(s) never queued behind ${tag}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
