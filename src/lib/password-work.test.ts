import { afterEach, describe, expect, inject, it, vi } from 'vitest'
import {
  api,
  apiWithSettings,
  freshAddress,
  STRONG_PASSWORD,
  sql,
  uniqueEmail,
} from '../../test/support/api'
import { bcrypt } from './bcrypt-wasm'
import { DECOY_HASHES, hashPassword } from './password'

/**
 * What a login costs, asserted as bcrypt work rather than time: the checks it made, each at the
 * cost of the hash it checked against (work doubles with each cost step). Calls are told apart
 * by their password, unique per test, since other test files share the module.
 */
const verify = vi.spyOn(bcrypt, 'verify')
afterEach(() => verify.mockClear())

const costOf = (hash: string) => bcrypt.costOf(hash) ?? Number.NaN
const checksWith = (password: string) =>
  verify.mock.calls.filter(([presented]) => presented === password).map(([, hash]) => costOf(hash))
const work = (costs: number[]) => costs.reduce((sum, cost) => sum + 2 ** cost, 0)

const login = (call: typeof api, email: string, password: string) =>
  call('/v1/users/login', { method: 'POST', body: { email, password }, address: freshAddress() })

async function insertUser(passwordHash: string): Promise<string> {
  const email = uniqueEmail('work')
  await sql(`insert into users (name, email, password_hash) values ('Work', $1, $2)`, [
    email,
    passwordHash,
  ])
  return email
}

const storedCost = async (email: string) => {
  const [row] = await sql<{ password_hash: string }>(
    'select password_hash from users where email = $1',
    [email],
  )
  return costOf(row?.password_hash ?? '')
}

describe('the bcrypt work of a login', () => {
  it('checks an unknown email against a decoy at BCRYPT_COST: the work of a wrong password', async () => {
    const call = await apiWithSettings({ BCRYPT_COST: '6' })
    const password = `Unknown-${crypto.randomUUID()}`
    expect((await login(call, uniqueEmail('nobody'), password)).status).toBe(401)
    expect(checksWith(password)).toEqual([6])

    const email = await insertUser(await hashPassword(STRONG_PASSWORD, 6))
    const wrong = `Wrong-${crypto.randomUUID()}`
    expect((await login(call, email, wrong)).status).toBe(401)
    expect(work(checksWith(wrong))).toBe(work(checksWith(password)))
  })

  it('tops a wrong password for a lower-cost hash up to the work of one at BCRYPT_COST', async () => {
    const call = await apiWithSettings({ BCRYPT_COST: '7' })
    const email = await insertUser(await hashPassword(STRONG_PASSWORD, 4))
    const wrong = `Wrong-${crypto.randomUUID()}`
    expect((await login(call, email, wrong)).status).toBe(401)
    const costs = checksWith(wrong)
    expect(costs[0]).toBe(4)
    expect(work(costs)).toBe(2 ** 7)
  })

  it('moves a hash from the old service to BCRYPT_COST on its next successful login', async () => {
    const hash = inject('legacyHashes')['2b']
    const email = await insertUser(hash)
    expect(costOf(hash)).toBe(10)
    const res = await login(api, email, inject('legacyPassword'))
    expect(res.status).toBe(200)
    // The suite runs at BCRYPT_COST 4.
    expect(await storedCost(email)).toBe(4)
    expect((await login(api, email, inject('legacyPassword'))).status).toBe(200)
  })

  it('leaves a hash already at BCRYPT_COST alone', async () => {
    const hash = await hashPassword(STRONG_PASSWORD, 4)
    const email = await insertUser(hash)
    expect((await login(api, email, STRONG_PASSWORD)).status).toBe(200)
    const [row] = await sql<{ password_hash: string }>(
      'select password_hash from users where email = $1',
      [email],
    )
    expect(row?.password_hash).toBe(hash)
  })

  it('has a decoy at each cost BCRYPT_COST allows, made at that cost', () => {
    for (let cost = 4; cost <= 15; cost += 1) expect(costOf(DECOY_HASHES[cost] ?? '')).toBe(cost)
  })
})
