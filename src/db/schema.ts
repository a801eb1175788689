import { sql } from 'drizzle-orm'
import {
  bigserial,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

export const roleEnum = pgEnum('user_role', ['user', 'admin'])
export type Role = (typeof roleEnum.enumValues)[number]

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: roleEnum('role').notNull().default('user'),
    // Bumped by a password change: access tokens carry it as `ver`, so every token issued
    // before the change is refused without comparing clocks across machines.
    tokenVersion: integer('token_version').notNull().default(0),
    // Null until a verification link is followed (or a password reset proves the address); a
    // changed email is unverified again.
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    // Prefix search (`q=`) uses LIKE 'prefix%'; these operator classes let it use an index
    // whatever the database's collation.
    index('users_email_prefix_idx').using('btree', sql`${t.email} text_pattern_ops`),
    index('users_name_prefix_idx').using('btree', sql`lower(${t.name}) text_pattern_ops`),
    check('users_email_lower_case', sql`${t.email} = lower(${t.email})`),
    check('users_email_length', sql`char_length(${t.email}) between 3 and 255`),
    check('users_name_not_blank', sql`char_length(btrim(${t.name})) between 1 and 100`),
  ],
)

/**
 * One login: the refresh-token family it opened, and what access tokens carry as `sid`. The
 * row is the one authority on whether the session is live, so ending it is one monotonic write
 * (`ended_at`) that every token of the session sees, whatever else is in flight.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamps.createdAt,
    // Moved by a refresh, not by every request: one write per token lifetime, not per call.
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .defaultNow(),
    // The absolute end (SESSION_MAX_AGE after the login); refreshing never moves it.
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    // When the session ends unless it is refreshed again: its newest refresh token's expiry.
    idleExpiresAt: timestamp('idle_expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    userAgent: text('user_agent'),
    clientAddress: text('client_address'),
  },
  (t) => [
    index('sessions_user_idx').on(t.userId, t.createdAt),
    index('sessions_expires_idx').on(t.expiresAt),
  ],
)

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // The token family is the session: reuse of a spent token ends it.
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    // SHA-256 of the token, hex. The token itself is never stored.
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    spentAt: timestamp('spent_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_unique').on(t.tokenHash),
    index('refresh_tokens_session_idx').on(t.sessionId),
    index('refresh_tokens_user_idx').on(t.userId),
    index('refresh_tokens_expires_idx').on(t.expiresAt),
  ],
)

// Failed-attempt counters, shared by every isolate and location. Keys name what they count:
// `en:<sha256 of the email>:<network>`, `email:<sha256>`, `net:<network>`, `user:<id>`. Hashing
// the email keeps typos (and passwords typed into the email field) out of the table.
export const loginThrottle = pgTable(
  'login_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
    // Each kind of key has its own window; kept on the row so the cleanup needs no list of kinds.
    windowSeconds: integer('window_seconds').notNull().default(900),
  },
  (t) => [index('login_throttle_window_idx').on(t.windowStart)],
)

export const emailTokenKind = pgEnum('email_token_kind', ['verify_email', 'reset_password'])
export type EmailTokenKind = (typeof emailTokenKind.enumValues)[number]

/**
 * Tokens that act, sent by email: one live token per user and kind (a newer one replaces the
 * older), stored as SHA-256 only, spent once.
 */
export const emailTokens = pgTable(
  'email_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: emailTokenKind('kind').notNull(),
    tokenHash: text('token_hash').notNull(),
    // The address the token was sent to: a verification proves that one, not a later email.
    email: text('email').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    spentAt: timestamp('spent_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    uniqueIndex('email_tokens_hash_unique').on(t.tokenHash),
    uniqueIndex('email_tokens_user_kind_unique').on(t.userId, t.kind),
    index('email_tokens_expires_idx').on(t.expiresAt),
  ],
)

/**
 * Every email, written in the same statement or batch as what it carries, and delivered after
 * the answer (and retried by the Cron Trigger) through the `EMAIL` binding.
 */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body').notNull(),
    createdAt: timestamps.createdAt,
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .defaultNow(),
    lastError: text('last_error'),
    // Given up after the last try; the error is kept.
    failedAt: timestamp('failed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('email_outbox_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.sentAt} is null and ${t.failedAt} is null`),
    index('email_outbox_created_idx').on(t.createdAt),
  ],
)

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    action: text('action').notNull(),
    // No foreign keys: the entry must outlive the users it names.
    actorId: uuid('actor_id'),
    targetId: uuid('target_id'),
    clientAddress: text('client_address'),
    // The id the server made for the request; the client's own X-Request-Id, if any, beside it.
    requestId: text('request_id'),
    clientRequestId: text('client_request_id'),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    index('audit_log_target_idx').on(t.targetId),
    index('audit_log_created_idx').on(t.createdAt),
  ],
)

export type UserRow = typeof users.$inferSelect
export type SessionRow = typeof sessions.$inferSelect
