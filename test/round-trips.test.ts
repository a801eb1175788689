import { describe, expect, it } from 'vitest'
import {
  countRoundTrips,
  freshAddress,
  makeAdmin,
  registerUser,
  STRONG_PASSWORD,
  uniqueEmail,
} from './support/api'
import { lastMailTo, tokenIn } from './support/mail'

// Production latency is the distance to Neon times the number of round trips, so the number
// per route is a budget, counted at the Neon endpoint itself.
describe('database round trips per request', () => {
  it('register: 1', async () => {
    const trips = await countRoundTrips(async (call) => {
      const res = await call('/v1/users', {
        method: 'POST',
        body: { name: 'Counted', email: uniqueEmail(), password: STRONG_PASSWORD },
      })
      expect(res.status).toBe(201)
    })
    expect(trips).toBe(1)
  })

  it('register of a duplicate email: 1', async () => {
    const user = await registerUser()
    const trips = await countRoundTrips(async (call) => {
      const res = await call('/v1/users', {
        method: 'POST',
        body: { name: 'Again', email: user.email, password: STRONG_PASSWORD },
      })
      expect(res.status).toBe(409)
    })
    expect(trips).toBe(1)
  })

  it('me: 1', async () => {
    const user = await registerUser()
    const trips = await countRoundTrips(async (call) => {
      expect((await call('/v1/users/me', { token: user.token })).status).toBe(200)
    })
    expect(trips).toBe(1)
  })

  it('login: 2 on success; 2 on failure (the check with the lookup, the count after bcrypt)', async () => {
    const user = await registerUser()
    const success = await countRoundTrips(async (call) => {
      const res = await call('/v1/users/login', {
        method: 'POST',
        body: { email: user.email, password: user.password },
      })
      expect(res.status).toBe(200)
    })
    const failure = await countRoundTrips(async (call) => {
      const res = await call('/v1/users/login', {
        method: 'POST',
        body: { email: user.email, password: 'Wrong-Pass-1' },
      })
      expect(res.status).toBe(401)
    })
    expect(success).toBe(2)
    expect(failure).toBe(2)
  })

  it('refresh: 1', async () => {
    const user = await registerUser()
    const trips = await countRoundTrips(async (call) => {
      const res = await call('/v1/auth/refresh', {
        method: 'POST',
        body: { refreshToken: user.refreshToken },
      })
      expect(res.status).toBe(200)
    })
    expect(trips).toBe(1)
  })

  it('logout: 2 (token check, revocation)', async () => {
    const user = await registerUser()
    const trips = await countRoundTrips(async (call) => {
      const res = await call('/v1/auth/logout', {
        method: 'POST',
        token: user.token,
        body: { refreshToken: user.refreshToken },
      })
      expect(res.status).toBe(204)
    })
    expect(trips).toBe(2)
  })

  it('health: 1; GET /: 0', async () => {
    expect(
      await countRoundTrips(async (call) => expect((await call('/health')).status).toBe(200)),
    ).toBe(1)
    expect(await countRoundTrips(async (call) => expect((await call('/')).status).toBe(200))).toBe(
      0,
    )
  })

  it('profile update: 2 (token check, one statement); deletion: 3 (and the password check)', async () => {
    const user = await registerUser()
    const update = await countRoundTrips(async (call) => {
      const res = await call('/v1/users/me', {
        method: 'PATCH',
        token: user.token,
        body: { name: 'Counted' },
      })
      expect(res.status).toBe(200)
    })
    const remove = await countRoundTrips(async (call) => {
      expect(
        (
          await call('/v1/users/me', {
            method: 'DELETE',
            token: user.token,
            body: { currentPassword: user.password },
          })
        ).status,
      ).toBe(204)
    })
    expect(update).toBe(2)
    expect(remove).toBe(3)
  })

  it('password change: 3 (token check, throttle count, one batch for the rest)', async () => {
    const user = await registerUser()
    const trips = await countRoundTrips(async (call) => {
      const res = await call('/v1/users/me/password', {
        method: 'POST',
        token: user.token,
        body: { currentPassword: user.password, newPassword: 'Another-Pass-7' },
      })
      expect(res.status).toBe(204)
    })
    expect(trips).toBe(3)
  })

  it('login for an unknown email: 2, like a wrong password; a refused try: 1', async () => {
    const email = uniqueEmail('nobody')
    const address = freshAddress()
    const trips = await countRoundTrips(async (call) => {
      const res = await call('/v1/users/login', {
        method: 'POST',
        body: { email, password: 'Wrong-Pass-1' },
        address,
      })
      expect(res.status).toBe(401)
    })
    expect(trips).toBe(2)
    for (let i = 0; i < 4; i++) {
      await countRoundTrips((call) =>
        call('/v1/users/login', { method: 'POST', body: { email, password: 'Wrong' }, address }),
      )
    }
    const refused = await countRoundTrips(async (call) => {
      const res = await call('/v1/users/login', {
        method: 'POST',
        body: { email, password: 'Wrong-Pass-1' },
        address,
      })
      expect(res.status).toBe(429)
    })
    expect(refused).toBe(1)
  })

  it('OAuth2 token grant: 2, like a login', async () => {
    const user = await registerUser()
    const trips = await countRoundTrips(async (call) => {
      const res = await call('/v1/auth/token', {
        method: 'POST',
        raw: new URLSearchParams({ username: user.email, password: user.password }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      expect(res.status).toBe(200)
    })
    expect(trips).toBe(2)
  })

  it('replay of a spent refresh token: 1 (detection and revocation in the same statement)', async () => {
    const user = await registerUser()
    await countRoundTrips(async (call) => {
      await call('/v1/auth/refresh', { method: 'POST', body: { refreshToken: user.refreshToken } })
    })
    const trips = await countRoundTrips(async (call) => {
      const res = await call('/v1/auth/refresh', {
        method: 'POST',
        body: { refreshToken: user.refreshToken },
      })
      expect(res.status).toBe(401)
    })
    expect(trips).toBe(1)
  })

  it('admin list and a user by id: 2 each (token check, one query)', async () => {
    const admin = await makeAdmin(await registerUser())
    const other = await registerUser()
    const list = await countRoundTrips(async (call) => {
      expect((await call('/v1/users?limit=5', { token: admin.token })).status).toBe(200)
    })
    const byId = await countRoundTrips(async (call) => {
      expect((await call(`/v1/users/${other.userId}`, { token: admin.token })).status).toBe(200)
    })
    expect(list).toBe(2)
    expect(byId).toBe(2)
  })

  it('sessions: list 2, end one 2, logout 2 (token check, one statement)', async () => {
    const user = await registerUser()
    const other = await registerUser({ email: uniqueEmail('other') })
    const list = await countRoundTrips(async (call) => {
      expect((await call('/v1/auth/sessions', { token: user.token })).status).toBe(200)
    })
    const endOne = await countRoundTrips(async (call) => {
      const res = await call(`/v1/auth/sessions/${other.sessionId}`, {
        method: 'DELETE',
        token: user.token,
      })
      expect(res.status).toBe(404)
    })
    const logout = await countRoundTrips(async (call) => {
      const res = await call('/v1/auth/logout', {
        method: 'POST',
        token: user.token,
        body: { scope: 'all', refreshToken: user.refreshToken },
      })
      expect(res.status).toBe(204)
    })
    expect([list, endOne, logout]).toEqual([2, 2, 2])
  })

  it('email change: 3 (token check, password throttle, one batch for the change)', async () => {
    const user = await registerUser()
    const trips = await countRoundTrips(async (call) => {
      const res = await call('/v1/users/me', {
        method: 'PATCH',
        token: user.token,
        body: { email: uniqueEmail('moved'), currentPassword: user.password },
      })
      expect(res.status).toBe(200)
    })
    expect(trips).toBe(3)
  })

  it('email: verify 1, reset request 1 (limits, token and email in one batch), confirm 1, resend 2', async () => {
    const user = await registerUser()
    const verification = tokenIn(await lastMailTo(user.email))
    const verify = await countRoundTrips(async (call) => {
      const res = await call('/v1/auth/verify-email', {
        method: 'POST',
        body: { token: verification },
      })
      expect(res.status).toBe(200)
    })
    const request = await countRoundTrips(async (call) => {
      const res = await call('/v1/auth/password-reset', {
        method: 'POST',
        body: { email: user.email },
      })
      expect(res.status).toBe(202)
    })
    const reset = tokenIn(await lastMailTo(user.email))
    const confirm = await countRoundTrips(async (call) => {
      const res = await call('/v1/auth/password-reset/confirm', {
        method: 'POST',
        body: { token: reset, newPassword: 'Round-Trip-Pass-1' },
      })
      expect(res.status).toBe(204)
    })
    const other = await registerUser()
    const resend = await countRoundTrips(async (call) => {
      const res = await call('/v1/users/me/verification-email', {
        method: 'POST',
        token: other.token,
      })
      expect(res.status).toBe(202)
    })
    expect([verify, request, confirm, resend]).toEqual([1, 1, 1, 2])
  })
})
