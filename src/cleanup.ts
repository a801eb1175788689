import type { Database } from './db/client'
import { deleteStaleSessionsQueries } from './sessions/queries'
import { deleteStaleCountersQuery } from './throttle/queries'

/** What the daily Cron Trigger removes, in one round trip: rows that can no longer matter. */
export async function deleteStaleRows(
  db: Database,
): Promise<{ sessions: number; tokens: number; counters: number }> {
  const [sessions, tokens, counters] = await db.batch([
    ...deleteStaleSessionsQueries(db),
    deleteStaleCountersQuery(db),
  ])
  return { sessions: sessions.rows.length, tokens: tokens.rows.length, counters: counters.length }
}
