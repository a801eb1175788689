import { and, isNotNull, lt, or, sql } from 'drizzle-orm'
import type { Database } from './db/client'
import { emailOutbox, emailTokens } from './db/schema'
import { deleteStaleSessionsQueries } from './sessions/queries'
import { deleteStaleCountersQuery } from './throttle/queries'

/** Sent or given-up mail is kept this long, for support questions, then deleted. */
const OUTBOX_KEEP = sql`now() - interval '7 days'`

/** What the daily Cron Trigger removes, in one round trip: rows that can no longer matter. */
export async function deleteStaleRows(db: Database): Promise<{
  sessions: number
  tokens: number
  counters: number
  emailTokens: number
  emails: number
}> {
  const [sessions, tokens, counters, spentEmailTokens, emails] = await db.batch([
    ...deleteStaleSessionsQueries(db),
    deleteStaleCountersQuery(db),
    db
      .delete(emailTokens)
      .where(or(isNotNull(emailTokens.spentAt), lt(emailTokens.expiresAt, sql`now()`)))
      .returning({ id: emailTokens.id }),
    db
      .delete(emailOutbox)
      .where(
        and(
          or(isNotNull(emailOutbox.sentAt), isNotNull(emailOutbox.failedAt)),
          lt(emailOutbox.createdAt, OUTBOX_KEEP),
        ),
      )
      .returning({ id: emailOutbox.id }),
  ])
  return {
    sessions: sessions.rows.length,
    tokens: tokens.rows.length,
    counters: counters.length,
    emailTokens: spentEmailTokens.length,
    emails: emails.length,
  }
}
