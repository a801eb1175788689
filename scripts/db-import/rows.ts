/**
 * Which of the old service's rows can become our users, and as what: the contract's rules for
 * emails and names, bcrypt hashes as they are, ids, roles and timestamps kept.
 */
import type { Role } from '../../src/db/schema'
import { Email, Name } from '../../src/users/schemas'

/** A row of the old `users` table (models.py), timestamps as ISO 8601 text to the microsecond. */
export type SourceRow = {
  id: string
  name: string
  email: string
  password_hash: string
  role: string
  created_at: string
  updated_at: string
}

/** What `users` gets: the same row with the email lower-cased and the name trimmed. */
export type ImportRow = Omit<SourceRow, 'role'> & { role: Role }

export type SkipKind =
  | 'case_duplicate'
  | 'invalid_email'
  | 'invalid_name'
  | 'not_bcrypt'
  | 'invalid_role'
  | 'email_taken'

export type Skip = { kind: SkipKind; reason: string }

/** How the summary names each kind of skipped row. */
export const SKIP_LABELS: Record<SkipKind, string> = {
  case_duplicate: 'email differs only by case from another',
  invalid_email: 'invalid email',
  invalid_name: 'invalid name',
  not_bcrypt: 'password hash is not bcrypt',
  invalid_role: 'unknown role',
  email_taken: 'email already used here by another account',
}

// $2a$, $2b$ and $2y$ are what the app's bcrypt verifies; 22 characters of salt, 31 of hash.
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/

/** The email as the contract stores it; rows whose keys are equal differ only by case. */
export const emailKey = (email: string) => email.trim().toLowerCase()

export function checkRow(row: SourceRow): { row: ImportRow } | { skip: Skip } {
  const email = Email.safeParse(row.email)
  if (!email.success) {
    return { skip: { kind: 'invalid_email', reason: `email ${email.error.issues[0]?.message}` } }
  }
  const name = Name.safeParse(row.name)
  if (!name.success) {
    return { skip: { kind: 'invalid_name', reason: `name ${name.error.issues[0]?.message}` } }
  }
  if (!BCRYPT_HASH.test(row.password_hash)) {
    const reason =
      'password hash is not a bcrypt hash ($2a$, $2b$ or $2y$), so no login could check it'
    return { skip: { kind: 'not_bcrypt', reason } }
  }
  if (row.role !== 'user' && row.role !== 'admin') {
    const reason = `role ${JSON.stringify(row.role)} is neither "user" nor "admin"`
    return { skip: { kind: 'invalid_role', reason } }
  }
  return { row: { ...row, email: email.data, name: name.data, role: row.role } }
}

export type Decision = { row: SourceRow; skip?: Skip }

function decideGroup(group: SourceRow[]): Decision[] {
  if (group.length === 1) return group.map((row) => ({ row }))
  const key = emailKey(group[0]?.email ?? '')
  // The old service lower-cased every email it was given and looked logins up lower-cased, so
  // of rows that differ only by case, the one stored lower-case is the one that could sign in.
  const lowerCase = group.filter((row) => row.email === key)
  const kept = lowerCase.length === 1 ? lowerCase[0] : undefined
  return group.map((row) => {
    if (row === kept) return { row }
    const reason = kept
      ? `email differs only by case from user ${kept.id}'s, which is stored lower-case as the old service stored emails and is the one considered instead`
      : `email differs only by case from another row's, and none is stored lower-case as the old service stored emails, so whose address it is is unclear`
    return { row, skip: { kind: 'case_duplicate', reason } }
  })
}

/**
 * Decides each row of a stream ordered by `emailKey`, holding only one group of rows with the
 * same key at a time: a lone row goes on to be checked, and of rows that differ only by case,
 * at most one does.
 */
export async function* decideCaseDuplicates(
  rows: AsyncIterable<SourceRow>,
): AsyncGenerator<Decision> {
  let group: SourceRow[] = []
  for await (const row of rows) {
    const first = group[0]
    if (first && emailKey(first.email) !== emailKey(row.email)) {
      yield* decideGroup(group)
      group = []
    }
    group.push(row)
  }
  yield* decideGroup(group)
}
