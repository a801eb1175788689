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
import { hashPassword, SCRYPT_DECOY_HASH } from './password'
import { SCRYPT_PARAMS, scrypt } from './scrypt'

/**
 * PASSWORD_HASH=scrypt: what is stored, what moves, and what a failed login costs, as checks
 * made rather than time: bcrypt work doubles with each cost step, scrypt work grows with N·r·p.
 * Calls are told apart by their password, unique per test, since other test files share the
 * modules.
 */
const bcryptVerify = vi.spyOn(bcrypt, 'verify')
const scryptVerify = vi.spyOn(scrypt, 'verify')
afterEach(() => {
  bcryptVerify.mockClear()
  scryptVerify.mockClear()
})

function workWith(password: string): { bcrypt: number; scrypt: number } {
  const bcryptWork = bcryptVerify.mock.calls
    .filter(([presented]) => presented === password)
    .map(([, hash]) => 2 ** (bcrypt.costOf(hash) ?? Number.NaN))
  const scryptWork = scryptVerify.mock.calls
    .filter(([presented]) => presented === password)
    .map(([, hash]) => {
      const params = scrypt.paramsOf(hash)
      return params ? 2 ** params.ln * params.r * params.p : Number.NaN
    })
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0)
  return { bcrypt: sum(bcryptWork), scrypt: sum(scryptWork) }
}

const SCRYPT_FORM = /^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/
const SCRYPT = { passwordAlgorithm: 'scrypt', bcryptCost: 6 } as const

const login = (call: typeof api, email: string, password: string) =>
  call('/v1/users/login', { method: 'POST', body: { email, password }, address: freshAddress() })

async function insertUser(passwordHash: string): Promise<string> {
  const email = uniqueEmail('scrypt')
  await sql(`insert into users (name, email, password_hash) values ('Scrypt', $1, $2)`, [
    email,
    passwordHash,
  ])
  return email
}

async function storedHash(email: string): Promise<string> {
  const [row] = await sql<{ password_hash: string }>(
    'select password_hash from users where email = $1',
    [email],
  )
  return row?.password_hash ?? ''
}

describe('PASSWORD_HASH=scrypt', () => {
  it('stores a new account’s password as scrypt, and a login leaves it alone', async () => {
    const call = await apiWithSettings({ PASSWORD_HASH: 'scrypt' })
    const email = uniqueEmail('scrypt')
    const created = await call('/v1/users', {
      method: 'POST',
      body: { name: 'Scrypt', email, password: STRONG_PASSWORD },
      address: freshAddress(),
    })
    expect(created.status).toBe(201)
    const hash = await storedHash(email)
    expect(hash).toMatch(SCRYPT_FORM)
    expect((await login(call, email, STRONG_PASSWORD)).status).toBe(200)
    expect(await storedHash(email)).toBe(hash)
  })

  it('stores a changed password as scrypt', async () => {
    const call = await apiWithSettings({ PASSWORD_HASH: 'scrypt' })
    const email = await insertUser(await hashPassword(STRONG_PASSWORD, SCRYPT))
    const session = await login(call, email, STRONG_PASSWORD)
    const token = (session.body as { data: { token: string } }).data.token
    const changed = await call('/v1/users/me/password', {
      method: 'POST',
      token,
      body: { currentPassword: STRONG_PASSWORD, newPassword: 'Changed-Pass-77' },
    })
    expect(changed.status).toBe(204)
    expect(await storedHash(email)).toMatch(SCRYPT_FORM)
    expect((await login(call, email, 'Changed-Pass-77')).status).toBe(200)
  })

  it('moves a bcrypt hash from the old service to scrypt on its next successful login', async () => {
    const call = await apiWithSettings({ PASSWORD_HASH: 'scrypt' })
    const email = await insertUser(inject('legacyHashes')['2a'])
    expect((await login(call, email, inject('legacyPassword'))).status).toBe(200)
    const moved = await storedHash(email)
    expect(moved).toMatch(SCRYPT_FORM)
    expect((await login(call, email, inject('legacyPassword'))).status).toBe(200)
    expect(await storedHash(email)).toBe(moved)
  })

  it('makes every failed login cost one scrypt check and one bcrypt check at BCRYPT_COST', async () => {
    const call = await apiWithSettings({ PASSWORD_HASH: 'scrypt', BCRYPT_COST: '6' })
    const unknown = `Unknown-${crypto.randomUUID()}`
    expect((await login(call, uniqueEmail('nobody'), unknown)).status).toBe(401)
    const expected = {
      bcrypt: 2 ** 6,
      scrypt: 2 ** SCRYPT_PARAMS.ln * SCRYPT_PARAMS.r * SCRYPT_PARAMS.p,
    }
    expect(workWith(unknown)).toEqual(expected)

    // A wrong password against a scrypt hash, and against bcrypt hashes that have not moved
    // yet: at a lower cost than BCRYPT_COST (the old service's), and at it.
    for (const stored of [
      await hashPassword(STRONG_PASSWORD, SCRYPT),
      await hashPassword(STRONG_PASSWORD, 4),
      await hashPassword(STRONG_PASSWORD, 6),
    ]) {
      const email = await insertUser(stored)
      const wrong = `Wrong-${crypto.randomUUID()}`
      expect((await login(call, email, wrong)).status).toBe(401)
      expect(workWith(wrong), stored.slice(0, 12)).toEqual(expected)
    }
  })

  it('keeps its decoy at SCRYPT_PARAMS', () => {
    expect(scrypt.paramsOf(SCRYPT_DECOY_HASH)).toEqual(SCRYPT_PARAMS)
  })
})

describe('back to PASSWORD_HASH=bcrypt', () => {
  it('moves a scrypt hash to bcrypt on its next successful login', async () => {
    const email = await insertUser(await hashPassword(STRONG_PASSWORD, SCRYPT))
    expect((await login(api, email, STRONG_PASSWORD)).status).toBe(200)
    // The suite runs at BCRYPT_COST 4.
    expect(await storedHash(email)).toMatch(/^\$2b\$04\$/)
  })

  it('spends the bcrypt check of a failed login after a wrong password against scrypt', async () => {
    const unknown = `Unknown-${crypto.randomUUID()}`
    expect((await login(api, uniqueEmail('nobody'), unknown)).status).toBe(401)
    const email = await insertUser(await hashPassword(STRONG_PASSWORD, SCRYPT))
    const wrong = `Wrong-${crypto.randomUUID()}`
    expect((await login(api, email, wrong)).status).toBe(401)
    // Never less than an unknown email; more by the scrypt check, which only a switch back
    // from scrypt leaves to make.
    expect(workWith(wrong).bcrypt).toBe(workWith(unknown).bcrypt)
    expect(workWith(wrong).scrypt).toBeGreaterThan(0)
  })
})
