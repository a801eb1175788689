import { describe, expect, it } from 'vitest'
import {
  api,
  apiWithSettings,
  freshAddress,
  makeAdmin,
  type RegisteredUser,
  registerUser,
  sessionIdOf,
} from '../../test/support/api'

type Pair = { data: { token: string; refreshToken: string } }
type SessionItem = {
  sessionId: string
  createdAt: string
  lastUsedAt: string
  expiresAt: string
  userAgent: string | null
  clientAddress: string | null
  current: boolean
}
type SessionList = { data: { items: SessionItem[] } }

/** Another login of the same account: a second session. */
async function logInAgain(
  user: RegisteredUser,
  options: { userAgent?: string; address?: string } = {},
): Promise<{ token: string; refreshToken: string; sessionId: string }> {
  const res = await api<Pair>('/v1/users/login', {
    method: 'POST',
    body: { email: user.email, password: user.password },
    address: options.address ?? freshAddress(),
    headers: options.userAgent ? { 'user-agent': options.userAgent } : {},
  })
  expect(res.status).toBe(200)
  return { ...res.body.data, sessionId: sessionIdOf(res.body.data.token) }
}

const me = (token: string) => api('/v1/users/me', { token })
const refresh = (refreshToken: string) =>
  api<Pair>('/v1/auth/refresh', {
    method: 'POST',
    body: { refreshToken },
    address: freshAddress(),
  })
const logout = (token: string, body?: Record<string, unknown>) =>
  api('/v1/auth/logout', { method: 'POST', token, ...(body ? { body } : {}) })
const listSessions = (token: string) => api<SessionList>('/v1/auth/sessions', { token })
const endSession = (token: string, sessionId: string) =>
  api<{ code: string }>(`/v1/auth/sessions/${sessionId}`, { method: 'DELETE', token })

/** Both halves of a session: its access token and its refresh token. */
async function expectEnded(session: { token: string; refreshToken: string }) {
  expect((await me(session.token)).status).toBe(401)
  expect((await refresh(session.refreshToken)).status).toBe(401)
}

describe('POST /v1/auth/logout', () => {
  it('ends the current session with no body: its access token is refused at once', async () => {
    const user = await registerUser()
    const other = await logInAgain(user)
    expect((await me(user.token)).status).toBe(200)
    expect((await logout(user.token)).status).toBe(204)
    const refused = await api<{ code: string }>('/v1/users/me', { token: user.token })
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe('unauthorized')
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /)
    await expectEnded(user)
    expect((await me(other.token)).status).toBe(200)
  })

  it("also ends the session of a refresh token of the caller's in the body", async () => {
    const user = await registerUser()
    const other = await logInAgain(user)
    expect((await logout(user.token, { refreshToken: other.refreshToken })).status).toBe(204)
    await expectEnded(other)
    await expectEnded(user)
  })

  it("ends nothing of another user's through a refresh token in the body", async () => {
    const [user, stranger] = await Promise.all([registerUser(), registerUser()])
    const res = await logout(user.token, { refreshToken: stranger.refreshToken, scope: 'others' })
    expect(res.status).toBe(204)
    expect((await me(stranger.token)).status).toBe(200)
    expect((await me(user.token)).status).toBe(200)
  })

  it('scope "others" ends every other session and keeps this one', async () => {
    const user = await registerUser()
    const [second, third] = [await logInAgain(user), await logInAgain(user)]
    expect((await logout(user.token, { scope: 'others' })).status).toBe(204)
    await expectEnded(second)
    await expectEnded(third)
    expect((await me(user.token)).status).toBe(200)
    expect((await refresh(user.refreshToken)).status).toBe(200)
  })

  it('scope "all" ends every session, this one included', async () => {
    const user = await registerUser()
    const second = await logInAgain(user)
    expect((await logout(user.token, { scope: 'all' })).status).toBe(204)
    await expectEnded(user)
    await expectEnded(second)
  })

  it('refuses an unknown scope or field with 422 and ends nothing', async () => {
    const user = await registerUser()
    const bad = await api<{ errors: { field: string }[] }>('/v1/auth/logout', {
      method: 'POST',
      token: user.token,
      body: { scope: 'everything' },
    })
    expect(bad.status).toBe(422)
    expect(bad.body.errors[0]?.field).toBe('scope')
    expect((await logout(user.token, { all: true })).status).toBe(422)
    expect((await me(user.token)).status).toBe(200)
  })
})

describe('reuse of a spent refresh token', () => {
  it("ends the session: the thief's newest access token is refused too", async () => {
    const user = await registerUser()
    const thief = await refresh(user.refreshToken)
    expect(thief.status).toBe(200)
    expect((await me(thief.body.data.token)).status).toBe(200)
    // The victim presents the token the thief already spent.
    expect((await refresh(user.refreshToken)).status).toBe(401)
    await expectEnded(thief.body.data)
    await expectEnded(user)
  })
})

describe('GET /v1/auth/sessions', () => {
  it('lists the live sessions, newest first, with where and when, and marks the current one', async () => {
    const user = await registerUser()
    const address = '2001:db8:5e55::42'
    const phone = await logInAgain(user, { userAgent: 'Phone/1.0', address })
    const gone = await logInAgain(user)
    expect((await endSession(user.token, gone.sessionId)).status).toBe(204)
    const res = await listSessions(phone.token)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const items = res.body.data.items
    expect(items.map((item) => item.sessionId)).toEqual([phone.sessionId, user.sessionId])
    expect(items.map((item) => item.current)).toEqual([true, false])
    expect(items[0]).toMatchObject({ userAgent: 'Phone/1.0', clientAddress: address })
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual([
        'clientAddress',
        'createdAt',
        'current',
        'expiresAt',
        'lastUsedAt',
        'sessionId',
        'userAgent',
      ])
      expect(Date.parse(item.expiresAt)).toBeGreaterThan(Date.now())
    }
  })

  it('cuts a long user agent to 256 characters', async () => {
    const user = await registerUser()
    const long = await logInAgain(user, { userAgent: `Agent/${'x'.repeat(600)}` })
    const [item] = (await listSessions(long.token)).body.data.items
    expect(item?.userAgent).toHaveLength(256)
  })

  it('moves lastUsedAt and expiresAt on a refresh, not on other requests', async () => {
    const user = await registerUser()
    const before = (await listSessions(user.token)).body.data.items[0]
    await me(user.token)
    expect((await listSessions(user.token)).body.data.items[0]).toEqual(before)
    await new Promise((resolve) => setTimeout(resolve, 20))
    const next = await refresh(user.refreshToken)
    const after = (await listSessions(next.body.data.token)).body.data.items[0]
    expect(after?.sessionId).toBe(before?.sessionId)
    expect(Date.parse(after?.lastUsedAt ?? '')).toBeGreaterThan(
      Date.parse(before?.lastUsedAt ?? ''),
    )
    expect(Date.parse(after?.expiresAt ?? '')).toBeGreaterThan(Date.parse(before?.expiresAt ?? ''))
  })

  it('needs a token', async () => {
    expect((await api('/v1/auth/sessions')).status).toBe(401)
  })
})

describe('DELETE /v1/auth/sessions/{sessionId}', () => {
  it('ends one of the caller’s sessions: 204, and its tokens are refused at once', async () => {
    const user = await registerUser()
    const other = await logInAgain(user)
    expect((await endSession(user.token, other.sessionId)).status).toBe(204)
    await expectEnded(other)
    expect((await me(user.token)).status).toBe(200)
    // Already ended: nothing left to end.
    expect((await endSession(user.token, other.sessionId)).status).toBe(404)
  })

  it("answers 404 for another user's session, an unknown id and a malformed one, and ends nothing", async () => {
    const [user, stranger] = await Promise.all([registerUser(), registerUser()])
    for (const id of [stranger.sessionId, crypto.randomUUID(), 'not-a-uuid', "1' or '1'='1"]) {
      const res = await endSession(user.token, encodeURIComponent(id))
      expect(res.status, id).toBe(404)
      expect(res.body.code).toBe('not_found')
    }
    expect((await me(stranger.token)).status).toBe(200)
  })
})

describe('sessions end with the account changes that must end them', () => {
  it('a password change ends every session of the user', async () => {
    const user = await registerUser()
    const other = await logInAgain(user)
    const changed = await api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Brand-New-Pass-3' },
    })
    expect(changed.status).toBe(204)
    await expectEnded(other)
    await expectEnded(user)
  })

  it("an admin's role change ends every session of that user; a name change ends none", async () => {
    const admin = await makeAdmin(await registerUser())
    const [renamed, promoted] = await Promise.all([registerUser(), registerUser()])
    const rename = await api(`/v1/users/${renamed.userId}`, {
      method: 'PATCH',
      token: admin.token,
      body: { name: 'Renamed' },
    })
    expect(rename.status).toBe(200)
    expect((await me(renamed.token)).status).toBe(200)
    const promote = await api(`/v1/users/${promoted.userId}`, {
      method: 'PATCH',
      token: admin.token,
      body: { role: 'admin' },
    })
    expect(promote.status).toBe(200)
    await expectEnded(promoted)
  })
})

describe('the absolute lifetime (SESSION_MAX_AGE)', () => {
  it('ends a session that long after its login, however often it was refreshed', async () => {
    const call = await apiWithSettings({ SESSION_MAX_AGE: '3s' })
    const user = await registerUser()
    const started = Date.now()
    const login = await call<Pair>('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: user.password },
      address: freshAddress(),
    })
    expect(login.status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 1200))
    const refreshed = await call<Pair>('/v1/auth/refresh', {
      method: 'POST',
      body: { refreshToken: login.body.data.refreshToken },
      address: freshAddress(),
    })
    expect(refreshed.status).toBe(200)
    const [listed] = (
      await call<SessionList>('/v1/auth/sessions', { token: refreshed.body.data.token })
    ).body.data.items
    // Capped at the absolute end, not moved a refresh lifetime (30 days) ahead.
    expect(Date.parse(listed?.expiresAt ?? '')).toBeLessThanOrEqual(started + 3000 + 1000)
    expect((await call('/v1/users/me', { token: refreshed.body.data.token })).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 3500 - Date.now())))
    expect((await call('/v1/users/me', { token: refreshed.body.data.token })).status).toBe(401)
    const late = await call('/v1/auth/refresh', {
      method: 'POST',
      body: { refreshToken: refreshed.body.data.refreshToken },
      address: freshAddress(),
    })
    expect(late.status).toBe(401)
  })
})
