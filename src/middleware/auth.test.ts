import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { api, forgeToken, type RegisteredUser, registerUser } from '../../test/support/api'

const now = () => Math.floor(Date.now() / 1000)

const claimsFor = (user: RegisteredUser, overrides: Record<string, unknown> = {}) => ({
  sub: user.userId,
  userId: user.userId,
  sid: user.sessionId,
  email: user.email,
  role: 'user',
  ver: 0,
  iat: now(),
  exp: now() + 600,
  iss: 'user-api',
  aud: 'user-api',
  jti: crypto.randomUUID(),
  ...overrides,
})

const base64Url = (value: string) =>
  btoa(value).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

async function expectRefused(token: string | undefined, header?: string) {
  const res = await api<{ code: string; success: boolean }>('/v1/users/me', {
    token,
    headers: header ? { authorization: header } : {},
  })
  expect(res.status).toBe(401)
  expect(res.body).toMatchObject({ success: false, code: 'unauthorized' })
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /)
}

describe('bearer tokens', () => {
  it('accepts a token the API issued', async () => {
    const user = await registerUser()
    const res = await api('/v1/users/me', { token: user.token })
    expect(res.status).toBe(200)
  })

  it('accepts a correctly signed token with every required claim', async () => {
    const user = await registerUser()
    const res = await api('/v1/users/me', { token: await forgeToken(claimsFor(user)) })
    expect(res.status).toBe(200)
  })

  it('refuses a request with no token', async () => {
    await expectRefused(undefined)
  })

  it('refuses a malformed Authorization header', async () => {
    const user = await registerUser()
    await expectRefused(undefined, `Token ${user.token}`)
    await expectRefused(undefined, 'Bearer')
    await expectRefused(undefined, 'Bearer not.a.jwt')
  })

  it('refuses alg "none"', async () => {
    const user = await registerUser()
    const header = base64Url(JSON.stringify({ alg: 'none', typ: 'JWT' }))
    const payload = base64Url(JSON.stringify(claimsFor(user)))
    await expectRefused(`${header}.${payload}.`)
  })

  it('refuses another algorithm, even signed with the right key', async () => {
    const user = await registerUser()
    const { sign } = await import('hono/jwt')
    await expectRefused(await sign(claimsFor(user), env.JWT_SECRET, 'HS512'))
  })

  it('refuses a tampered payload', async () => {
    const user = await registerUser()
    const [header, , signature] = user.token.split('.')
    const payload = base64Url(JSON.stringify({ ...claimsFor(user), role: 'admin' }))
    await expectRefused(`${header}.${payload}.${signature}`)
  })

  it('refuses a token signed with another key', async () => {
    const user = await registerUser()
    await expectRefused(await forgeToken(claimsFor(user), 'a-different-secret-that-is-32-bytes!!'))
  })

  it('refuses an expired token', async () => {
    const user = await registerUser()
    await expectRefused(await forgeToken(claimsFor(user, { iat: now() - 7200, exp: now() - 60 })))
  })

  it('refuses a wrong issuer and a wrong audience', async () => {
    const user = await registerUser()
    await expectRefused(await forgeToken(claimsFor(user, { iss: 'someone-else' })))
    await expectRefused(await forgeToken(claimsFor(user, { aud: 'another-api' })))
  })

  it('refuses a token missing a required claim (exp, jti, ver)', async () => {
    const user = await registerUser()
    for (const claim of ['exp', 'jti', 'ver']) {
      const claims: Record<string, unknown> = claimsFor(user)
      delete claims[claim]
      await expectRefused(await forgeToken(claims))
    }
  })

  it('refuses a token issued before the last password change', async () => {
    const user = await registerUser()
    const changed = await api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Brand-New-Pass-7' },
    })
    expect(changed.status).toBe(204)
    await expectRefused(user.token)
  })

  it('refuses a token of a deleted user', async () => {
    const user = await registerUser()
    const deleted = await api('/v1/users/me', {
      method: 'DELETE',
      token: user.token,
      body: { currentPassword: user.password },
    })
    expect(deleted.status).toBe(204)
    await expectRefused(user.token)
  })

  it('refuses a token from before sessions (no sid), and one naming an unknown session', async () => {
    const user = await registerUser()
    const { sid: _, ...withoutSession } = claimsFor(user)
    await expectRefused(await forgeToken(withoutSession))
    await expectRefused(await forgeToken(claimsFor(user, { sid: crypto.randomUUID() })))
  })

  it("refuses a token naming another user's live session", async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    await expectRefused(await forgeToken(claimsFor(user, { sid: other.sessionId })))
  })

  it('refuses a token for a user id that never existed', async () => {
    const user = await registerUser()
    const ghost = crypto.randomUUID()
    await expectRefused(await forgeToken(claimsFor(user, { sub: ghost, userId: ghost })))
  })
})
