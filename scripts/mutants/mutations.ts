// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are source text to find and replace, not templates
/**
 * Each mutation breaks one rule the README claims, the way a careless change could, and names
 * the tests that must catch it. `find` must occur exactly once in `file`.
 */
export type Mutation = {
  name: string
  file: string
  find: string
  replace: string
  tests: string[]
}

export const MUTATIONS: Mutation[] = [
  {
    name: 'a route without documentation (GET /v1/auth/sessions loses its describeRoute)',
    file: 'src/sessions/routes.ts',
    find: ".get('/', describeListSessions, async (c) => {",
    replace: ".get('/', async (c) => {",
    tests: ['src/openapi/openapi.test.ts'],
  },
  {
    name: 'a route with a validator but no documentation (POST /v1/auth/verify-email)',
    file: 'src/email/routes.ts',
    find: "'/verify-email',\n    describeVerifyEmail,\n",
    replace: "'/verify-email',\n",
    tests: ['src/openapi/openapi.test.ts'],
  },
  {
    name: 'the document promises an answer no request gives (410 on GET /v1/auth/sessions)',
    file: 'src/sessions/openapi.ts',
    find: '    ...serviceFailures,\n  },\n})\n\nexport const describeEndSession',
    replace:
      "    ...serviceFailures,\n    '410': failure('Gone (`not_found`)'),\n  },\n})\n\nexport const describeEndSession",
    tests: ['src/openapi/statuses.test.ts'],
  },
  {
    name: "the document shows the library's own 400 format beside the contract's",
    file: 'src/openapi/routes.ts',
    find: 'defaultValidationErrorResponse: false,',
    replace: 'defaultValidationErrorResponse: true,',
    tests: ['src/openapi/statuses.test.ts'],
  },
  {
    name: 'an unknown email costs no bcrypt check (the decoy returns at once)',
    file: 'src/lib/password.ts',
    find: '  bcrypt.verify(password, decoy)\n',
    replace: '',
    tests: ['src/lib/password-work.test.ts', 'src/lib/password-scrypt.test.ts'],
  },
  {
    name: 'a wrong password for a lower-cost hash is not topped up',
    file: 'src/lib/password.ts',
    find: 'for (let step = low; step < bcryptCost; step += 1)',
    replace: 'for (let step = low; step < low; step += 1)',
    tests: ['src/lib/password-work.test.ts', 'src/lib/password-scrypt.test.ts'],
  },
  {
    name: 'old hashes never move to BCRYPT_COST (needsRehash always false)',
    file: 'src/lib/password.ts',
    find: "if (passwordAlgorithm === 'bcrypt') return cost !== bcryptCost",
    replace: "if (passwordAlgorithm === 'bcrypt') return false",
    tests: ['src/lib/password-work.test.ts', 'src/lib/password-scrypt.test.ts'],
  },
  {
    name: 'under scrypt, bcrypt hashes never move to scrypt',
    file: 'src/lib/password.ts',
    find: '    !params ||\n',
    replace: '',
    tests: ['src/lib/password-scrypt.test.ts'],
  },
  {
    name: 'under scrypt, new passwords are still stored as bcrypt',
    file: 'src/lib/password.ts',
    find: "  return passwordAlgorithm === 'scrypt'\n",
    replace: "  return passwordAlgorithm === 'none'\n",
    tests: ['src/lib/password-scrypt.test.ts'],
  },
  {
    name: 'under scrypt, an unknown email costs no scrypt check (the decoy is bcrypt only)',
    file: 'src/lib/password.ts',
    find: "  if (passwordAlgorithm === 'scrypt') await scrypt.verify(password, SCRYPT_DECOY_HASH)\n",
    replace: '',
    tests: ['src/lib/password-scrypt.test.ts'],
  },
  {
    name: 'under scrypt, a wrong password for a bcrypt hash costs no scrypt check',
    file: 'src/lib/password.ts',
    find: "if (passwordAlgorithm === 'scrypt' && !checkedScrypt) {",
    replace: "if (passwordAlgorithm === 'scrypt' && checkedScrypt) {",
    tests: ['src/lib/password-scrypt.test.ts'],
  },
  {
    name: 'bcrypt hashes are checked on one WebAssembly instance, whose state one call leaves changed',
    file: 'src/lib/bcrypt-wasm.ts',
    find: 'function freshInstance(): { exports: BcryptExports; buffer: Uint8Array } {\n',
    replace:
      'let shared: ReturnType<typeof freshInstanceOnce> | undefined\nconst freshInstance = () => (shared ??= freshInstanceOnce())\nfunction freshInstanceOnce(): { exports: BcryptExports; buffer: Uint8Array } {\n',
    tests: ['src/lib/bcrypt-wasm.test.ts', 'src/lib/bcrypt-vectors.test.ts'],
  },
  {
    name: 'of concurrent refreshes of one token, more than one wins (t.spent_at → p.spent_at)',
    file: 'src/sessions/queries.ts',
    find: 'where t.id = p.id and t.session_id = touched.id and t.spent_at is null',
    replace: 'where t.id = p.id and t.session_id = touched.id and p.spent_at is null',
    tests: ['src/sessions/races.test.ts'],
  },
  {
    name: 'a refresh renews a session that a logout ended meanwhile',
    file: 'src/sessions/queries.ts',
    find: '        and s.ended_at is null and s.expires_at > now() and s.idle_expires_at > now()\n      returning s.id, s.idle_expires_at',
    replace:
      '        and s.expires_at > now() and s.idle_expires_at > now()\n      returning s.id, s.idle_expires_at',
    tests: ['src/sessions/races.test.ts', 'src/sessions/sessions.test.ts'],
  },
  {
    name: 'guesses that race past the limit are let through (no refusal after reserving)',
    file: 'src/throttle/queries.ts',
    find: 'select r.retry_after from reserved r join limits l on l.key = r.key where r.failures > l.max_failures',
    replace: 'select r.retry_after from reserved r join limits l on l.key = r.key where false',
    tests: ['src/auth/throttle-races.test.ts', 'src/auth/throttle.test.ts'],
  },
  {
    name: 'a try refused by a full counter is counted anyway',
    file: 'src/throttle/queries.ts',
    find: 'where reserved and (count_refused or not exists (select 1 from blocking))',
    replace: 'where reserved',
    tests: ['src/auth/throttle.test.ts'],
  },
  {
    name: "an office's correct logins count against its network (the network counter reserved)",
    file: 'src/auth/limits.ts',
    find: 'network: { maxFailures: 20, windowSeconds: 15 * MINUTE, reserved: false }',
    replace: 'network: { maxFailures: 20, windowSeconds: 15 * MINUTE, reserved: true }',
    tests: ['src/auth/throttle.test.ts'],
  },
  {
    name: 'bodies are limited to 1 KiB instead of 16',
    file: 'src/app.ts',
    find: 'export const MAX_BODY_BYTES = 16 * 1024',
    replace: 'export const MAX_BODY_BYTES = 1 * 1024',
    tests: ['src/app.test.ts'],
  },
  {
    name: 'updates do not move updatedAt',
    file: 'src/users/update.ts',
    find: '        updated_at = now()\n      where u.id = ${id}',
    replace: '        updated_at = u.updated_at\n      where u.id = ${id}',
    tests: ['src/users/me.test.ts'],
  },
  {
    name: "'_' is a wildcard in the admin search",
    file: 'src/users/queries.ts',
    find: 'value.replace(/[\\\\%_]/g',
    replace: 'value.replace(/[\\\\%]/g',
    tests: ['src/users/admin.test.ts'],
  },
  {
    name: 'an access token works after its session ended (the auth check ignores the session)',
    file: 'src/sessions/queries.ts',
    find: "      and(eq(sessions.id, sql.placeholder('sessionId')), eq(sessions.userId, users.id), isLive),",
    replace:
      "      and(eq(sessions.id, sql.placeholder('sessionId')), eq(sessions.userId, users.id)),",
    tests: ['src/sessions/sessions.test.ts'],
  },
  {
    name: 'reuse of a spent refresh token does not end its session',
    file: 'src/sessions/queries.ts',
    find: '      update ${sessions} s set ended_at = now()\n      from presented p',
    replace: '      update ${sessions} s set ended_at = s.ended_at\n      from presented p',
    tests: ['src/sessions/sessions.test.ts'],
  },
  {
    name: 'a login opens a session after a password change it raced (no version guard)',
    file: 'src/sessions/queries.ts',
    find: 'where ${users.id} = ${session.userId} and ${users.tokenVersion} = ${tokenVersion}',
    replace: 'where ${users.id} = ${session.userId}',
    tests: ['src/auth/login-races.test.ts', 'src/auth/login.test.ts'],
  },
  {
    name: 'two password changes made with one token both win',
    file: 'src/users/queries.ts',
    find: '.where(and(eq(users.id, change.userId), eq(users.tokenVersion, change.tokenVersion)))',
    replace: '.where(eq(users.id, change.userId))',
    tests: ['src/users/races.test.ts', 'src/users/me.test.ts'],
  },
  {
    name: 'a duplicate email, even under a race, is a 500 instead of a 409',
    file: 'src/users/queries.ts',
    find: "    if (isUniqueViolation(error, 'users_email_unique')) throw conflict(EMAIL_TAKEN, 'email')\n",
    replace: '',
    tests: ['src/users/races.test.ts', 'src/users/register.test.ts'],
  },
  {
    name: 'a session outlives SESSION_MAX_AGE',
    file: 'src/sessions/queries.ts',
    find: '      select ${session.id}, holder.id, now() + ${seconds(session.maxAgeSeconds)},',
    replace: "      select ${session.id}, holder.id, now() + interval '100 years',",
    tests: ['src/sessions/sessions.test.ts'],
  },
  {
    name: 'a user keeps 51 live sessions',
    file: 'src/sessions/queries.ts',
    find: 'offset ${MAX_LIVE_SESSIONS - 1}',
    replace: 'offset ${MAX_LIVE_SESSIONS}',
    tests: ['src/sessions/sessions.test.ts'],
  },
  {
    name: 'changing the email needs no current password',
    file: 'src/users/routes.ts',
    find: 'const changesEmail = changes.email !== undefined && changes.email !== caller.email',
    replace: 'const changesEmail = false',
    tests: ['src/users/reauth.test.ts'],
  },
  {
    name: 'an unknown email gets a different answer from a wrong password',
    file: 'src/auth/session.ts',
    find: "    c.var.log.info('login failed', { reason: user ? 'wrong password' : 'unknown email' })\n    throw invalidCredentials()",
    replace:
      "    c.var.log.info('login failed', { reason: user ? 'wrong password' : 'unknown email' })\n    if (!user) throw rateLimited(1)\n    throw invalidCredentials()",
    tests: ['src/auth/login.test.ts', 'test/seed-behaviours.test.ts'],
  },
  {
    name: 'an emailed token can be spent twice',
    file: 'src/email/queries.ts',
    find: 'where token_hash = ${tokenHash} and kind = ${kind} and spent_at is null and expires_at > now()',
    replace: 'where token_hash = ${tokenHash} and kind = ${kind} and expires_at > now()',
    tests: ['src/email/races.test.ts', 'src/email/reset.test.ts', 'src/email/verification.test.ts'],
  },
  {
    name: 'a newer emailed token leaves the older one working',
    file: 'src/email/queries.ts',
    find: `      on conflict (user_id, kind) do update set
        token_hash = excluded.token_hash, email = excluded.email, expires_at = excluded.expires_at,
        spent_at = null, created_at = now()
      returning user_id
    )
    insert into`,
    replace: `      on conflict (user_id, kind) do update set expires_at = excluded.expires_at
      returning user_id
    )
    insert into`,
    tests: ['src/email/reset.test.ts', 'src/email/verification.test.ts'],
  },
  {
    name: 'a password reset leaves the sessions open',
    file: 'src/email/queries.ts',
    find: 'where user_id in (select id from (${changedHere}) c) and ended_at is null',
    replace: 'where user_id in (select id from (${changedHere}) c) and false',
    tests: ['src/email/reset.test.ts'],
  },
  {
    name: 'a reset request for an unknown email answers differently',
    file: 'src/email/routes.ts',
    find: '      return c.json({ success: true, message: ACCEPTED_RESET }, 202)',
    replace:
      "      return c.json({ success: true, message: written.rows.length ? ACCEPTED_RESET : 'No such account' }, 202)",
    tests: ['src/email/reset.test.ts'],
  },
]
