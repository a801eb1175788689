import { describe, expect, it } from 'vitest'
import { api, freshAddress, registerUser, sql, uniqueEmail } from '../../test/support/api'
import { sha256Hex } from '../lib/tokens'

const login = (email: string, password: string, address: string) =>
  api<{ code: string; message: string }>('/v1/users/login', {
    method: 'POST',
    body: { email, password },
    address,
  })

async function failTimes(times: number, email: string, addresses: () => string) {
  for (let i = 0; i < times; i++) {
    const res = await login(email, 'Wrong-Pass-1', addresses())
    expect(res.status).toBe(401)
  }
}

describe('login throttling', () => {
  it('allows 5 failures per email, then answers 429 with Retry-After, even for the right password', async () => {
    const user = await registerUser()
    await failTimes(5, user.email, freshAddress)
    const blocked = await login(user.email, user.password, freshAddress())
    expect(blocked.status).toBe(429)
    expect(blocked.body).toMatchObject({ success: false, code: 'rate_limited' })
    const retryAfter = Number(blocked.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(800)
    expect(retryAfter).toBeLessThanOrEqual(900)
  })

  it('treats an email with no account exactly the same', async () => {
    const ghost = uniqueEmail('ghost')
    await failTimes(5, ghost, freshAddress)
    const blocked = await login(ghost, 'Wrong-Pass-1', freshAddress())
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800)
  })

  it('limits one address trying many emails', async () => {
    const address = freshAddress()
    for (let i = 0; i < 5; i++)
      expect((await login(uniqueEmail(), 'Wrong-Pass-1', address)).status).toBe(401)
    const user = await registerUser()
    expect((await login(user.email, user.password, address)).status).toBe(429)
    // Another address is not affected.
    expect((await login(user.email, user.password, freshAddress())).status).toBe(200)
  })

  it('computes Retry-After from the start of the window, and lifts the block when it closes', async () => {
    const user = await registerUser()
    await failTimes(5, user.email, freshAddress)
    const key = `email:${await sha256Hex(user.email)}`
    await sql(
      `update login_throttle set window_start = now() - interval '10 minutes' where key = $1`,
      [key],
    )
    const blocked = await login(user.email, user.password, freshAddress())
    expect(blocked.status).toBe(429)
    const retryAfter = Number(blocked.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(280)
    expect(retryAfter).toBeLessThanOrEqual(300)
    await sql(
      `update login_throttle set window_start = now() - interval '15 minutes 1 second' where key = $1`,
      [key],
    )
    expect((await login(user.email, user.password, freshAddress())).status).toBe(200)
  })

  it('clears the email counter after a success', async () => {
    const user = await registerUser()
    await failTimes(4, user.email, freshAddress)
    expect((await login(user.email, user.password, freshAddress())).status).toBe(200)
    // Four more failures are allowed again, where one would have tripped the old count.
    await failTimes(4, user.email, freshAddress)
    expect((await login(user.email, user.password, freshAddress())).status).toBe(200)
  })

  it('does not count successful logins from a shared address as failures', async () => {
    const address = freshAddress()
    const user = await registerUser()
    for (let i = 0; i < 8; i++)
      expect((await login(user.email, user.password, address)).status).toBe(200)
  })

  // A blocked guess must be decided from one snapshot: a check and a count taken in two
  // statements let a guess through uncounted whenever another one committed in between.
  it('lets no more than 5 of many concurrent guesses reach the password check', async () => {
    for (let round = 0; round < 4; round++) {
      const user = await registerUser()
      const results = await Promise.all(
        Array.from({ length: 30 }, () => login(user.email, 'Wrong-Pass-1', freshAddress())),
      )
      const statuses = results.map((res) => res.status)
      expect(statuses.filter((status) => status === 401)).toHaveLength(5)
      expect(statuses.filter((status) => status === 429)).toHaveLength(25)
    }
  })

  it('does not lock the email longer than the window, however often a stranger tries', async () => {
    const user = await registerUser()
    await failTimes(5, user.email, freshAddress)
    for (let i = 0; i < 5; i++)
      expect((await login(user.email, 'Wrong-Pass-1', freshAddress())).status).toBe(429)
    const key = `email:${await sha256Hex(user.email)}`
    const [row] = await sql<{ age: number }>(
      `select extract(epoch from now() - window_start)::int as age from login_throttle where key = $1`,
      [key],
    )
    // The window still starts at the first failure: blocked tries did not move it.
    expect(Number(row?.age)).toBeLessThan(120)
    await sql(
      `update login_throttle set window_start = now() - interval '16 minutes' where key = $1`,
      [key],
    )
    expect((await login(user.email, user.password, freshAddress())).status).toBe(200)
  })
})

describe('what a blocked attempt costs', () => {
  it('counts a blocked attempt against neither key, so a victim is never locked out past the window', async () => {
    const victim = await registerUser()
    await failTimes(5, victim.email, freshAddress)
    const home = freshAddress()
    // The victim keeps trying with the right password while the email is blocked...
    for (let i = 0; i < 5; i++)
      expect((await login(victim.email, victim.password, home)).status).toBe(429)
    // ...and the moment the email's window closes, the victim's own address is not blocked.
    const key = `email:${await sha256Hex(victim.email)}`
    await sql(
      `update login_throttle set window_start = now() - interval '16 minutes' where key = $1`,
      [key],
    )
    expect((await login(victim.email, victim.password, home)).status).toBe(200)
  })

  it('writes no counter rows for a blocked address trying new emails', async () => {
    const address = freshAddress()
    for (let i = 0; i < 5; i++) await login(uniqueEmail(), 'Wrong-Pass-1', address)
    const emails = Array.from({ length: 3 }, () => uniqueEmail('spray'))
    for (const email of emails)
      expect((await login(email, 'Wrong-Pass-1', address)).status).toBe(429)
    const keys = await Promise.all(emails.map(async (email) => `email:${await sha256Hex(email)}`))
    expect(await sql('select 1 from login_throttle where key = any($1)', [keys])).toHaveLength(0)
  })
})

describe('current-password checks', () => {
  it('count against the login throttle, so a stolen token cannot guess the password', async () => {
    const user = await registerUser()
    const change = (currentPassword: string) =>
      api('/v1/users/me/password', {
        method: 'POST',
        token: user.token,
        body: { currentPassword, newPassword: 'Guessed-Pass-1' },
        address: freshAddress(),
      })
    for (let i = 0; i < 5; i++) expect((await change(`Guess-${i}-Pass`)).status).toBe(422)
    const blocked = await change(user.password)
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800)
  })

  it('release the attempt after a successful change', async () => {
    const user = await registerUser()
    const address = freshAddress()
    const res = await api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Released-Pass-1' },
      address,
    })
    expect(res.status).toBe(204)
    const key = `email:${await sha256Hex(user.email)}`
    expect(await sql('select 1 from login_throttle where key = $1', [key])).toHaveLength(0)
  })
})

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
