import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import {
  type EmailTokenKind,
  emailOutbox,
  emailTokens,
  loginThrottle,
  sessions,
  type UserRow,
  users,
} from '../db/schema'
import { type RawUserRow, toUserRow, USER_COLUMNS } from '../db/user-row'
import type { Email } from './templates'

export const TOKEN_TTL_SECONDS: Record<EmailTokenKind, number> = {
  verify_email: 24 * 3600,
  reset_password: 3600,
}

export type IssuedToken = {
  kind: EmailTokenKind
  tokenHash: string
  email: Email
}

/**
 * Writes a token and the email that carries it in ONE statement, for the user `which` selects
 * (none: nothing is written, at the same cost): never a token without its email or an email
 * without its token. A newer token of the same kind replaces the older one. Returns the outbox
 * id, if a message was written.
 */
export function issueTokenQuery(db: Database, which: SQL, token: IssuedToken) {
  const ttl = TOKEN_TTL_SECONDS[token.kind]
  return db.execute<{ id: number | string }>(sql`
    with u as (select id, email from ${users} where ${which}),
    issued as (
      insert into ${emailTokens} (user_id, kind, token_hash, email, expires_at)
      select id, ${token.kind}, ${token.tokenHash}, email, now() + ${ttl} * interval '1 second' from u
      on conflict (user_id, kind) do update set
        token_hash = excluded.token_hash, email = excluded.email, expires_at = excluded.expires_at,
        spent_at = null, created_at = now()
      returning user_id
    )
    insert into ${emailOutbox} (to_address, subject, text_body, html_body)
    select ${token.email.to}, ${token.email.subject}, ${token.email.text}, ${token.email.html}
    from issued
    returning id
  `)
}

/** Spends a token of `kind` in the statement that locks it: of concurrent spends, one wins. */
const spendToken = (kind: EmailTokenKind, tokenHash: string) => sql`
  update ${emailTokens} set spent_at = now()
  where token_hash = ${tokenHash} and kind = ${kind} and spent_at is null and expires_at > now()
  returning user_id, email
`

/**
 * Spends a verification token and marks the address verified, if it is still the account's
 * email. One statement. Undefined for a token that is unknown, used, expired, of the other
 * kind, or for an address the account no longer has.
 */
export async function verifyEmail(db: Database, tokenHash: string): Promise<UserRow | undefined> {
  const result = await db.execute<RawUserRow>(sql`
    with spent as (${spendToken('verify_email', tokenHash)})
    update ${users} u set email_verified_at = coalesce(u.email_verified_at, now())
    from spent where u.id = spent.user_id and u.email = spent.email
    returning ${sql.raw(
      USER_COLUMNS.split(', ')
        .map((column) => `u.${column}`)
        .join(', '),
    )}
  `)
  const row = result.rows[0]
  return row ? toUserRow(row) : undefined
}

/**
 * Spends a reset token and, in the same statement: sets the new password, refuses every earlier
 * access token (version bump), ends every session, marks the address verified (the link proved
 * it) and clears the failed-login counters of that email. Of concurrent confirms with one
 * token, the token row's lock lets exactly one through. Undefined when the token is not good.
 */
export async function resetPassword(
  db: Database,
  reset: { tokenHash: string; passwordHash: string },
): Promise<{ id: string; email: string } | undefined> {
  const result = await db.execute<{ id: string; email: string }>(sql`
    with spent as (${spendToken('reset_password', reset.tokenHash)}),
    changed as (
      update ${users} u set
        password_hash = ${reset.passwordHash},
        token_version = u.token_version + 1,
        email_verified_at = case when u.email = spent.email then coalesce(u.email_verified_at, now()) else u.email_verified_at end,
        updated_at = now()
      from spent where u.id = spent.user_id
      returning u.id, u.email
    ),
    ended as (
      update ${sessions} s set ended_at = now()
      from changed where s.user_id = changed.id and s.ended_at is null
      returning s.id
    ),
    email_hash as (select encode(sha256(convert_to(email, 'UTF8')), 'hex') as hex from changed),
    cleared as (
      delete from ${loginThrottle} t using email_hash
      where t.key = 'email:' || email_hash.hex or t.key like 'en:' || email_hash.hex || ':%'
      returning t.key
    )
    select id, email from changed
  `)
  return result.rows[0]
}
