import type { UserRow } from './schema'

/** A `users` row as raw SQL returns it (snake_case, timestamps as text or dates). */
export type RawUserRow = {
  id: string
  name: string
  email: string
  password_hash: string
  role: UserRow['role']
  token_version: number | string
  email_verified_at: string | Date | null
  created_at: string | Date
  updated_at: string | Date
}

/** The columns of `users`, in the order RawUserRow names them, for a raw SELECT or RETURNING. */
export const USER_COLUMNS =
  'id, name, email, password_hash, role, token_version, email_verified_at, created_at, updated_at'

export function toUserRow(row: RawUserRow): UserRow {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    passwordHash: row.password_hash,
    role: row.role,
    tokenVersion: Number(row.token_version),
    emailVerifiedAt: row.email_verified_at === null ? null : new Date(row.email_verified_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}
