import { describe, expect, it } from 'vitest'
import {
  api,
  appDatabase,
  freshAddress,
  makeAdmin,
  registerUser,
  sql,
} from '../../test/support/api'
import { deleteStaleRows } from '../cleanup'

type Pair = {
  data: {
    token: string
    refreshToken: string
    tokenType: string
    expiresIn: number
    user: { userId: string }
  }
}

const refresh = (refreshToken: unknown, address = freshAddress()) =>
  api<Pair & { code: string }>('/v1/auth/refresh', {
    method: 'POST',
    body: { refreshToken },
    address,
  })

describe('POST /v1/auth/refresh', () => {
  it('spends the token and returns a new working pair', async () => {
    const user = await registerUser()
    const res = await refresh(user.refreshToken)
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 86_400,
      user: { userId: user.userId },
    })
    expect(res.body.data.refreshToken).not.toBe(user.refreshToken)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect((await api('/v1/users/me', { token: res.body.data.token })).status).toBe(200)
    // The successor works in turn.
    expect((await refresh(res.body.data.refreshToken)).status).toBe(200)
  })

  it('stores only a SHA-256 of the token', async () => {
    const user = await registerUser()
    const rows = await sql<{ token_hash: string }>(
      'select token_hash from refresh_tokens where user_id = $1',
      [user.userId],
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(rows[0]?.token_hash).not.toContain(user.refreshToken)
  })

  it('revokes the whole family when a spent token is presented again', async () => {
    const user = await registerUser()
    const first = await refresh(user.refreshToken)
    const second = await refresh(first.body.data.refreshToken)
    expect(second.status).toBe(200)
    const replay = await refresh(user.refreshToken)
    expect(replay.status).toBe(401)
    expect(replay.body.code).toBe('unauthorized')
    // The newest token of that login, never used, is now dead too.
    expect((await refresh(second.body.data.refreshToken)).status).toBe(401)
  })

  it('leaves other logins of the same user alone when one family is revoked', async () => {
    const user = await registerUser()
    const otherLogin = await api<Pair>('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: user.password },
      address: freshAddress(),
    })
    await refresh(user.refreshToken)
    await refresh(user.refreshToken) // reuse: revokes the first family only
    expect((await refresh(otherLogin.body.data.refreshToken)).status).toBe(200)
  })

  it('lets exactly one of 10 concurrent refreshes of one token win', async () => {
    const user = await registerUser()
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(user.refreshToken)))
    expect(results.filter((res) => res.status === 200)).toHaveLength(1)
    expect(results.filter((res) => res.status === 401)).toHaveLength(9)
    expect(results.every((res) => res.status < 500)).toBe(true)
  })

  it('refuses unknown, expired and malformed tokens', async () => {
    expect((await refresh('not-a-token-we-issued')).status).toBe(401)
    const user = await registerUser()
    await sql(
      `update refresh_tokens set expires_at = now() - interval '1 second' where user_id = $1`,
      [user.userId],
    )
    expect((await refresh(user.refreshToken)).status).toBe(401)
    expect((await refresh('')).status).toBe(422)
    expect((await refresh(42)).status).toBe(422)
    expect((await refresh('x'.repeat(600))).status).toBe(422)
  })
})

describe('POST /v1/auth/logout', () => {
  it('revokes the presented login: 204, then its refresh token is refused', async () => {
    const user = await registerUser()
    const res = await api('/v1/auth/logout', {
      method: 'POST',
      token: user.token,
      body: { refreshToken: user.refreshToken },
    })
    expect(res.status).toBe(204)
    expect((await refresh(user.refreshToken)).status).toBe(401)
  })

  it("cannot revoke another user's token", async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    const res = await api('/v1/auth/logout', {
      method: 'POST',
      token: user.token,
      body: { refreshToken: other.refreshToken },
    })
    expect(res.status).toBe(204)
    expect((await refresh(other.refreshToken)).status).toBe(200)
  })

  it('requires a bearer token', async () => {
    const user = await registerUser()
    const res = await api('/v1/auth/logout', {
      method: 'POST',
      body: { refreshToken: user.refreshToken },
    })
    expect(res.status).toBe(401)
    expect((await refresh(user.refreshToken)).status).toBe(200)
  })
})

describe('revocation of every refresh token of a user', () => {
  it('happens on a password change', async () => {
    const user = await registerUser()
    await api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Changed-Pass-99' },
    })
    expect((await refresh(user.refreshToken)).status).toBe(401)
  })

  it('leaves no working refresh token from a login that raced the password change', async () => {
    const user = await registerUser()
    const logIn = async () => {
      const res = await api<Pair>('/v1/users/login', {
        method: 'POST',
        body: { email: user.email, password: user.password },
        address: freshAddress(),
      })
      return res.status === 200 ? [res.body.data.refreshToken] : []
    }
    // Four at a time stay under the throttle's five. The first wave finishes before the change,
    // the later ones run while it does, and one more after it.
    const wave = async () => (await Promise.all([logIn(), logIn(), logIn(), logIn()])).flat()
    const obtained = [user.refreshToken, ...(await wave())]
    let settled = false
    const change = api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Changed-Pass-99' },
    }).finally(() => {
      settled = true
    })
    for (let waves = 0; waves < 40 && !settled; waves++) obtained.push(...(await wave()))
    obtained.push(...(await wave()))
    expect((await change).status).toBe(204)
    expect(obtained.length).toBeGreaterThanOrEqual(5)
    const refreshes = await Promise.all(obtained.map((token) => refresh(token)))
    expect(refreshes.map((res) => res.status)).toEqual(obtained.map(() => 401))
  })

  it('happens on a role change by an admin, and not on a name change', async () => {
    const admin = await makeAdmin(await registerUser())
    const user = await registerUser()
    await api(`/v1/users/${user.userId}`, {
      method: 'PATCH',
      token: admin.token,
      body: { name: 'Renamed' },
    })
    const stillGood = await refresh(user.refreshToken)
    expect(stillGood.status).toBe(200)
    await api(`/v1/users/${user.userId}`, {
      method: 'PATCH',
      token: admin.token,
      body: { role: 'admin' },
    })
    expect((await refresh(stillGood.body.data.refreshToken)).status).toBe(401)
  })

  it('happens on deletion (the rows go with the user)', async () => {
    const user = await registerUser()
    await api('/v1/users/me', {
      method: 'DELETE',
      token: user.token,
      body: { currentPassword: user.password },
    })
    expect((await refresh(user.refreshToken)).status).toBe(401)
  })
})

describe('cleanup of stale rows (the daily Cron Trigger)', () => {
  it('deletes sessions that are over, with their tokens, expired tokens and closed login windows; keeps live rows', async () => {
    const user = await registerUser()
    const live = await registerUser()
    const [liveId, endedId, pastMaxAgeId, idleId] = [1, 2, 3, 4].map(() => crypto.randomUUID())
    await sql(
      `insert into sessions (id, user_id, expires_at, idle_expires_at, ended_at) values
        ($2, $1, now() + interval '1 day', now() + interval '1 day', null),
        ($3, $1, now() + interval '1 day', now() + interval '1 day', now() - interval '1 minute'),
        ($4, $1, now() - interval '1 minute', now() + interval '1 day', null),
        ($5, $1, now() + interval '1 day', now() - interval '1 minute', null)`,
      [user.userId, liveId, endedId, pastMaxAgeId, idleId],
    )
    await sql(
      `insert into refresh_tokens (user_id, session_id, token_hash, expires_at, spent_at) values
        ($1, $2, $6, now() - interval '1 minute', now() - interval '2 days'),
        ($1, $2, $7, now() + interval '1 day', null),
        ($1, $3, $8, now() + interval '1 day', null),
        ($1, $4, $9, now() + interval '1 day', null),
        ($1, $5, $10, now() + interval '1 day', null)`,
      [
        user.userId,
        liveId,
        endedId,
        pastMaxAgeId,
        idleId,
        `expired-${liveId}`,
        `current-${liveId}`,
        `of-ended-${endedId}`,
        `of-past-max-age-${pastMaxAgeId}`,
        `of-idle-${idleId}`,
      ],
    )
    const staleKey = `ip:stale-${liveId}`
    const freshKey = `ip:fresh-${liveId}`
    await sql(
      `insert into login_throttle (key, failures, window_start) values ($1, 3, now() - interval '16 minutes'), ($2, 3, now())`,
      [staleKey, freshKey],
    )
    // The daily run in src/index.test.ts may remove some of these rows first: what is left is
    // what counts, not how many this call removed.
    await deleteStaleRows(appDatabase())
    const sessionsLeft = await sql<{ id: string }>(
      'select id from sessions where id in ($1, $2, $3, $4)',
      [liveId, endedId, pastMaxAgeId, idleId],
    )
    expect(sessionsLeft.map((row) => row.id)).toEqual([liveId])
    const tokensLeft = await sql<{ token_hash: string }>(
      'select token_hash from refresh_tokens where session_id in ($1, $2, $3, $4)',
      [liveId, endedId, pastMaxAgeId, idleId],
    )
    expect(tokensLeft.map((row) => row.token_hash)).toEqual([`current-${liveId}`])
    const counters = await sql<{ key: string }>(
      'select key from login_throttle where key in ($1, $2)',
      [staleKey, freshKey],
    )
    expect(counters.map((row) => row.key)).toEqual([freshKey])
    expect((await refresh(live.refreshToken)).status).toBe(200)
  })
})
