import { sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { emailOutbox, emailTokens, users } from '../db/schema'
import { type RawUserRow, USER_COLUMNS } from '../db/user-row'
import { TOKEN_TTL_SECONDS } from '../email/queries'
import type { Email } from '../email/templates'
import type { UserChanges } from './queries'

/** The emails a change of address writes: a verification to the new one, a notice to the old. */
export type EmailChangeMail = { tokenHash: string; verification: Email; notice: Email }

export type UpdatedRow = RawUserRow & { outbox_ids: Array<number | string> | string | null }

/**
 * The update itself, in one statement. A new email is unverified, and the statement also
 * writes its verification token and the two emails (only when the address really changed), so
 * none of them can exist without the others.
 */
export function updateStatement(
  db: Database,
  id: string,
  changes: UserChanges,
  mail?: EmailChangeMail,
) {
  const newEmail = changes.email ?? null
  const ttl = TOKEN_TTL_SECONDS.verify_email
  const v = mail?.verification
  const n = mail?.notice
  return db.execute<UpdatedRow>(sql`
    with old as (select id, email from ${users} where id = ${id}),
    changed as (
      update ${users} u set
        name = coalesce(${changes.name ?? null}, u.name),
        email = coalesce(${newEmail}, u.email),
        role = coalesce(${changes.role ?? null}::user_role, u.role),
        email_verified_at = case when u.email = coalesce(${newEmail}, u.email) then u.email_verified_at end,
        updated_at = now()
      where u.id = ${id}
      returning ${sql.raw(
        USER_COLUMNS.split(', ')
          .map((column) => `u.${column}`)
          .join(', '),
      )}
    ),
    moved as (
      select changed.id, changed.email as new_email, old.email as old_email
      from changed join old on old.id = changed.id
      where old.email <> changed.email and ${mail !== undefined}
    ),
    -- A reset link sent to the old address must not take over the account at the new one.
    unlinked as (
      delete from ${emailTokens} t using moved
      where t.user_id = moved.id and t.kind = 'reset_password'
      returning t.id
    ),
    issued as (
      insert into ${emailTokens} (user_id, kind, token_hash, email, expires_at)
      select id, 'verify_email', ${mail?.tokenHash ?? ''}, new_email, now() + ${ttl} * interval '1 second'
      from moved
      on conflict (user_id, kind) do update set
        token_hash = excluded.token_hash, email = excluded.email, expires_at = excluded.expires_at,
        spent_at = null, created_at = now()
      returning user_id
    ),
    mailed as (
      insert into ${emailOutbox} (to_address, subject, text_body, html_body)
      select moved.new_email, ${v?.subject ?? ''}, ${v?.text ?? ''}, ${v?.html ?? ''}
      from moved join issued on issued.user_id = moved.id
      union all
      select moved.old_email, ${n?.subject ?? ''}, ${n?.text ?? ''}, ${n?.html ?? ''} from moved
      returning id
    )
    select changed.*, (select array_agg(id) from mailed) as outbox_ids from changed
  `)
}

export const outboxIdsOf = (row: UpdatedRow): number[] => {
  const ids = row.outbox_ids
  if (ids === null) return []
  const list = typeof ids === 'string' ? ids.replace(/[{}]/g, '').split(',').filter(Boolean) : ids
  return list.map(Number)
}
