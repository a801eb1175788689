import { describe, expect, inject, it } from 'vitest'
import {
  api,
  appDatabase,
  freshAddress,
  registerUser,
  STRONG_PASSWORD,
  sql,
  tokenVersionOf,
  uniqueEmail,
} from '../../test/support/api'
import { hashPassword } from '../lib/password'
import { changePassword, deleteUserWithAudit } from '../users/queries'
import { recordLoginSuccess } from './queries'

type LoginData = {
  token: string
  tokenType: string
  expiresIn: number
  refreshToken: string
  user: { userId: string; email: string }
}

const login = (body: unknown, path = '/v1/users/login', address = freshAddress()) =>
  api<{ data: LoginData; code: string; message: string }>(path, { method: 'POST', body, address })

const decodeClaims = (token: string) => {
  const [, payload = ''] = token.split('.')
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>
}

describe('POST /v1/users/login', () => {
  it('returns an access token, its lifetime, a refresh token and the user', async () => {
    const user = await registerUser()
    const res = await login({ email: user.email, password: user.password })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 24 * 3600,
      user: { userId: user.userId, email: user.email },
    })
    expect(res.body.data.refreshToken).toMatch(/^[A-Za-z0-9_-]{43,}$/)
    const claims = decodeClaims(res.body.data.token)
    expect(claims).toMatchObject({
      sub: user.userId,
      userId: user.userId,
      email: user.email,
      role: 'user',
      iss: 'user-api',
      aud: 'user-api',
    })
    expect(Number(claims.exp) - Number(claims.iat)).toBe(24 * 3600)
    expect(claims.jti).toEqual(expect.any(String))
    expect(JSON.parse(atob(res.body.data.token.split('.')[0] ?? ''))).toMatchObject({
      alg: 'HS256',
    })
  })

  it('matches the email case-insensitively and trimmed', async () => {
    const user = await registerUser()
    const res = await login({ email: `  ${user.email.toUpperCase()} `, password: user.password })
    expect(res.status).toBe(200)
  })

  it('gives one answer for a wrong password and for an unknown email', async () => {
    const user = await registerUser()
    const wrong = await login({ email: user.email, password: 'Wrong-Pass-1' })
    const unknown = await login({ email: uniqueEmail('ghost'), password: 'Wrong-Pass-1' })
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
    expect(wrong.body).toEqual(unknown.body)
    expect(wrong.body).toEqual({
      success: false,
      code: 'invalid_credentials',
      message: 'Incorrect email or password',
    })
  })

  it('refuses a missing password and an over-long one with 422', async () => {
    expect((await login({ email: 'a@example.com' })).status).toBe(422)
    const tooLong = await login({ email: 'a@example.com', password: 'x'.repeat(73) })
    expect(tooLong.status).toBe(422)
  })

  it.each(['2b', '2a'] as const)(
    'logs in a user whose $%s$ hash the old service stored',
    async (version) => {
      const email = uniqueEmail('legacy')
      const hash = inject('legacyHashes')[version]
      await sql(`insert into users (name, email, password_hash) values ('Old Timer', $1, $2)`, [
        email,
        hash,
      ])
      const res = await login({ email, password: inject('legacyPassword') })
      expect(res.status).toBe(200)
      expect(res.body.data.user.email).toBe(email)
      const wrong = await login({ email, password: 'Legacy-Pass-2018' })
      expect(wrong.status).toBe(401)
    },
  )

  it('keeps the original service path POST /api/users/login', async () => {
    const user = await registerUser()
    const res = await login({ email: user.email, password: STRONG_PASSWORD }, '/api/users/login')
    expect(res.status).toBe(200)
    expect(res.body.data.token).toBeTruthy()
  })
})

describe('POST /v1/auth/token (OAuth2 password grant)', () => {
  const tokenRequest = (
    form: Record<string, string>,
    contentType = 'application/x-www-form-urlencoded',
  ) =>
    api<Record<string, unknown>>('/v1/auth/token', {
      method: 'POST',
      raw: new URLSearchParams(form).toString(),
      headers: { 'content-type': contentType },
      address: freshAddress(),
    })

  it('answers in the OAuth2 shape, without the envelope', async () => {
    const user = await registerUser()
    const res = await tokenRequest({
      grant_type: 'password',
      username: user.email,
      password: user.password,
    })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 24 * 3600,
      refresh_token: expect.any(String),
    })
    expect(res.headers.get('cache-control')).toBe('no-store')
    const me = await api('/v1/users/me', { token: String(res.body.access_token) })
    expect(me.status).toBe(200)
  })

  it('refuses wrong credentials with 401 and a JSON body', async () => {
    const res = await tokenRequest({ username: uniqueEmail(), password: 'Nope-1234' })
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({ success: false, code: 'invalid_credentials' })
  })

  it('refuses a JSON body with 415 and a missing field with 422', async () => {
    const json = await api('/v1/auth/token', {
      method: 'POST',
      body: { username: 'a', password: 'b' },
    })
    expect(json.status).toBe(415)
    const missing = await tokenRequest({ username: 'someone@example.com' })
    expect(missing.status).toBe(422)
  })
})

describe('a login whose account changes while its password is being checked', () => {
  const limit = (key: string, reserved: boolean) => ({
    key: `${key}:guard-${crypto.randomUUID()}`,
    maxFailures: 5,
    windowSeconds: 900,
    reserved,
  })
  const success = (userId: string, tokenVersion: number) => ({
    limits: {
      emailAtNetwork: limit('en', true),
      network: limit('net', false),
      email: limit('email', true),
    },
    session: {
      id: crypto.randomUUID(),
      userId,
      tokenHash: crypto.randomUUID(),
      refreshTtlSeconds: 60,
      maxAgeSeconds: 3600,
      userAgent: 'guard test',
      clientAddress: '2001:db8::1',
    },
    tokenVersion,
  })
  const familyExists = async (tokenHash: string) =>
    (await sql('select 1 from refresh_tokens where token_hash = $1', [tokenHash])).length === 1

  it('opens the session only at the token version that was checked, and never for a deleted user', async () => {
    const user = await registerUser()
    const checked = await tokenVersionOf(user.userId)
    await sql('update users set token_version = token_version + 1 where id = $1', [user.userId])
    const stale = success(user.userId, checked)
    expect(await recordLoginSuccess(appDatabase(), stale)).toBe(false)
    expect(await familyExists(stale.session.tokenHash)).toBe(false)
    const current = success(user.userId, checked + 1)
    expect(await recordLoginSuccess(appDatabase(), current)).toBe(true)
    expect(await familyExists(current.session.tokenHash)).toBe(true)
    await sql('delete from users where id = $1', [user.userId])
    // No foreign-key error: the guard finds no user and inserts nothing.
    expect(await recordLoginSuccess(appDatabase(), success(user.userId, checked + 1))).toBe(false)
  })

  // Through the route, with the app's own change and deletion. A cost-12 hash holds the login in
  // bcrypt for hundreds of milliseconds, so the change usually lands between its two round trips;
  // however the two interleave, no session may come out of the old password.
  it.each([
    [
      'a password change',
      (userId: string, tokenVersion: number, passwordHash: string) =>
        changePassword(appDatabase(), { userId, tokenVersion, passwordHash }),
    ],
    [
      'a deletion',
      (userId: string) =>
        deleteUserWithAudit(appDatabase(), {
          targetId: userId,
          actorId: userId,
          clientAddress: '2001:db8::1',
          requestId: 'login-race-test',
          clientRequestId: undefined,
        }),
    ],
  ])('leaves no session from the old password when %s races the login', async (_, change) => {
    const user = await registerUser()
    await sql('update users set password_hash = $1 where id = $2', [
      await hashPassword(user.password, 12),
      user.userId,
    ])
    const tokenVersion = await tokenVersionOf(user.userId)
    const newHash = await hashPassword('Changed-Pass-77', 4)
    const attempt = login({ email: user.email, password: user.password })
    await new Promise((resolve) => setTimeout(resolve, 100))
    await change(user.userId, tokenVersion, newHash)
    const res = await attempt
    expect([200, 401]).toContain(res.status)
    if (res.status === 401) expect(res.body.code).toBe('invalid_credentials')
    const live = await sql('select 1 from sessions where user_id = $1 and ended_at is null', [
      user.userId,
    ])
    expect(live).toHaveLength(0)
  })
})
