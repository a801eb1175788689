import { describe, expect, it } from 'vitest'
import {
  api,
  freshAddress,
  type RegisteredUser,
  registerUser,
  sessionIdOf,
  sql,
} from '../../test/support/api'

type Pair = { data: { token: string; refreshToken: string } }
type SessionList = { data: { items: unknown[] } }

async function logInAgain(
  user: RegisteredUser,
): Promise<{ token: string; refreshToken: string; sessionId: string }> {
  const res = await api<Pair>('/v1/users/login', {
    method: 'POST',
    body: { email: user.email, password: user.password },
    address: freshAddress(),
  })
  expect(res.status).toBe(200)
  return { ...res.body.data, sessionId: sessionIdOf(res.body.data.token) }
}

const me = (token: string) => api('/v1/users/me', { token })
const listSessions = (token: string) => api<SessionList>('/v1/auth/sessions', { token })
const refresh = (refreshToken: string) =>
  api('/v1/auth/refresh', { method: 'POST', body: { refreshToken }, address: freshAddress() })

async function expectEnded(session: { token: string; refreshToken: string }) {
  expect((await me(session.token)).status).toBe(401)
  expect((await refresh(session.refreshToken)).status).toBe(401)
}

describe('at most 50 live sessions per user', () => {
  it('the 51st login ends the oldest session, and only that one', async () => {
    const user = await registerUser()
    const logins = []
    for (let i = 0; i < 50; i += 1) logins.push(await logInAgain(user))
    // The registration's login is the oldest; the 50 after it end it.
    await expectEnded(user)
    const [secondOldest] = logins
    expect((await me(secondOldest?.token ?? '')).status).toBe(200)
    const live = await sql<{ count: string }>(
      'select count(*) from sessions where user_id = $1 and ended_at is null',
      [user.userId],
    )
    expect(Number(live[0]?.count)).toBe(50)
    expect((await listSessions(secondOldest?.token ?? '')).body.data.items).toHaveLength(50)
  })

  it('holds under concurrent logins: bursts past the cap still leave exactly 50 live', async () => {
    const user = await registerUser()
    for (let i = 0; i < 44; i += 1) await logInAgain(user)
    for (let burst = 0; burst < 4; burst += 1) {
      await Promise.all(Array.from({ length: 5 }, () => logInAgain(user)))
    }
    const live = await sql<{ count: string }>(
      'select count(*) from sessions where user_id = $1 and ended_at is null',
      [user.userId],
    )
    expect(Number(live[0]?.count)).toBe(50)
  })
})
