import { and, asc, eq, gt, isNull, like, or, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import { type Database, preparedPerDatabase } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { auditLog, type Role, refreshTokens, type UserRow, users } from '../db/schema'
import { conflict } from '../lib/errors'

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

const insertUserStatement = preparedPerDatabase((db) =>
  db
    .insert(users)
    .values({
      name: sql.placeholder('name'),
      email: sql.placeholder('email'),
      passwordHash: sql.placeholder('passwordHash'),
    })
    .returning()
    .prepare('insert_user'),
)

export async function insertUser(
  db: Database,
  values: { name: string; email: string; passwordHash: string },
): Promise<UserRow> {
  const [row] = await rethrowDuplicateEmail(insertUserStatement(db).execute(values))
  if (!row) throw new Error('INSERT ... RETURNING returned no row')
  return row
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

export type UserChanges = { name?: string; email?: string; role?: Role }

/** Applies the changes; a role change also revokes the user's refresh tokens, atomically. */
export async function updateUser(
  db: Database,
  id: string,
  changes: UserChanges,
): Promise<UserRow | undefined> {
  const update = db
    .update(users)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning()
  if (changes.role === undefined) {
    const [row] = await rethrowDuplicateEmail(update)
    return row
  }
  // The lock comes first, so the revocation's snapshot (each statement of a batch takes its own)
  // sees the role as it is now, not as it was before a concurrent change committed; it runs
  // before the update, so it still sees the old role. NO KEY UPDATE, like the update itself:
  // a plain FOR UPDATE would also block the foreign-key check of a refresh that holds one of
  // the token rows the revocation waits for, a deadlock.
  const lock = db.select({ id: users.id }).from(users).where(eq(users.id, id)).for('no key update')
  const revokeOnRoleChange = db
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(refreshTokens.userId, id),
        isNull(refreshTokens.revokedAt),
        sql`exists (select 1 from ${users} where ${users.id} = ${id} and ${users.role} <> ${changes.role})`,
      ),
    )
  const [, , [row]] = await rethrowDuplicateEmail(db.batch([lock, revokeOnRoleChange, update]))
  return row
}

export type PasswordChange = {
  userId: string
  /** The version the request's access token carried; a change made meanwhile wins. */
  tokenVersion: number
  passwordHash: string
}

/**
 * New hash, and every earlier access token (version bump) and refresh token stops working, in
 * one round trip with `alongside` (what else the caller must record). False when the account
 * moved on to another token version since the request was authenticated (a concurrent password
 * change): that change stands, and the request's token is no longer good.
 */
export async function changePassword(
  db: Database,
  change: PasswordChange,
  alongside: readonly BatchItem<'pg'>[] = [],
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
    // so its snapshot includes any login that held the row FOR SHARE until it committed.
    db
      .update(refreshTokens)
      .set({ revokedAt: sql`now()` })
      .where(
        and(
          eq(refreshTokens.userId, change.userId),
          isNull(refreshTokens.revokedAt),
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
}

/**
 * Deletes the user and writes the audit entry in one statement: both happen or neither does,
 * and no entry is written for a user that was not there. The refresh tokens go first, in their
 * own statement of the same batch: deleting the user locks its row and then cascades to the
 * tokens, while a refresh holds a token row and then checks the user row for its successor's
 * foreign key; taken in that order the two deadlock. A successor committed meanwhile still goes
 * by the cascade.
 */
export async function deleteUserWithAudit(db: Database, deletion: Deletion): Promise<boolean> {
  const [, result] = await db.batch([
    db.delete(refreshTokens).where(eq(refreshTokens.userId, deletion.targetId)),
    db.execute(sql`
    with deleted as (
      delete from ${users} where ${users.id} = ${deletion.targetId} returning ${users.id}
    )
    insert into ${auditLog} (action, actor_id, target_id, client_address, request_id)
    select 'user.deleted', ${deletion.actorId}, deleted.id, ${deletion.clientAddress}, ${deletion.requestId}
    from deleted
    returning ${auditLog.id}
  `),
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
