import { describe, expect, it } from 'vitest'
import {
  api,
  apiWithSettings,
  freshAddress,
  registerUser,
  STRONG_PASSWORD,
  sql,
  uniqueEmail,
} from '../../test/support/api'
import { lastMailTo, mailTo, tokenIn } from '../../test/support/mail'
import { sha256Hex } from '../lib/tokens'

type UserAnswer = { code: string; data: { emailVerified: boolean; email: string } }

const verify = (token: unknown) =>
  api<UserAnswer>('/v1/auth/verify-email', { method: 'POST', body: { token } })
const me = (token: string) => api<UserAnswer>('/v1/users/me', { token })
const resend = (token: string) =>
  api<{ message: string }>('/v1/users/me/verification-email', { method: 'POST', token })

describe('the verification email of a registration', () => {
  it('is written with the account: to its address, with a link whose token is stored only as a hash', async () => {
    const user = await registerUser()
    const [mail, ...others] = await mailTo(user.email)
    expect(others).toHaveLength(0)
    expect(mail?.subject).toMatch(/confirm/i)
    expect(mail?.text_body).toMatch(
      /https:\/\/api\.example\.com\/app\/#verify-email\?token=[\w-]{43}/,
    )
    expect(mail?.html_body).toContain('<a href="https://api.example.com/app/#verify-email?token=')
    const token = tokenIn(mail ?? (await lastMailTo(user.email)))
    const [stored] = await sql<{ token_hash: string; kind: string }>(
      'select token_hash, kind from email_tokens where user_id = $1',
      [user.userId],
    )
    expect(stored).toEqual({ token_hash: await sha256Hex(token), kind: 'verify_email' })
    expect((await me(user.token)).body.data.emailVerified).toBe(false)
  })

  it('verifies the address once: 200 with the user, then 400 invalid_token', async () => {
    const user = await registerUser()
    const token = tokenIn(await lastMailTo(user.email))
    const first = await verify(token)
    expect(first.status).toBe(200)
    expect(first.body.data).toMatchObject({ email: user.email, emailVerified: true })
    expect((await me(user.token)).body.data.emailVerified).toBe(true)
    const again = await verify(token)
    expect(again.status).toBe(400)
    expect(again.body.code).toBe('invalid_token')
  })

  it.each([
    ['an unknown token', 'A'.repeat(43)],
    ['a malformed token', '../../etc/passwd'],
    ['an empty token', ''],
  ])('refuses %s with 400 invalid_token', async (_, token) => {
    const res = await verify(token)
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('invalid_token')
  })

  it('refuses a missing token, a wrong type and unknown fields with 422', async () => {
    expect((await api('/v1/auth/verify-email', { method: 'POST', body: {} })).status).toBe(422)
    expect((await verify(42)).status).toBe(422)
    const extra = await api('/v1/auth/verify-email', {
      method: 'POST',
      body: { token: 'x', userId: crypto.randomUUID() },
    })
    expect(extra.status).toBe(422)
  })

  it('refuses an expired token, and changes nothing', async () => {
    const user = await registerUser()
    const token = tokenIn(await lastMailTo(user.email))
    await sql(
      `update email_tokens set expires_at = now() - interval '1 second' where user_id = $1`,
      [user.userId],
    )
    expect((await verify(token)).status).toBe(400)
    expect((await me(user.token)).body.data.emailVerified).toBe(false)
  })

  it('refuses a reset token presented as a verification token', async () => {
    const user = await registerUser()
    await api('/v1/auth/password-reset', { method: 'POST', body: { email: user.email } })
    const resetToken = tokenIn(await lastMailTo(user.email))
    expect((await verify(resetToken)).status).toBe(400)
    expect((await me(user.token)).body.data.emailVerified).toBe(false)
  })
})

describe('POST /v1/users/me/verification-email', () => {
  it('sends a new link that replaces the old one, at most once a minute', async () => {
    const user = await registerUser()
    const first = tokenIn(await lastMailTo(user.email))
    const sent = await resend(user.token)
    expect(sent.status).toBe(202)
    const mails = await mailTo(user.email)
    expect(mails).toHaveLength(2)
    const second = tokenIn(await lastMailTo(user.email))
    expect(second).not.toBe(first)
    expect((await verify(first)).status).toBe(400)
    const limited = await resend(user.token)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await mailTo(user.email)).toHaveLength(2)
    expect((await verify(second)).status).toBe(200)
  })

  it('sends nothing to an address that is already verified', async () => {
    const user = await registerUser()
    await verify(tokenIn(await lastMailTo(user.email)))
    const res = await resend(user.token)
    expect(res.status).toBe(202)
    expect(res.body.message).toMatch(/already verified/)
    expect(await mailTo(user.email)).toHaveLength(1)
  })

  it('needs a token', async () => {
    expect((await api('/v1/users/me/verification-email', { method: 'POST' })).status).toBe(401)
  })
})

describe('a changed email', () => {
  it('is unverified: a link goes to the new address, a notice without a link to the old', async () => {
    const user = await registerUser()
    await verify(tokenIn(await lastMailTo(user.email)))
    const email = uniqueEmail('moved')
    const res = await api<UserAnswer>('/v1/users/me', {
      method: 'PATCH',
      token: user.token,
      body: { email, currentPassword: user.password },
    })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ email, emailVerified: false })
    const link = await lastMailTo(email)
    const notice = await lastMailTo(user.email)
    expect(notice.subject).toMatch(/changed/i)
    expect(notice.text_body).toContain(email)
    expect(notice.text_body).not.toMatch(/token=/)
    expect((await verify(tokenIn(link))).body.data).toMatchObject({ email, emailVerified: true })
  })

  it('sends nothing when a name changes or the email stays the same', async () => {
    const user = await registerUser()
    await api('/v1/users/me', { method: 'PATCH', token: user.token, body: { name: 'Renamed' } })
    await api('/v1/users/me', {
      method: 'PATCH',
      token: user.token,
      body: { email: user.email.toUpperCase() },
    })
    expect(await mailTo(user.email)).toHaveLength(1)
  })
})

describe('REQUIRE_EMAIL_VERIFICATION=true', () => {
  it('refuses a right password of an unverified account with 403; other answers do not change', async () => {
    const call = await apiWithSettings({ REQUIRE_EMAIL_VERIFICATION: 'true' })
    const user = await registerUser()
    const login = (password: string) =>
      call<{ code: string }>('/v1/users/login', {
        method: 'POST',
        body: { email: user.email, password },
        address: freshAddress(),
      })
    const refused = await login(STRONG_PASSWORD)
    expect(refused.status).toBe(403)
    expect(refused.body.code).toBe('email_not_verified')
    expect((await login('Wrong-Pass-1')).status).toBe(401)
    await verify(tokenIn(await lastMailTo(user.email)))
    expect((await login(STRONG_PASSWORD)).status).toBe(200)
  })
})
