import { describe, expect, it } from 'vitest'
import {
  api,
  countRoundTrips,
  freshAddress,
  registerUser,
  sql,
  uniqueEmail,
} from '../../test/support/api'
import { lastMailTo, mailTo, tokenIn } from '../../test/support/mail'
import { sha256Hex } from '../lib/tokens'
import { ipv6Prefix64 } from '../middleware/client-address'

type Answer = { code: string; message: string; errors?: { field: string }[] }
const NEW_PASSWORD = 'Recovered-Pass-5'

const requestReset = (email: string, address = freshAddress()) =>
  api<Answer>('/v1/auth/password-reset', { method: 'POST', body: { email }, address })
const confirm = (token: unknown, newPassword = NEW_PASSWORD) =>
  api<Answer>('/v1/auth/password-reset/confirm', {
    method: 'POST',
    body: { token, newPassword },
  })
const login = (email: string, password: string) =>
  api('/v1/users/login', { method: 'POST', body: { email, password }, address: freshAddress() })

async function resetTokenFor(email: string): Promise<string> {
  expect((await requestReset(email)).status).toBe(202)
  return tokenIn(await lastMailTo(email))
}

describe('POST /v1/auth/password-reset', () => {
  it('answers the same whether or not the account exists, and mails only an account', async () => {
    const user = await registerUser()
    const ghost = uniqueEmail('ghost')
    const known = await requestReset(user.email)
    const unknown = await requestReset(ghost)
    expect(known.status).toBe(202)
    expect(unknown.status).toBe(202)
    expect(unknown.text).toBe(known.text)
    expect([...known.headers.keys()].sort()).toEqual([...unknown.headers.keys()].sort())
    const mail = await lastMailTo(user.email)
    expect(mail.subject).toMatch(/reset/i)
    expect(mail.text_body).toMatch(/\/app\/#reset-password\?token=[\w-]{43}/)
    expect(await mailTo(ghost)).toHaveLength(0)
  })

  it('does the same database work for an unknown email: the same round trips', async () => {
    const user = await registerUser()
    const trips = async (email: string) =>
      countRoundTrips(async (call) => {
        const res = await call('/v1/auth/password-reset', { method: 'POST', body: { email } })
        expect(res.status).toBe(202)
      })
    expect(await trips(uniqueEmail('ghost'))).toBe(await trips(user.email))
  })

  it('allows 3 requests an hour per email, then 429, with or without an account', async () => {
    const user = await registerUser()
    for (const email of [user.email, uniqueEmail('ghost')]) {
      for (let i = 0; i < 3; i++) expect((await requestReset(email)).status).toBe(202)
      const limited = await requestReset(email)
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3500)
    }
    expect(await mailTo(user.email)).toHaveLength(4)
  })

  it('allows 10 requests an hour per client address, then 429', async () => {
    const address = freshAddress()
    for (let i = 0; i < 10; i++)
      expect((await requestReset(uniqueEmail('spray'), address)).status).toBe(202)
    expect((await requestReset(uniqueEmail('spray'), address)).status).toBe(429)
    expect((await requestReset(uniqueEmail('spray'))).status).toBe(202)
  })

  it('refuses unknown fields with 422', async () => {
    const res = await api('/v1/auth/password-reset', {
      method: 'POST',
      body: { email: 'a@example.com', admin: true },
    })
    expect(res.status).toBe(422)
  })
})

describe('POST /v1/auth/password-reset/confirm', () => {
  it('sets the new password, ends every session, verifies the email and clears the login counters', async () => {
    const user = await registerUser()
    const stranger = freshAddress()
    for (let i = 0; i < 3; i++) await login(user.email, 'Wrong-Pass-1')
    await api('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: 'Wrong-Pass-1' },
      address: stranger,
    })
    const token = await resetTokenFor(user.email)
    const res = await confirm(token)
    expect(res.status).toBe(204)
    const hash = await sha256Hex(user.email)
    const counters = await sql(
      'select key, failures from login_throttle where key = $1 or key = $2',
      [`email:${hash}`, `en:${hash}:${ipv6Prefix64(stranger)}`],
    )
    expect(counters).toEqual([])
    expect((await api('/v1/users/me', { token: user.token })).status).toBe(401)
    // The session ended, not only its access token: its refresh token is refused too.
    const refreshed = await api('/v1/auth/refresh', {
      method: 'POST',
      body: { refreshToken: user.refreshToken },
      address: freshAddress(),
    })
    expect(refreshed.status).toBe(401)
    expect((await login(user.email, user.password)).status).toBe(401)
    const fresh = await api<{ data: { token: string; user: { emailVerified: boolean } } }>(
      '/v1/users/login',
      {
        method: 'POST',
        body: { email: user.email, password: NEW_PASSWORD },
        address: freshAddress(),
      },
    )
    expect(fresh.status).toBe(200)
    expect(fresh.body.data.user.emailVerified).toBe(true)
  })

  it('spends the token: a second confirm is 400 invalid_token and changes nothing', async () => {
    const user = await registerUser()
    const token = await resetTokenFor(user.email)
    expect((await confirm(token)).status).toBe(204)
    const again = await confirm(token, 'Another-Pass-6')
    expect(again.status).toBe(400)
    expect(again.body.code).toBe('invalid_token')
    expect((await login(user.email, 'Another-Pass-6')).status).toBe(401)
  })

  it('keeps the token good after a weak password (422 on newPassword)', async () => {
    const user = await registerUser()
    const token = await resetTokenFor(user.email)
    const weak = await confirm(token, 'weak')
    expect(weak.status).toBe(422)
    expect(new Set(weak.body.errors?.map((error) => error.field))).toEqual(new Set(['newPassword']))
    expect((await login(user.email, user.password)).status).toBe(200)
    expect((await confirm(token)).status).toBe(204)
  })

  it('refuses an expired token, a replaced one, a verification token and an unknown one', async () => {
    const user = await registerUser()
    const verification = tokenIn(await lastMailTo(user.email))
    const replaced = await resetTokenFor(user.email)
    const current = await resetTokenFor(user.email)
    for (const token of [replaced, verification, 'A'.repeat(43)]) {
      const res = await confirm(token)
      expect(res.status).toBe(400)
      expect(res.body.code).toBe('invalid_token')
    }
    await sql(
      `update email_tokens set expires_at = now() - interval '1 second' where user_id = $1 and kind = 'reset_password'`,
      [user.userId],
    )
    expect((await confirm(current)).status).toBe(400)
    expect((await login(user.email, user.password)).status).toBe(200)
  })

  it('lets exactly one of several concurrent confirms with one token win', async () => {
    const user = await registerUser()
    const token = await resetTokenFor(user.email)
    const passwords = ['Racer-One-1', 'Racer-Two-2', 'Racer-Three-3']
    const results = await Promise.all(passwords.map((password) => confirm(token, password)))
    const statuses = results.map((res) => res.status)
    expect(statuses.filter((status) => status === 204)).toHaveLength(1)
    expect(statuses.filter((status) => status === 400)).toHaveLength(2)
    const winner = passwords[statuses.indexOf(204)] ?? ''
    expect((await login(user.email, winner)).status).toBe(200)
  })

  it('refuses a link sent before the email changed, or before a password change', async () => {
    const moved = await registerUser()
    const beforeMove = await resetTokenFor(moved.email)
    const email = uniqueEmail('moved')
    await api('/v1/users/me', {
      method: 'PATCH',
      token: moved.token,
      body: { email, currentPassword: moved.password },
    })
    expect((await confirm(beforeMove)).status).toBe(400)
    expect((await login(email, moved.password)).status).toBe(200)

    const changed = await registerUser()
    const beforeChange = await resetTokenFor(changed.email)
    const change = await api('/v1/users/me/password', {
      method: 'POST',
      token: changed.token,
      body: { currentPassword: changed.password, newPassword: 'Changed-Pass-9' },
    })
    expect(change.status).toBe(204)
    expect((await confirm(beforeChange)).status).toBe(400)
    expect((await login(changed.email, 'Changed-Pass-9')).status).toBe(200)
  })
})
