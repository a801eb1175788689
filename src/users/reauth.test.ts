import { describe, expect, it } from 'vitest'
import {
  api,
  freshAddress,
  makeAdmin,
  type RegisteredUser,
  registerUser,
  sql,
  uniqueEmail,
} from '../../test/support/api'

type Failure = { code: string; errors?: { field: string; message: string }[] }

const WRONG = 'Not-The-Pass-1'

const changeEmail = (user: RegisteredUser, body: Record<string, unknown>, path = '/v1/users/me') =>
  api<Failure & { data: { email: string } }>(path, { method: 'PATCH', token: user.token, body })
const deleteAccount = (
  user: RegisteredUser,
  body?: Record<string, unknown>,
  path = '/v1/users/me',
) => api<Failure>(path, { method: 'DELETE', token: user.token, ...(body ? { body } : {}) })

const storedEmail = async (userId: string) =>
  (await sql<{ email: string }>('select email from users where id = $1', [userId]))[0]?.email

function expectCurrentPasswordError(res: { status: number; body: Failure }) {
  expect(res.status).toBe(422)
  expect(res.body.code).toBe('validation_error')
  expect(res.body.errors?.map((error) => error.field)).toEqual(['currentPassword'])
}

describe('changing one’s own email needs the current password', () => {
  for (const path of ['/v1/users/me', 'self']) {
    it(`through ${path === 'self' ? '/v1/users/{own id}' : path}: missing or wrong is 422 and changes nothing; right changes it`, async () => {
      const user = await registerUser()
      const target = path === 'self' ? `/v1/users/${user.userId}` : path
      const email = uniqueEmail('moved')
      expectCurrentPasswordError(await changeEmail(user, { email, name: 'Renamed' }, target))
      expectCurrentPasswordError(
        await changeEmail(user, { email, name: 'Renamed', currentPassword: WRONG }, target),
      )
      const [row] = await sql<{ email: string; name: string }>(
        'select email, name from users where id = $1',
        [user.userId],
      )
      expect(row).toEqual({ email: user.email, name: user.name })
      const ok = await changeEmail(user, { email, currentPassword: user.password }, target)
      expect(ok.status).toBe(200)
      expect(ok.body.data.email).toBe(email)
    })
  }

  it('needs no password for a name change or for the same email, and checks one that is sent', async () => {
    const user = await registerUser()
    expect((await changeEmail(user, { name: 'Only The Name' })).status).toBe(200)
    expect((await changeEmail(user, { email: user.email.toUpperCase() })).status).toBe(200)
    expectCurrentPasswordError(await changeEmail(user, { name: 'Again', currentPassword: WRONG }))
  })

  it('lets an admin change someone else’s email without a password', async () => {
    const admin = await makeAdmin(await registerUser())
    const user = await registerUser()
    const email = uniqueEmail('by-admin')
    const res = await changeEmail(admin, { email }, `/v1/users/${user.userId}`)
    expect(res.status).toBe(200)
    expect(await storedEmail(user.userId)).toBe(email)
  })
})

describe('deleting one’s own account needs the current password', () => {
  for (const path of ['/v1/users/me', 'self']) {
    it(`through ${path === 'self' ? '/v1/users/{own id}' : path}: missing or wrong is 422 and deletes nothing`, async () => {
      const user = await registerUser()
      const target = path === 'self' ? `/v1/users/${user.userId}` : path
      expectCurrentPasswordError(await deleteAccount(user, undefined, target))
      expectCurrentPasswordError(await deleteAccount(user, { currentPassword: WRONG }, target))
      expect(await storedEmail(user.userId)).toBe(user.email)
      expect((await api('/v1/users/me', { token: user.token })).status).toBe(200)
      expect((await deleteAccount(user, { currentPassword: user.password }, target)).status).toBe(
        204,
      )
      expect(await storedEmail(user.userId)).toBeUndefined()
    })
  }

  it('lets an admin delete someone else without a password', async () => {
    const admin = await makeAdmin(await registerUser())
    const user = await registerUser()
    expect((await deleteAccount(admin, undefined, `/v1/users/${user.userId}`)).status).toBe(204)
    expect(await storedEmail(user.userId)).toBeUndefined()
  })
})

describe('the re-authentication throttle, kept per user', () => {
  it('refuses a sixth try after five wrong passwords with 429, even the right password', async () => {
    const user = await registerUser()
    for (let i = 0; i < 5; i += 1) {
      expectCurrentPasswordError(await deleteAccount(user, { currentPassword: WRONG }))
    }
    const blocked = await changeEmail(user, {
      email: uniqueEmail('blocked'),
      currentPassword: user.password,
    })
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    const password = await api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Blocked-Pass-1' },
    })
    expect(password.status).toBe(429)
    expect(await storedEmail(user.userId)).toBe(user.email)
  })

  it('is not moved by strangers’ failed logins for the same email', async () => {
    const user = await registerUser()
    for (let i = 0; i < 6; i += 1) {
      await api('/v1/users/login', {
        method: 'POST',
        body: { email: user.email, password: WRONG },
        address: freshAddress(),
      })
    }
    const email = uniqueEmail('owner')
    const changed = await changeEmail(user, { email, currentPassword: user.password })
    expect(changed.status).toBe(200)
    const password = await api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Owner-Pass-22' },
    })
    expect(password.status).toBe(204)
  })

  it('gives a right password its try back even when the change then fails (a taken email)', async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    for (let i = 0; i < 6; i += 1) {
      const taken = await changeEmail(user, { email: other.email, currentPassword: user.password })
      expect(taken.status).toBe(409)
    }
    const email = uniqueEmail('free')
    const ok = await changeEmail(user, { email, currentPassword: user.password })
    expect(ok.status).toBe(200)
  })

  it('gives a right password its attempt back', async () => {
    const user = await registerUser()
    for (let i = 0; i < 4; i += 1) {
      expectCurrentPasswordError(await changeEmail(user, { name: 'x', currentPassword: WRONG }))
    }
    expect((await changeEmail(user, { name: 'y', currentPassword: user.password })).status).toBe(
      200,
    )
    for (let i = 0; i < 4; i += 1) {
      expectCurrentPasswordError(await changeEmail(user, { name: 'x', currentPassword: WRONG }))
    }
    expect((await changeEmail(user, { name: 'z', currentPassword: user.password })).status).toBe(
      200,
    )
  })
})
