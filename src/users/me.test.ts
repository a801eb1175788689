import { describe, expect, it } from 'vitest'
import {
  api,
  appDatabase,
  freshAddress,
  registerUser,
  sql,
  tokenVersionOf,
  uniqueEmail,
} from '../../test/support/api'
import { hashPassword } from '../lib/password'
import { changePassword } from './queries'

type UserBody = {
  data: { userId: string; name: string; email: string; updatedAt: string; createdAt: string }
}
type Failure = { code: string; errors?: { field: string }[] }

describe('GET /v1/users/me', () => {
  it('returns the caller', async () => {
    const user = await registerUser({ name: 'Me Myself' })
    const res = await api<UserBody>('/v1/users/me', { token: user.token })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({
      userId: user.userId,
      name: 'Me Myself',
      email: user.email,
      role: 'user',
    })
  })

  it('is also at the original path GET /api/users/me', async () => {
    const user = await registerUser()
    const res = await api<UserBody>('/api/users/me', { token: user.token })
    expect(res.status).toBe(200)
    expect(res.body.data.userId).toBe(user.userId)
  })
})

describe.each(['PATCH', 'PUT'])('%s /v1/users/me', (method) => {
  it('changes the name and moves updatedAt forward', async () => {
    const user = await registerUser()
    const before = await api<UserBody>('/v1/users/me', { token: user.token })
    const res = await api<UserBody>('/v1/users/me', {
      method,
      token: user.token,
      body: { name: ' New Name ' },
    })
    expect(res.status).toBe(200)
    expect(res.body.data.name).toBe('New Name')
    expect(res.body.data.email).toBe(user.email)
    expect(Date.parse(res.body.data.updatedAt)).toBeGreaterThan(
      Date.parse(before.body.data.updatedAt),
    )
    expect(res.body.data.createdAt).toBe(before.body.data.createdAt)
  })

  it('changes the email (normalised), and the new email logs in', async () => {
    const user = await registerUser()
    const email = uniqueEmail('moved')
    const res = await api<UserBody>('/v1/users/me', {
      method,
      token: user.token,
      body: { email: email.toUpperCase(), currentPassword: user.password },
    })
    expect(res.status).toBe(200)
    expect(res.body.data.email).toBe(email)
    const login = await api('/v1/users/login', {
      method: 'POST',
      body: { email, password: user.password },
      address: freshAddress(),
    })
    expect(login.status).toBe(200)
  })

  it('answers 409 for an email another account has, and changes nothing', async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    const res = await api<Failure>('/v1/users/me', {
      method,
      token: user.token,
      body: { name: 'Changed', email: other.email, currentPassword: user.password },
    })
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('conflict')
    const me = await api<UserBody>('/v1/users/me', { token: user.token })
    expect(me.body.data).toMatchObject({ name: user.name, email: user.email })
  })

  it('refuses role, unknown fields, an empty body and invalid values with 422', async () => {
    const user = await registerUser()
    for (const body of [
      { role: 'admin' },
      { password: 'Whatever-1' },
      {},
      { name: '' },
      { email: 'nope' },
    ]) {
      const res = await api<Failure>('/v1/users/me', { method, token: user.token, body })
      expect(res.status, JSON.stringify(body)).toBe(422)
    }
    const [row] = await sql<{ role: string }>('select role from users where id = $1', [user.userId])
    expect(row?.role).toBe('user')
  })

  it('requires a token', async () => {
    const res = await api('/v1/users/me', { method, body: { name: 'x' } })
    expect(res.status).toBe(401)
  })
})

describe('POST /v1/users/me/password', () => {
  it('changes the password: 204, the old one stops working, the new one logs in', async () => {
    const user = await registerUser()
    const res = await api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Another-Pass-88' },
    })
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    const old = await api('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: user.password },
      address: freshAddress(),
    })
    expect(old.status).toBe(401)
    const fresh = await api<{ data: { token: string } }>('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: 'Another-Pass-88' },
      address: freshAddress(),
    })
    expect(fresh.status).toBe(200)
    expect((await api('/v1/users/me', { token: fresh.body.data.token })).status).toBe(200)
  })

  it('refuses a wrong current password with 422 on that field and changes nothing', async () => {
    const user = await registerUser()
    const res = await api<Failure>('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: 'Not-The-One-1', newPassword: 'Another-Pass-88' },
    })
    expect(res.status).toBe(422)
    expect(res.body.errors?.map((e) => e.field)).toEqual(['currentPassword'])
    expect((await api('/v1/users/me', { token: user.token })).status).toBe(200)
  })

  it('lets one of several concurrent changes with the same token win; the rest get 401', async () => {
    const user = await registerUser()
    const candidates = Array.from({ length: 5 }, (_, i) => `Concurrent-Pass-${i}0`)
    const results = await Promise.all(
      candidates.map((newPassword) =>
        api('/v1/users/me/password', {
          method: 'POST',
          token: user.token,
          body: { currentPassword: user.password, newPassword },
          address: freshAddress(),
        }),
      ),
    )
    const statuses = results.map((res) => res.status)
    expect(statuses.filter((status) => status === 204)).toHaveLength(1)
    expect(statuses.filter((status) => status === 401)).toHaveLength(4)
    const winner = candidates[statuses.indexOf(204)]
    const logins = await Promise.all(
      candidates.map((password) =>
        api('/v1/users/login', {
          method: 'POST',
          body: { email: user.email, password },
          address: freshAddress(),
        }),
      ),
    )
    expect(logins.map((res) => res.status)).toEqual(
      candidates.map((password) => (password === winner ? 200 : 401)),
    )
  })

  it('revokes nothing when the change lost a race: sessions of the new password live on', async () => {
    const user = await registerUser()
    const checkedVersion = await tokenVersionOf(user.userId)
    const winner = await api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Winner-Pass-11' },
      address: freshAddress(),
    })
    expect(winner.status).toBe(204)
    const session = await api<{ data: { refreshToken: string } }>('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: 'Winner-Pass-11' },
      address: freshAddress(),
    })
    expect(session.status).toBe(200)
    // The loser, as its route runs it: checked against the version its token carried.
    const lost = await changePassword(appDatabase(), {
      userId: user.userId,
      tokenVersion: checkedVersion,
      passwordHash: await hashPassword('Loser-Pass-22', 4),
    })
    expect(lost).toBe(false)
    const refreshed = await api('/v1/auth/refresh', {
      method: 'POST',
      body: { refreshToken: session.body.data.refreshToken },
      address: freshAddress(),
    })
    expect(refreshed.status).toBe(200)
  })

  it('holds the new password to the password rules', async () => {
    const user = await registerUser()
    const res = await api<Failure>('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'weak' },
    })
    expect(res.status).toBe(422)
    expect(res.body.errors?.every((e) => e.field === 'newPassword')).toBe(true)
  })
})

describe('DELETE /v1/users/me', () => {
  it('deletes the caller, writes the audit log, and the account is gone', async () => {
    const user = await registerUser()
    const address = freshAddress()
    const res = await api('/v1/users/me', {
      method: 'DELETE',
      token: user.token,
      body: { currentPassword: user.password },
      address,
      headers: { 'x-request-id': 'client-chosen-id' },
    })
    expect(res.status).toBe(204)
    expect(await sql('select 1 from users where id = $1', [user.userId])).toHaveLength(0)
    const audit = await sql<Record<string, unknown>>(
      'select action, actor_id, target_id, client_address, request_id, client_request_id, created_at from audit_log where target_id = $1',
      [user.userId],
    )
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      action: 'user.deleted',
      actor_id: user.userId,
      target_id: user.userId,
      client_address: address,
      request_id: res.headers.get('x-request-id'),
      client_request_id: 'client-chosen-id',
    })
    expect(res.headers.get('x-request-id')).not.toBe('client-chosen-id')
    const login = await api('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: user.password },
      address: freshAddress(),
    })
    expect(login.status).toBe(401)
  })

  it('deletes the refresh tokens with the user', async () => {
    const user = await registerUser()
    await api('/v1/users/me', {
      method: 'DELETE',
      token: user.token,
      body: { currentPassword: user.password },
    })
    expect(
      await sql('select 1 from refresh_tokens where user_id = $1', [user.userId]),
    ).toHaveLength(0)
    const refresh = await api('/v1/auth/refresh', {
      method: 'POST',
      body: { refreshToken: user.refreshToken },
      address: freshAddress(),
    })
    expect(refresh.status).toBe(401)
  })
})
