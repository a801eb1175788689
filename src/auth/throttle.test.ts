import { describe, expect, it } from 'vitest'
import { api, freshAddress, registerUser, sql, uniqueEmail } from '../../test/support/api'
import { sha256Hex } from '../lib/tokens'
import { ipv6Prefix64 } from '../middleware/client-address'

const WRONG = 'Wrong-Pass-1'

const login = (email: string, password: string, address: string) =>
  api<{ code: string; message: string }>('/v1/users/login', {
    method: 'POST',
    body: { email, password },
    address,
  })

async function failTimes(times: number, email: string, address: () => string) {
  for (let i = 0; i < times; i++) expect((await login(email, WRONG, address())).status).toBe(401)
}

const counter = async (key: string) =>
  Number(
    (
      await sql<{ failures: number }>('select failures from login_throttle where key = $1', [key])
    )[0]?.failures ?? 0,
  )
const emailAtNetworkKey = async (email: string, address: string) =>
  `en:${await sha256Hex(email)}:${ipv6Prefix64(address)}`
const networkKey = (address: string) => `net:${ipv6Prefix64(address)}`
const emailKey = async (email: string) => `email:${await sha256Hex(email)}`

describe('per email and network: 5 failures in 15 minutes', () => {
  it('refuses that email from that network with 429 and Retry-After, even the right password', async () => {
    const user = await registerUser()
    const stranger = freshAddress()
    await failTimes(5, user.email, () => stranger)
    const blocked = await login(user.email, user.password, stranger)
    expect(blocked.status).toBe(429)
    expect(blocked.body).toMatchObject({ success: false, code: 'rate_limited' })
    const retryAfter = Number(blocked.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(800)
    expect(retryAfter).toBeLessThanOrEqual(900)
  })

  it('lets the owner log in from a network that has not failed while the stranger is refused', async () => {
    const user = await registerUser()
    const stranger = freshAddress()
    await failTimes(5, user.email, () => stranger)
    expect((await login(user.email, user.password, freshAddress())).status).toBe(200)
    expect((await login(user.email, user.password, stranger)).status).toBe(429)
  })

  it('treats an email with no account exactly the same', async () => {
    const ghost = uniqueEmail('ghost')
    const address = freshAddress()
    await failTimes(5, ghost, () => address)
    const blocked = await login(ghost, WRONG, address)
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800)
  })

  it('computes Retry-After from the first failure, and lifts the block when the window closes', async () => {
    const user = await registerUser()
    const address = freshAddress()
    await failTimes(5, user.email, () => address)
    const key = await emailAtNetworkKey(user.email, address)
    await sql(
      `update login_throttle set window_start = now() - interval '10 minutes' where key = $1`,
      [key],
    )
    const blocked = await login(user.email, user.password, address)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(280)
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(300)
    // Blocked tries counted nothing and did not move the window.
    expect(await counter(key)).toBe(5)
    await sql(
      `update login_throttle set window_start = now() - interval '15 minutes 1 second' where key = $1`,
      [key],
    )
    expect((await login(user.email, user.password, address)).status).toBe(200)
  })

  it('starts over after a right password from that network', async () => {
    const user = await registerUser()
    const address = freshAddress()
    await failTimes(4, user.email, () => address)
    expect((await login(user.email, user.password, address)).status).toBe(200)
    expect(await counter(await emailAtNetworkKey(user.email, address))).toBe(0)
    await failTimes(4, user.email, () => address)
    expect((await login(user.email, user.password, address)).status).toBe(200)
  })

  // Tries are reserved in the same statement that checks the counter (one snapshot), so of any
  // number of concurrent guesses exactly 5 reach the password check.
  it('lets exactly 5 of 30 concurrent guesses reach the password check', async () => {
    for (let round = 0; round < 3; round++) {
      const user = await registerUser()
      const address = freshAddress()
      const results = await Promise.all(
        Array.from({ length: 30 }, () => login(user.email, WRONG, address)),
      )
      const statuses = results.map((res) => res.status)
      expect(statuses.filter((status) => status === 401)).toHaveLength(5)
      expect(statuses.filter((status) => status === 429)).toHaveLength(25)
    }
  })
})

describe('per network: 20 failures in 15 minutes, across emails', () => {
  it('refuses every email from that network after 20 failures; other networks are not affected', async () => {
    const address = freshAddress()
    for (let i = 0; i < 20; i++)
      expect((await login(uniqueEmail('spray'), WRONG, address)).status).toBe(401)
    const user = await registerUser()
    expect((await login(user.email, user.password, address)).status).toBe(429)
    expect((await login(user.email, user.password, freshAddress())).status).toBe(200)
    // A refused try reserved nothing: no counter was written for the new email.
    expect(await counter(await emailAtNetworkKey(user.email, address))).toBe(0)
  })

  it('never counts a right password: 20 concurrent logins to different accounts from one address all succeed', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => registerUser()))
    const office = freshAddress()
    const results = await Promise.all(users.map((user) => login(user.email, user.password, office)))
    expect(results.map((res) => res.status)).toEqual(users.map(() => 200))
    expect(await counter(networkKey(office))).toBe(0)
    // And again: nothing was left behind that the next wave could trip over.
    const again = await Promise.all(users.map((user) => login(user.email, user.password, office)))
    expect(again.map((res) => res.status)).toEqual(users.map(() => 200))
  })

  // The network's counter waits for the password check, so guesses in flight when it fills all
  // reach the check: the worst case is 19 + the guesses in flight at once (per address, at most
  // what LOGIN_LIMITER lets through in a minute). Every one of them is counted.
  it('counts every guess that reached the check, so the next is refused', async () => {
    const address = freshAddress()
    await sql(
      `insert into login_throttle (key, failures, window_start, window_seconds) values ($1, 15, now(), 900)`,
      [networkKey(address)],
    )
    const results = await Promise.all(
      Array.from({ length: 10 }, () => login(uniqueEmail('burst'), WRONG, address)),
    )
    const reached = results.filter((res) => res.status === 401).length
    expect(reached).toBeGreaterThanOrEqual(5)
    expect(await counter(networkKey(address))).toBe(15 + reached)
    expect((await login(uniqueEmail('after'), WRONG, address)).status).toBe(429)
  })
})

describe('per email: 100 failures an hour, across networks', () => {
  it('refuses everyone, the owner included, once 100 networks-worth of failures have landed', async () => {
    const user = await registerUser()
    for (let network = 0; network < 20; network++) {
      const address = freshAddress()
      await failTimes(5, user.email, () => address)
    }
    expect(await counter(await emailKey(user.email))).toBe(100)
    const owner = await login(user.email, user.password, freshAddress())
    expect(owner.status).toBe(429)
    const retryAfter = Number(owner.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(3500)
    expect(retryAfter).toBeLessThanOrEqual(3600)
  })

  it('gives a right password its try back', async () => {
    const user = await registerUser()
    await failTimes(3, user.email, freshAddress)
    expect((await login(user.email, user.password, freshAddress())).status).toBe(200)
    expect(await counter(await emailKey(user.email))).toBe(3)
  })
})

describe('an authenticated password change while the email is being attacked', () => {
  it('goes through: strangers’ failed logins never block the owner’s own change', async () => {
    const user = await registerUser()
    for (let network = 0; network < 2; network++) {
      const address = freshAddress()
      await failTimes(5, user.email, () => address)
      expect((await login(user.email, WRONG, address)).status).toBe(429)
    }
    const changed = await api('/v1/users/me/password', {
      method: 'POST',
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Attacked-Pass-2' },
    })
    expect(changed.status).toBe(204)
  })
})
