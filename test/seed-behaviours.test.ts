/**
 * The behaviours clients of the original FastAPI service relied on, one test each, through the
 * paths those clients call. They must all hold on the Workers runtime.
 */
import { describe, expect, it } from 'vitest'
import {
  api,
  forgeToken,
  freshAddress,
  makeAdmin,
  registerUser,
  STRONG_PASSWORD,
  uniqueEmail,
} from './support/api'

type Body = { success: boolean; message?: string; code?: string; data?: Record<string, unknown> }

const post = (path: string, body: unknown, token?: string) =>
  api<Body>(path, { method: 'POST', body, token, address: freshAddress() })

const registerBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Seed User',
  email: uniqueEmail('seed'),
  password: STRONG_PASSWORD,
  ...overrides,
})

describe('behaviours of the original service', () => {
  it('01 GET / says the API is running', async () => {
    const res = await api<Body & { status: string }>('/')
    expect(res.body).toMatchObject({ status: 'ok', message: 'User Management API is running' })
  })

  it('02 register returns 201 and the new user', async () => {
    const body = registerBody()
    const res = await post('/api/users/register', body)
    expect(res.status).toBe(201)
    expect(res.body.data).toMatchObject({ email: body.email, name: body.name, role: 'user' })
  })

  it('03 register refuses a duplicate email with 409', async () => {
    const body = registerBody()
    await post('/api/users/register', body)
    expect((await post('/api/users/register', { ...body, name: 'Other' })).status).toBe(409)
  })

  it('04 register refuses an invalid email', async () => {
    expect((await post('/api/users/register', registerBody({ email: 'invalid' }))).status).toBe(422)
  })

  it('05 register refuses a password under 8 characters', async () => {
    expect((await post('/api/users/register', registerBody({ password: 'Ab1cdef' }))).status).toBe(
      422,
    )
  })

  it('06 register refuses a missing name', async () => {
    const { name: _, ...body } = registerBody()
    expect((await post('/api/users/register', body)).status).toBe(422)
  })

  it('07 register refuses a password without an upper-case letter', async () => {
    expect(
      (await post('/api/users/register', registerBody({ password: 'lowercase1' }))).status,
    ).toBe(422)
  })

  it('08 register refuses a password without a lower-case letter', async () => {
    expect(
      (await post('/api/users/register', registerBody({ password: 'UPPERCASE1' }))).status,
    ).toBe(422)
  })

  it('09 register refuses a password without a digit', async () => {
    expect(
      (await post('/api/users/register', registerBody({ password: 'NoDigitsAtAll' }))).status,
    ).toBe(422)
  })

  it('10 register stores the email lower-case', async () => {
    const email = uniqueEmail('Upper').toUpperCase()
    const res = await post('/api/users/register', registerBody({ email }))
    expect(res.body.data?.email).toBe(email.toLowerCase())
  })

  it('11 login returns a bearer token', async () => {
    const body = registerBody()
    await post('/api/users/register', body)
    const res = await post('/api/users/login', { email: body.email, password: body.password })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ token: expect.any(String), tokenType: 'Bearer' })
  })

  it('12 login refuses a wrong password with 401', async () => {
    const user = await registerUser()
    expect(
      (await post('/api/users/login', { email: user.email, password: 'Wrong-Pass-9' })).status,
    ).toBe(401)
  })

  it('13 login for an unknown email gives the same 401 message', async () => {
    const user = await registerUser()
    const wrong = await post('/api/users/login', { email: user.email, password: 'Wrong-Pass-9' })
    const unknown = await post('/api/users/login', {
      email: uniqueEmail(),
      password: 'Wrong-Pass-9',
    })
    expect(unknown.status).toBe(401)
    expect(unknown.body.message).toBe(wrong.body.message)
  })

  it('14 me returns the caller for a valid token', async () => {
    const user = await registerUser()
    const res = await api<Body>('/api/users/me', { token: user.token })
    expect(res.body.data).toMatchObject({ userId: user.userId, email: user.email })
  })

  it('15 me without a token is 401', async () => {
    expect((await api('/api/users/me')).status).toBe(401)
  })

  it('16 me with a garbage token is 401', async () => {
    expect((await api('/api/users/me', { token: 'garbage' })).status).toBe(401)
  })

  it('17 me with an expired token is 401', async () => {
    const user = await registerUser()
    const past = Math.floor(Date.now() / 1000) - 3600
    const token = await forgeToken({
      sub: user.userId,
      userId: user.userId,
      email: user.email,
      role: 'user',
      ver: 0,
      iat: past - 60,
      exp: past,
      iss: 'user-api',
      aud: 'user-api',
      jti: crypto.randomUUID(),
    })
    expect((await api('/api/users/me', { token })).status).toBe(401)
  })

  it('18 a user can change their name', async () => {
    const user = await registerUser()
    const res = await api<Body>('/v1/users/me', {
      method: 'PUT',
      token: user.token,
      body: { name: 'Renamed' },
    })
    expect(res.body.data?.name).toBe('Renamed')
  })

  it('19 a user can change their email', async () => {
    const user = await registerUser()
    const email = uniqueEmail('changed')
    const res = await api<Body>('/v1/users/me', {
      method: 'PUT',
      token: user.token,
      body: { email, currentPassword: user.password },
    })
    expect(res.body.data?.email).toBe(email)
  })

  it('20 changing to a taken email is 409', async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    const res = await api('/v1/users/me', {
      method: 'PUT',
      token: user.token,
      body: { email: other.email, currentPassword: user.password },
    })
    expect(res.status).toBe(409)
  })

  it('21 a user can delete their account (204)', async () => {
    const user = await registerUser()
    expect(
      (
        await api('/v1/users/me', {
          method: 'DELETE',
          token: user.token,
          body: { currentPassword: user.password },
        })
      ).status,
    ).toBe(204)
  })

  it('22 the token of a deleted account stops working', async () => {
    const user = await registerUser()
    await api('/v1/users/me', {
      method: 'DELETE',
      token: user.token,
      body: { currentPassword: user.password },
    })
    expect((await api('/api/users/me', { token: user.token })).status).toBe(401)
  })

  it('23 a deleted account cannot log in', async () => {
    const user = await registerUser()
    await api('/v1/users/me', {
      method: 'DELETE',
      token: user.token,
      body: { currentPassword: user.password },
    })
    expect(
      (await post('/api/users/login', { email: user.email, password: user.password })).status,
    ).toBe(401)
  })

  it('24 no response ever carries the password or its hash', async () => {
    const body = registerBody()
    const registered = await post('/api/users/register', body)
    const login = await post('/api/users/login', { email: body.email, password: body.password })
    for (const res of [registered, login]) {
      expect(res.text).not.toContain(body.password)
      expect(res.text).not.toMatch(/password|\$2[aby]\$/i)
    }
  })

  it('25 a user can read themselves by id', async () => {
    const user = await registerUser()
    expect((await api(`/v1/users/${user.userId}`, { token: user.token })).status).toBe(200)
  })

  it('26 a user cannot read someone else (403)', async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    expect((await api(`/v1/users/${other.userId}`, { token: user.token })).status).toBe(403)
  })

  it('27 an admin can list users', async () => {
    const admin = await makeAdmin(await registerUser())
    const res = await api<{ data: { items: unknown[] } }>('/v1/users', { token: admin.token })
    expect(res.status).toBe(200)
    expect(res.body.data.items.length).toBeGreaterThan(0)
  })

  it('28 a user cannot list users (403)', async () => {
    const user = await registerUser()
    expect((await api('/v1/users', { token: user.token })).status).toBe(403)
  })

  it('29 the health check reports the database', async () => {
    const res = await api<Body & { status: string }>('/health')
    expect(res.status).toBe(200)
    expect(res.body.status).toBe('ok')
  })
})
