/**
 * What `npm run admin` does to the database, through the app's own queries: a role change is
 * `updateUser`, the statement PATCH /v1/users/{id} runs, so it ends the user's sessions in the
 * same transaction exactly as an admin's change through the API does.
 */
import { eq, sql } from 'drizzle-orm'
import type { Database } from '../../src/db/client'
import { type Role, users } from '../../src/db/schema'
import { updateUser } from '../../src/users/queries'

export type RoleOutcome =
  | { kind: 'changed'; userId: string; from: Role }
  | { kind: 'unchanged'; userId: string }
  | { kind: 'not_found' }

async function findByEmail(db: Database, email: string) {
  const [row] = await db
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(eq(users.email, email))
    .limit(1)
  return row
}

/** Gives the account `role`; a user who already has it is left alone, sessions included. */
export async function setRole(db: Database, email: string, role: Role): Promise<RoleOutcome> {
  const found = await findByEmail(db, email)
  if (!found) return { kind: 'not_found' }
  if (found.role === role) return { kind: 'unchanged', userId: found.id }
  const updated = await updateUser(db, found.id, { role })
  // Deleted between the two statements.
  if (!updated) return { kind: 'not_found' }
  return { kind: 'changed', userId: found.id, from: found.role }
}

export type CreateOutcome =
  | { kind: 'created'; userId: string }
  | { kind: 'exists'; userId: string; role: Role }

/** The account as it is, if the email has one: checked before a password is asked for. */
export async function existingAccount(db: Database, email: string) {
  return findByEmail(db, email)
}

/**
 * A new admin account. It counts as verified: whoever can write the database vouches for the
 * address, as for users moved from the old service, and with REQUIRE_EMAIL_VERIFICATION=true
 * the first admin must be able to sign in before any mail is set up. An account that appeared
 * meanwhile under the same email is left as it is.
 */
export async function createAdmin(
  db: Database,
  account: { name: string; email: string; passwordHash: string },
): Promise<CreateOutcome> {
  const [created] = await db
    .insert(users)
    .values({ ...account, role: 'admin', emailVerifiedAt: sql`now()` })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id })
  if (created) return { kind: 'created', userId: created.id }
  const found = await findByEmail(db, account.email)
  if (!found)
    throw new Error(`the insert of ${account.email} conflicted, yet no such account exists`)
  return { kind: 'exists', userId: found.id, role: found.role }
}
