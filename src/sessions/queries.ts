import { and, desc, eq, getTableColumns, gt, isNull, or, type SQL, sql } from 'drizzle-orm'
import { type Database, preparedPerDatabase } from '../db/client'
import { refreshTokens, sessions, type UserRow, users } from '../db/schema'
import { type RawUserRow, toUserRow } from '../db/user-row'

/** A user has at most this many live sessions; a login beyond it ends the oldest. */
export const MAX_LIVE_SESSIONS = 50

/** The session has not been ended, and neither its absolute nor its idle end has passed. */
const isLive = and(
  isNull(sessions.endedAt),
  gt(sessions.expiresAt, sql`now()`),
  gt(sessions.idleExpiresAt, sql`now()`),
) as SQL

// Every authenticated request reads its caller and session together: one round trip.
const sessionUserStatement = preparedPerDatabase((db) =>
  db
    .select(getTableColumns(users))
    .from(users)
    .innerJoin(
      sessions,
      and(eq(sessions.id, sql.placeholder('sessionId')), eq(sessions.userId, users.id), isLive),
    )
    .where(eq(users.id, sql.placeholder('userId')))
    .limit(1)
    .prepare('session_user'),
)

/** The user, when the session is theirs and still live; undefined otherwise. */
export async function findSessionUser(
  db: Database,
  userId: string,
  sessionId: string,
): Promise<UserRow | undefined> {
  const [row] = await sessionUserStatement(db).execute({ userId, sessionId })
  return row
}

export type NewSession = {
  id: string
  userId: string
  /** SHA-256 of the session's first refresh token. */
  tokenHash: string
  refreshTtlSeconds: number
  maxAgeSeconds: number
  userAgent: string | undefined
  clientAddress: string | undefined
}

const seconds = (count: number) => sql`${count} * interval '1 second'`

/**
 * Opens a session and its first refresh token, only while the user still exists at
 * `tokenVersion` (the version the password was checked against), then ends the oldest live
 * sessions beyond the limit; for the login's batch. The user row is locked FOR NO KEY UPDATE:
 * a concurrent password change or deletion waits for this login to commit, so its ending of
 * sessions (a later statement, with a later snapshot) sees the new one, or, if the change
 * committed first, this finds the new version and opens nothing. The same lock queues the
 * user's concurrent logins, so each one's trim (a later statement) sees all the others.
 */
export function openSessionQueries(db: Database, session: NewSession, tokenVersion: number) {
  const open = db.execute<{ id: string }>(sql`
    with holder as (
      select ${users.id} from ${users}
      where ${users.id} = ${session.userId} and ${users.tokenVersion} = ${tokenVersion}
      for no key update
    ), opened as (
      insert into ${sessions} (id, user_id, expires_at, idle_expires_at, user_agent, client_address)
      select ${session.id}, holder.id, now() + ${seconds(session.maxAgeSeconds)},
        now() + least(${seconds(session.refreshTtlSeconds)}, ${seconds(session.maxAgeSeconds)}),
        ${session.userAgent ?? null}, ${session.clientAddress ?? null}
      from holder
      returning id, user_id, idle_expires_at
    )
    insert into ${refreshTokens} (user_id, session_id, token_hash, expires_at)
    select user_id, id, ${session.tokenHash}, idle_expires_at from opened
    returning ${refreshTokens.id}
  `)
  // The new session is never the one ended: ordered by the start of their transactions, two
  // queued logins could otherwise pick each other.
  const trim = db
    .update(sessions)
    .set({ endedAt: sql`now()` })
    .where(
      sql`${sessions.id} in (
        select o.id from ${sessions} o
        where o.user_id = ${session.userId} and o.id <> ${session.id}
          and o.ended_at is null and o.expires_at > now() and o.idle_expires_at > now()
          and exists (select 1 from ${sessions} n where n.id = ${session.id})
        order by o.created_at desc, o.id desc
        offset ${MAX_LIVE_SESSIONS - 1}
      )`,
    )
  return [open, trim] as const
}

type RotatedRow = RawUserRow & { session_id: string }

export type Rotation = { user: UserRow; sessionId: string }

/**
 * Spends the presented token and stores its successor in ONE statement, only while its session
 * is live. The session row is locked first (refresh moves its `last_used_at`): a logout of the
 * same session either commits first, and this finds it ended and spends nothing, or waits, and
 * then ends the session this refreshed, successor and access token included. Of many
 * concurrent refreshes of one token, the token row's lock lets exactly one spend it. Presenting
 * a token that was already spent ends its session (a stolen token was used, or the legitimate
 * client was).
 */
export async function rotateRefreshToken(
  db: Database,
  rotation: {
    presentedHash: string
    successorHash: string
    ttlSeconds: number
    address: string | undefined
  },
): Promise<Rotation | undefined> {
  const result = await db.execute<RotatedRow>(sql`
    with presented as (
      select id, session_id, spent_at, expires_at from ${refreshTokens}
      where token_hash = ${rotation.presentedHash}
    ), touched as (
      update ${sessions} s set
        last_used_at = now(),
        client_address = coalesce(${rotation.address ?? null}, s.client_address),
        idle_expires_at = least(now() + ${seconds(rotation.ttlSeconds)}, s.expires_at)
      from presented p
      where s.id = p.session_id and p.spent_at is null and p.expires_at > now()
        and s.ended_at is null and s.expires_at > now() and s.idle_expires_at > now()
      returning s.id, s.idle_expires_at
    ), spent as (
      update ${refreshTokens} t set spent_at = now()
      from presented p, touched
      where t.id = p.id and t.session_id = touched.id and t.spent_at is null
      returning t.user_id, t.session_id, touched.idle_expires_at
    ), reused as (
      update ${sessions} s set ended_at = now()
      from presented p
      where s.id = p.session_id and p.spent_at is not null and s.ended_at is null
      returning s.id
    ), successor as (
      insert into ${refreshTokens} (user_id, session_id, token_hash, expires_at)
      select user_id, session_id, ${rotation.successorHash}, idle_expires_at from spent
      returning user_id, session_id
    )
    select u.id, u.name, u.email, u.password_hash, u.role, u.token_version, u.email_verified_at,
      u.created_at, u.updated_at, s.session_id
    from ${users} u join successor s on s.user_id = u.id
  `)
  const row = result.rows[0]
  if (!row) return undefined
  return { sessionId: row.session_id, user: toUserRow(row) }
}

export type LogoutScope = 'current' | 'others' | 'all'

/**
 * Ends the caller's sessions in `scope` (relative to `currentSessionId`), and the session of
 * `presentedHash` when that refresh token is the caller's. One statement; the number ended.
 */
export async function endSessions(
  db: Database,
  ending: {
    userId: string
    scope: LogoutScope
    currentSessionId: string
    presentedHash?: string | undefined
  },
): Promise<number> {
  const inScope = {
    current: eq(sessions.id, ending.currentSessionId),
    others: sql`${sessions.id} <> ${ending.currentSessionId}`,
    all: sql`true`,
  }[ending.scope]
  const ofPresentedToken =
    ending.presentedHash === undefined
      ? undefined
      : sql`${sessions.id} in (
          select ${refreshTokens.sessionId} from ${refreshTokens}
          where ${refreshTokens.tokenHash} = ${ending.presentedHash}
            and ${refreshTokens.userId} = ${ending.userId}
        )`
  const ended = await db
    .update(sessions)
    .set({ endedAt: sql`now()` })
    .where(
      and(
        eq(sessions.userId, ending.userId),
        isNull(sessions.endedAt),
        or(inScope, ofPresentedToken),
      ),
    )
    .returning({ id: sessions.id })
  return ended.length
}

/** Ends one live session of the user; false when there is none with that id. */
export async function endSession(
  db: Database,
  userId: string,
  sessionId: string,
): Promise<boolean> {
  const ended = await db
    .update(sessions)
    .set({ endedAt: sql`now()` })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isLive))
    .returning({ id: sessions.id })
  return ended.length === 1
}

/**
 * Ends every session of the user; for the batch of a change that must sign the user out
 * everywhere (password change, role change). `onlyIf` keeps it conditional on that change.
 */
export const endAllSessionsQuery = (db: Database, userId: string, onlyIf?: SQL) =>
  db
    .update(sessions)
    .set({ endedAt: sql`now()` })
    .where(and(eq(sessions.userId, userId), isLive, onlyIf))

export type SessionSummary = {
  id: string
  createdAt: Date
  lastUsedAt: Date
  /** When the session ends if it is not refreshed again; never after its absolute end. */
  expiresAt: Date
  userAgent: string | null
  clientAddress: string | null
}

/**
 * The user's live sessions, newest first: at most MAX_LIVE_SESSIONS, except for an account
 * migrated with more, until its next login ends the oldest.
 */
export function listLiveSessions(db: Database, userId: string): Promise<SessionSummary[]> {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sql<Date>`least(${sessions.idleExpiresAt}, ${sessions.expiresAt})`.mapWith(
        (value: string | Date) => new Date(value),
      ),
      userAgent: sessions.userAgent,
      clientAddress: sessions.clientAddress,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isLive))
    .orderBy(desc(sessions.createdAt), desc(sessions.id))
}

/**
 * What the daily cleanup removes: sessions that are no longer live (with their refresh tokens,
 * by the foreign key's cascade), and expired refresh tokens of live sessions. A spent token
 * is kept until it expires, so presenting it again is still caught as reuse; once its session
 * is over, an unknown token and an ended session's token get the same 401. Rows another
 * request holds (a deletion of the same user, say) are skipped until the next run, so the
 * cleanup never waits for, or deadlocks with, a request.
 */
export const deleteStaleSessionsQueries = (db: Database) =>
  [
    db.execute<{ id: string }>(sql`
      delete from ${sessions} where id in (
        select id from ${sessions}
        where ended_at is not null or expires_at < now() or idle_expires_at < now()
        for update skip locked
      )
      returning id
    `),
    db.execute<{ id: string }>(sql`
      delete from ${refreshTokens} where id in (
        select id from ${refreshTokens} where expires_at < now() for update skip locked
      )
      returning id
    `),
  ] as const
