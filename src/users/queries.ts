import { and, asc, eq, gt, like, or, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import { type Database, preparedPerDatabase } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import {
  auditLog,
  emailOutbox,
  emailTokens,
  type Role,
  sessions,
  type UserRow,
  users,
} from '../db/schema'
import { type RawUserRow, toUserRow, USER_COLUMNS } from '../db/user-row'
import { TOKEN_TTL_SECONDS } from '../email/queries'
import type { Email } from '../email/templates'
import { conflict } from '../lib/errors'
import { endAllSessionsQuery } from '../sessions/queries'
import { type EmailChangeMail, outboxIdsOf, type UpdatedRow, updateStatement } from './update'

const EMAIL_TAKEN = 'An account with this email already exists'

/** Lets the unique index decide duplicates, so a race of registrations yields one winner. */
async function rethrowDuplicateEmail<T>(query: Promise<T>): Promise<T> {
  try {
    return await query
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_unique')) throw conflict(EMAIL_TAKEN, 'email')
    throw error
  }
}

/** The verification email of a new account, written in the statement that creates it. */
export type NewAccountEmail = { tokenHash: string; email: Email }

/**
 * Creates the account, its verification token and the email carrying it in ONE statement: no
 * account is ever left without its link. Returns the user and the outbox id of the email.
 */
export async function insertUser(
  db: Database,
  values: { name: string; email: string; passwordHash: string },
  verification: NewAccountEmail,
): Promise<{ user: UserRow; outboxId: number }> {
  const ttl = TOKEN_TTL_SECONDS.verify_email
  const result = await rethrowDuplicateEmail(
    db.execute<RawUserRow & { outbox_id: number | string }>(sql`
      with created as (
        insert into ${users} (name, email, password_hash)
        values (${values.name}, ${values.email}, ${values.passwordHash})
        returning ${sql.raw(USER_COLUMNS)}
      ), issued as (
        insert into ${emailTokens} (user_id, kind, token_hash, email, expires_at)
        select id, 'verify_email', ${verification.tokenHash}, email, now() + ${ttl} * interval '1 second'
        from created
        returning user_id
      ), mailed as (
        insert into ${emailOutbox} (to_address, subject, text_body, html_body)
        select ${verification.email.to}, ${verification.email.subject}, ${verification.email.text},
          ${verification.email.html}
        from issued
        returning id
      )
      select created.*, (select id from mailed) as outbox_id from created
    `),
  )
  const row = result.rows[0]
  if (!row) throw new Error('INSERT ... RETURNING returned no row')
  return { user: toUserRow(row), outboxId: Number(row.outbox_id) }
}

// Every authenticated request looks its caller up by id.
const userById = preparedPerDatabase((db) =>
  db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .limit(1)
    .prepare('user_by_id'),
)

export async function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  const [row] = await userById(db).execute({ id })
  return row
}

export type { EmailChangeMail } from './update'

export type UserChanges = { name?: string; email?: string; role?: Role }

/** What else a change must record in its round trip (a re-authentication's release). */
export type Alongside = readonly BatchItem<'pg'>[]

export type UpdatedUser = { user: UserRow; outboxIds: number[] }

/**
 * Applies the changes, with `alongside`, in one round trip; a role change also ends every
 * session of the user, atomically. `mail` is what to send if the email changes.
 */
export async function updateUser(
  db: Database,
  id: string,
  changes: UserChanges,
  options: { alongside?: Alongside; mail?: EmailChangeMail } = {},
): Promise<UpdatedUser | undefined> {
  const alongside = options.alongside ?? []
  const update = updateStatement(db, id, changes, options.mail)
  const read = (rows: UpdatedRow[]) => {
    const row = rows[0]
    return row ? { user: toUserRow(row), outboxIds: outboxIdsOf(row) } : undefined
  }
  if (changes.role === undefined) {
    if (alongside.length === 0) return read((await rethrowDuplicateEmail(update)).rows)
    const [result] = await rethrowDuplicateEmail(db.batch([update, ...alongside]))
    return read(result.rows)
  }
  // The lock comes first, so the ending's snapshot (each statement of a batch takes its own)
  // sees the role as it is now, not as it was before a concurrent change committed; it runs
  // before the update, so it still sees the old role. NO KEY UPDATE, like the update itself:
  // a plain FOR UPDATE would also block the foreign-key check of a refresh that holds the
  // session row the ending waits for, a deadlock.
  const lock = db.select({ id: users.id }).from(users).where(eq(users.id, id)).for('no key update')
  const endOnRoleChange = endAllSessionsQuery(
    db,
    id,
    sql`exists (select 1 from ${users} where ${users.id} = ${id} and ${users.role} <> ${changes.role})`,
  )
  const [, , result] = await rethrowDuplicateEmail(
    db.batch([lock, endOnRoleChange, update, ...alongside]),
  )
  return read(result.rows)
}

export type PasswordChange = {
  userId: string
  /** The version the request's access token carried; a change made meanwhile wins. */
  tokenVersion: number
  passwordHash: string
}

/**
 * New hash, and every session ends (and the version bump refuses every earlier access token),
 * in one round trip with `alongside`. False when the account moved on to another token version
 * since the request was authenticated (a concurrent password change): that change stands, and
 * the request's token is no longer good.
 */
export async function changePassword(
  db: Database,
  change: PasswordChange,
  alongside: Alongside = [],
): Promise<boolean> {
  const [changed] = await db.batch([
    db
      .update(users)
      .set({
        passwordHash: change.passwordHash,
        tokenVersion: sql`${users.tokenVersion} + 1`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(users.id, change.userId), eq(users.tokenVersion, change.tokenVersion)))
      .returning({ id: users.id }),
    // Only when this request's update happened (a later statement sees it): a loser of a race
    // of changes must not end sessions opened with the winner's new password. Its own statement,
    // so its snapshot includes any login that held the row until it committed.
    endAllSessionsQuery(
      db,
      change.userId,
      sql`exists (select 1 from ${users} where ${users.id} = ${change.userId} and ${users.passwordHash} = ${change.passwordHash})`,
    ),
    // A pending reset link would undo the change: it goes too, under the same condition.
    db
      .delete(emailTokens)
      .where(
        and(
          eq(emailTokens.userId, change.userId),
          eq(emailTokens.kind, 'reset_password'),
          sql`exists (select 1 from ${users} where ${users.id} = ${change.userId} and ${users.passwordHash} = ${change.passwordHash})`,
        ),
      ),
    ...alongside,
  ])
  return changed.length === 1
}

export type Deletion = {
  targetId: string
  actorId: string
  clientAddress: string
  requestId: string
  clientRequestId: string | undefined
}

/**
 * Deletes the user and writes the audit entry in one statement: both happen or neither does,
 * and no entry is written for a user that was not there. Locks are taken in the order every
 * other writer takes them, so none can deadlock with this: the user row (NO KEY UPDATE, as a
 * login or a password change does), then the sessions (with their refresh tokens, by cascade),
 * as a refresh takes its session before it checks the user row for its successor's foreign key.
 * Deleting the user directly would lock its row against that check and then wait, through the
 * cascade, for the session the refresh holds.
 */
export async function deleteUserWithAudit(
  db: Database,
  deletion: Deletion,
  alongside: Alongside = [],
): Promise<boolean> {
  const [, , result] = await db.batch([
    db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.id, deletion.targetId))
      .for('no key update'),
    db.delete(sessions).where(eq(sessions.userId, deletion.targetId)),
    db.execute(sql`
    with deleted as (
      delete from ${users} where ${users.id} = ${deletion.targetId} returning ${users.id}
    )
    insert into ${auditLog} (action, actor_id, target_id, client_address, request_id, client_request_id)
    select 'user.deleted', ${deletion.actorId}, deleted.id, ${deletion.clientAddress},
      ${deletion.requestId}, ${deletion.clientRequestId ?? null}
    from deleted
    returning ${auditLog.id}
  `),
    ...alongside,
  ])
  return result.rows.length === 1
}

/** `_` and `%` are wildcards to LIKE; a search for them must find them literally. */
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (match) => `\\${match}`)

export type UserPage = { rows: UserRow[]; hasMore: boolean }

/** Keyset paging by email (unique, indexed): stable under inserts, no OFFSET scans. */
export async function listUsers(
  db: Database,
  options: { limit: number; afterEmail?: string | undefined; prefix?: string | undefined },
): Promise<UserPage> {
  const prefix = options.prefix ? `${escapeLike(options.prefix.toLowerCase())}%` : undefined
  const rows = await db
    .select()
    .from(users)
    .where(
      and(
        options.afterEmail === undefined ? undefined : gt(users.email, options.afterEmail),
        prefix === undefined
          ? undefined
          : or(like(users.email, prefix), like(sql`lower(${users.name})`, prefix)),
      ),
    )
    .orderBy(asc(users.email))
    .limit(options.limit + 1)
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit }
}
