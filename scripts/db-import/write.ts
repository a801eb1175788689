/**
 * One batch of checked rows into `users`, in one statement. A user who is already here (same id)
 * is left exactly as they are, since they may have changed their account here since an earlier
 * import: that is what makes a second run change nothing. An email that another account here
 * already has is not taken.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../src/db/client'
import { users } from '../../src/db/schema'
import type { ImportRow } from './rows'

export type Outcome = 'imported' | 'present' | 'email_taken'

export type Written = { id: string; outcome: Outcome; holder: string | null }

const incoming = (rows: ImportRow[]) => sql`
  incoming as (
    select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
      id uuid, name text, email text, password_hash text, role user_role,
      created_at timestamptz, updated_at timestamptz
    )
  )`

// Which account here has the email, when it is not the row's own.
const holder = sql`(select u.id from ${users} u where u.email = i.email and u.id <> i.id) as holder`

async function run(db: Database, statement: SQL): Promise<Written[]> {
  const result = await db.execute<{ id: string; outcome: Outcome; holder: string | null }>(
    statement,
  )
  return result.rows.map((row) => ({ id: row.id, outcome: row.outcome, holder: row.holder }))
}

/**
 * Inserts the rows that are new. Imported users count as verified (as migration 0003 made every
 * account of that time); the statement's snapshot tells a user already here from an email taken.
 */
export function writeBatch(db: Database, rows: ImportRow[]): Promise<Written[]> {
  return run(
    db,
    sql`
    with ${incoming(rows)},
    inserted as (
      insert into ${users} (id, name, email, password_hash, role, email_verified_at, created_at, updated_at)
      select id, name, email, password_hash, role, now(), created_at, updated_at from incoming
      on conflict do nothing
      returning id
    )
    select i.id::text as id,
      case when i.id in (select id from inserted) then 'imported'
        when exists (select 1 from ${users} u where u.id = i.id) then 'present'
        else 'email_taken' end as outcome,
      ${holder}
    from incoming i`,
  )
}

/** What writeBatch would do, without writing: for --dry-run. */
export function classifyBatch(db: Database, rows: ImportRow[]): Promise<Written[]> {
  return run(
    db,
    sql`
    with ${incoming(rows)}
    select i.id::text as id,
      case when exists (select 1 from ${users} u where u.id = i.id) then 'present'
        when exists (select 1 from ${users} u where u.email = i.email) then 'email_taken'
        else 'imported' end as outcome,
      ${holder}
    from incoming i`,
  )
}
