import { sql as drizzleSql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { api, freshAddress, type RegisteredUser, registerUser } from '../../test/support/api'
import { holdRows, lockTag, onPostgres, POSTGRES_ONLY, untilQueued } from '../../test/support/locks'

type Pair = { data: { token: string; refreshToken: string } }

const me = (token: string) => api('/v1/users/me', { token })
const refresh = (refreshToken: string) =>
  api<Pair>('/v1/auth/refresh', { method: 'POST', body: { refreshToken }, address: freshAddress() })
const logout = (token: string, scope = 'current') =>
  api('/v1/auth/logout', { method: 'POST', token, body: { scope } })
const logIn = (user: RegisteredUser) =>
  api<Pair>('/v1/users/login', {
    method: 'POST',
    body: { email: user.email, password: user.password },
    address: freshAddress(),
  })

/** After a refresh and a logout of one session have both answered, nothing of it works. */
async function expectNothingOfTheSessionWorks(
  user: RegisteredUser,
  rotated: Awaited<ReturnType<typeof refresh>>,
) {
  expect((await me(user.token)).status).toBe(401)
  expect((await refresh(user.refreshToken)).status).toBe(401)
  if (rotated.status === 200) {
    expect((await me(rotated.body.data.token)).status).toBe(401)
    expect((await refresh(rotated.body.data.refreshToken)).status).toBe(401)
  } else {
    expect(rotated.status).toBe(401)
  }
}

const holdSessionRow = (sessionId: string, tag: string) =>
  holdRows(drizzleSql`select id from sessions where id = ${sessionId}`, tag)

describe('a refresh racing a logout of the same session', () => {
  it('leaves no working token of that session, however they interleave', async () => {
    for (let round = 0; round < 8; round += 1) {
      const user = await registerUser()
      const [rotated, out] = await Promise.all([refresh(user.refreshToken), logout(user.token)])
      expect(out.status).toBe(204)
      await expectNothingOfTheSessionWorks(user, rotated)
    }
  })

  for (const first of ['refresh', 'logout'] as const) {
    it.skipIf(!onPostgres)(
      `leaves no working token when the ${first} takes the session row first ${POSTGRES_ONLY}`,
      async () => {
        const user = await registerUser()
        const tag = lockTag()
        const holder = holdSessionRow(user.sessionId, tag)
        await untilQueued(tag, 0)
        const start = {
          refresh: () => refresh(user.refreshToken),
          logout: () => logout(user.token),
        }
        const second = first === 'refresh' ? 'logout' : 'refresh'
        // The second starts only once the first waits on the lock: the order is forced, not hoped.
        const firstCall = start[first]()
        await untilQueued(tag, 1)
        const secondCall = start[second]()
        await untilQueued(tag, 2)
        await holder.release()
        const [a, b] = await Promise.all([firstCall, secondCall])
        const rotated = (first === 'refresh' ? a : b) as Awaited<ReturnType<typeof refresh>>
        // Which one had the session row first shows in the refresh's answer.
        expect(rotated.status).toBe(first === 'refresh' ? 200 : 401)
        await expectNothingOfTheSessionWorks(user, rotated)
      },
    )
  }
})

describe('concurrent refreshes of one refresh token', () => {
  // One that arrives after the winner committed presents a spent token: that is reuse, and it
  // ends the session. Only losers that raced the winner inside the database leave it alive.
  it('let exactly one win', async () => {
    const user = await registerUser()
    const results = await Promise.all(Array.from({ length: 8 }, () => refresh(user.refreshToken)))
    expect(results.filter((res) => res.status === 200)).toHaveLength(1)
    expect(results.filter((res) => res.status === 401)).toHaveLength(7)
  })

  it.skipIf(!onPostgres)(
    `let exactly one win when both queue on the session row ${POSTGRES_ONLY}`,
    async () => {
      const user = await registerUser()
      const tag = lockTag()
      const holder = holdSessionRow(user.sessionId, tag)
      await untilQueued(tag, 0)
      const first = refresh(user.refreshToken)
      await untilQueued(tag, 1)
      const second = refresh(user.refreshToken)
      await untilQueued(tag, 2)
      await holder.release()
      const [a, b] = await Promise.all([first, second])
      // Both saw the token unspent in their snapshots; the row lock decides.
      expect([a.status, b.status]).toEqual([200, 401])
      // The loser of a race is no reuse: the winner's session goes on.
      expect((await me(a.body.data.token)).status).toBe(200)
      expect((await refresh(a.body.data.refreshToken)).status).toBe(200)
    },
  )
})

describe('logins racing "sign out everywhere"', () => {
  // The guarantee: every session opened before the sign-out ran ends; a login still in flight
  // either ends with them or counts as a sign-in after it. Never half: its access and refresh
  // tokens work or fail together.
  it('never leaves a login half ended', async () => {
    for (let round = 0; round < 3; round += 1) {
      const user = await registerUser()
      const [out, ...logins] = await Promise.all([
        logout(user.token, 'all'),
        logIn(user),
        logIn(user),
        logIn(user),
      ])
      expect(out.status).toBe(204)
      expect((await me(user.token)).status).toBe(401)
      for (const login of logins) {
        expect(login.status).toBe(200)
        const access = (await me(login.body.data.token)).status
        const renewed = (await refresh(login.body.data.refreshToken)).status
        expect([200, 401]).toContain(access)
        expect(renewed === 200 ? 200 : 401).toBe(access)
      }
    }
  })

  it('ends every login that answered before the sign-out was sent', async () => {
    const user = await registerUser()
    const logins = await Promise.all([logIn(user), logIn(user)])
    expect((await logout(user.token, 'all')).status).toBe(204)
    for (const login of logins) {
      expect((await me(login.body.data.token)).status).toBe(401)
      expect((await refresh(login.body.data.refreshToken)).status).toBe(401)
    }
  })
})
