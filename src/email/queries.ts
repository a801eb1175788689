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
 * Locks the user a token belongs to, first: deletion, login, password and email changes take the
 * user row before anything else, so a spend must too, or the two could deadlock.
 */
const lockTokenOwner = (db: Database, kind: EmailTokenKind, tokenHash: string) =>
  db.execute(sql`
    select id from ${users}
    where id = (select user_id from ${emailTokens} where token_hash = ${tokenHash} and kind = ${kind})
    for no key update
  `)

/**
 * Spends a verification token and marks the address verified, if it is still the account's
 * email. One round trip. Undefined for a token that is unknown, used, expired, of the other
 * kind, or for an address the account no longer has.
 */
export async function verifyEmail(db: Database, tokenHash: string): Promise<UserRow | undefined> {
  const [, result] = await db.batch([
    lockTokenOwner(db, 'verify_email', tokenHash),
    db.execute<RawUserRow>(sql`
      with spent as (${spendToken('verify_email', tokenHash)})
      update ${users} u set email_verified_at = coalesce(u.email_verified_at, now())
      from spent where u.id = spent.user_id and u.email = spent.email
      returning ${sql.raw(
        USER_COLUMNS.split(', ')
          .map((column) => `u.${column}`)
          .join(', '),
      )}
    `),
  ])
  const row = result.rows[0]
  return row ? toUserRow(row) : undefined
}

/**
 * Spends a reset token and sets the new password (refusing every earlier access token by the
 * version bump), marking the address verified: the link proved it. Only while the account
 * still has the address the link was sent to. Then, in later statements of the same round trip
 * (so they see a login that held the user row until it committed): every session ends, and the
 * failed-login counters of that email are cleared. Of concurrent confirms with one token, the
 * token row's lock lets exactly one through. Undefined when the token is not good.
 */
export async function resetPassword(
  db: Database,
  reset: { tokenHash: string; passwordHash: string },
): Promise<{ id: string; email: string } | undefined> {
  const changedHere = sql`
    select u.id, u.email from ${users} u join ${emailTokens} t on t.user_id = u.id
    where t.token_hash = ${reset.tokenHash} and t.spent_at is not null
      and u.password_hash = ${reset.passwordHash}
  `
  const [, changed] = await db.batch([
    lockTokenOwner(db, 'reset_password', reset.tokenHash),
    db.execute<{ id: string; email: string }>(sql`
      with spent as (${spendToken('reset_password', reset.tokenHash)})
      update ${users} u set
        password_hash = ${reset.passwordHash},
        token_version = u.token_version + 1,
        email_verified_at = coalesce(u.email_verified_at, now()),
        updated_at = now()
      from spent where u.id = spent.user_id and u.email = spent.email
      returning u.id, u.email
    `),
    db.execute(sql`
      update ${sessions} set ended_at = now()
      where user_id in (select id from (${changedHere}) c) and ended_at is null
    `),
    db.execute(sql`
      delete from ${loginThrottle} where key in (
        select t.key from ${loginThrottle} t, (${changedHere}) c
        where t.key = 'email:' || encode(sha256(convert_to(c.email, 'UTF8')), 'hex')
          or t.key like 'en:' || encode(sha256(convert_to(c.email, 'UTF8')), 'hex') || ':%'
        order by t.key
      )
    `),
  ])
  return changed.rows[0]
}
