import { describe, expect, it } from 'vitest'
import { api, freshAddress, registerUser, uniqueEmail } from '../../test/support/api'

/**
 * The local Rate Limiting binding counts in fixed one-minute windows aligned to the clock and
 * forgets everything when a window turns; a burst that straddles the turn would see a fresh
 * limit halfway. Start each burst where its window has room for all of it.
 */
async function startOfRoomyWindow(periodSeconds = 60, roomSeconds = 10) {
  const periodMs = periodSeconds * 1000
  const leftMs = periodMs - (Date.now() % periodMs)
  if (leftMs < roomSeconds * 1000) await new Promise((resolve) => setTimeout(resolve, leftMs + 100))
}

describe('per-address limits (Workers Rate Limiting binding)', () => {
  it('limits registrations from one address', async () => {
    const address = freshAddress()
    await startOfRoomyWindow()
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) {
      const res = await api('/v1/users', {
        method: 'POST',
        body: { name: 'Burst', email: uniqueEmail('burst'), password: 'Sturdy-Pass-42' },
        address,
      })
      statuses.push(res.status)
      if (res.status === 429) {
        expect(res.body).toMatchObject({ success: false, code: 'rate_limited' })
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      }
    }
    expect(statuses.slice(0, 10).every((status) => status === 201)).toBe(true)
    expect(statuses.slice(10)).toEqual([429, 429])
  })

  it('limits logins from one address, on all three login paths together', async () => {
    const address = freshAddress()
    const user = await registerUser()
    await startOfRoomyWindow()
    const paths = ['/v1/users/login', '/api/users/login', '/v1/auth/token'] as const
    const statuses: number[] = []
    for (let i = 0; i < 62; i++) {
      const path = paths[i % paths.length] ?? '/v1/users/login'
      const res =
        path === '/v1/auth/token'
          ? await api(path, {
              method: 'POST',
              raw: new URLSearchParams({
                username: user.email,
                password: user.password,
              }).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              address,
            })
          : await api(path, {
              method: 'POST',
              body: { email: user.email, password: user.password },
              address,
            })
      statuses.push(res.status)
    }
    expect(statuses.slice(0, 60).every((status) => status === 200)).toBe(true)
    expect(statuses.slice(60)).toEqual([429, 429])
  })

  it('limits refreshes from one address', async () => {
    const address = freshAddress()
    await startOfRoomyWindow()
    const statuses: number[] = []
    for (let i = 0; i < 32; i++) {
      const res = await api('/v1/auth/refresh', {
        method: 'POST',
        body: { refreshToken: `nope-${i}` },
        address,
      })
      statuses.push(res.status)
    }
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true)
    expect(statuses.slice(30)).toEqual([429, 429])
  })
})
