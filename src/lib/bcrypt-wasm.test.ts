import { describe, expect, inject, it } from 'vitest'
import { BCRYPT_MAX_BYTES, bcrypt } from './bcrypt-wasm'
import { hashPassword, verifyPassword } from './password'
import bcryptModule from './vendor/hash-wasm-bcrypt.wasm'

const salt = () => crypto.getRandomValues(new Uint8Array(16))
const cases = inject('nativeBcryptCases')

/** The password with its last character changed: no longer, so still within 72 bytes. */
const nearMiss = (password: string) => {
  const characters = [...password]
  const last = characters.pop()
  return `${characters.join('')}${last === 'Y' ? 'X' : 'Y'}`
}

/** Asks @node-rs/bcrypt, running in Node beside the tests, to verify hashes made here. */
async function nativeVerify(checks: { password: string; hash: string }[]): Promise<boolean[]> {
  const response = await fetch(inject('nativeBcryptVerifier'), {
    method: 'POST',
    body: JSON.stringify(checks),
  })
  if (!response.ok) throw new Error(`native verifier: ${response.status} ${await response.text()}`)
  return (await response.json()) as boolean[]
}

describe('the WebAssembly bcrypt module', () => {
  it('is loaded as a compiled module (workerd compiles it at startup, never from bytes)', () => {
    expect(bcryptModule).toBeInstanceOf(WebAssembly.Module)
  })

  it('leaves state behind in an instance: reused, its second hash of the same input differs', () => {
    // Why bcrypt-wasm.ts instantiates per call. Should hash-wasm start resetting its state,
    // this fails, and the fresh instance per call could go.
    const exports = new WebAssembly.Instance(bcryptModule, {}).exports as unknown as {
      memory: WebAssembly.Memory
      Hash_GetBuffer(): number
      bcrypt(length: number, cost: number, encode: number): void
    }
    const input = salt()
    const run = () => {
      const buffer = new Uint8Array(exports.memory.buffer, exports.Hash_GetBuffer())
      buffer.set(input, 0)
      buffer.set(new TextEncoder().encode('same'), 16)
      exports.bcrypt(4, 4, 1)
      return new TextDecoder().decode(buffer.subarray(0, 60))
    }
    expect(run()).not.toBe(run())
  })

  it('gives the same hash for the same password and salt, call after call', () => {
    const fixed = salt()
    const first = bcrypt.hash('Sturdy-Pass-42', 4, fixed)
    expect(bcrypt.hash('Sturdy-Pass-42', 4, fixed)).toBe(first)
    expect(bcrypt.hash('Sturdy-Pass-42', 4, fixed)).toBe(first)
  })

  it('writes $2b$ hashes at the cost asked for', async () => {
    const hash = await hashPassword('Sturdy-Pass-42', 5)
    expect(hash).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{53}$/)
    expect(bcrypt.costOf(hash)).toBe(5)
    expect(await verifyPassword('Sturdy-Pass-42', hash)).toBe(true)
    expect(await verifyPassword('Sturdy-Pass-43', hash)).toBe(false)
  })

  it('draws a new salt for every hash', async () => {
    const hashes = new Set(await Promise.all([1, 2, 3].map(() => hashPassword('same', 4))))
    expect(hashes.size).toBe(3)
  })

  it('takes 72 bytes and refuses 73 rather than ignore the rest', () => {
    const atLimit = 'é'.repeat(36)
    const hash = bcrypt.hash(atLimit, 4, salt())
    expect(bcrypt.verify(atLimit, hash)).toBe(true)
    expect(() => bcrypt.hash(`${atLimit}x`, 4, salt())).toThrow(RangeError)
    expect(() => bcrypt.verify(`${atLimit}x`, hash)).toThrow(RangeError)
    expect(BCRYPT_MAX_BYTES).toBe(72)
  })

  it.each([
    ['cost 3', () => bcrypt.hash('pw', 3, salt())],
    ['cost 32', () => bcrypt.hash('pw', 32, salt())],
    ['a 15-byte salt', () => bcrypt.hash('pw', 4, new Uint8Array(15))],
  ])('refuses %s', (_, call) => {
    expect(call).toThrow(RangeError)
  })

  it('answers false, not an error, for what is not a hash it can check', () => {
    const good = bcrypt.hash('pw', 4, salt())
    for (const stored of [
      '',
      'not a hash',
      good.slice(0, -1),
      `${good}x`,
      good.replace('$2b$', '$2x$'),
      good.replace('$2b$04$', '$2b$03$'),
      good.replace('$2b$04$', '$2b$32$'),
      `${good.slice(0, 20)}!${good.slice(21)}`,
      '$scrypt$ln=14,r=8,p=5$s8jJLTYl93NzuNw/djqjRQ$j9gbGaHECEZcnmnud0jnRYYJfFJe3ZvnXNAu7ZNzpZ4',
    ]) {
      expect(bcrypt.verify('pw', stored), stored).toBe(false)
      expect(bcrypt.costOf(stored), stored).toBeUndefined()
    }
  })
})

describe('against the native @node-rs/bcrypt', () => {
  it('has hashes of every awkward password in $2a$, $2b$ and $2y$ to check', () => {
    expect(new Set(cases.map((c) => c.version))).toEqual(new Set(['2a', '2b', '2y']))
    expect(cases.some((c) => new TextEncoder().encode(c.password).byteLength === 72)).toBe(true)
    expect(cases.some((c) => c.password.includes('\u0000'))).toBe(true)
  })

  it.each(cases.map((c) => [`${c.label} ($${c.version}$)`, c] as const))(
    'verifies its hash of %s, and not a near miss',
    (_, nativeCase) => {
      expect(bcrypt.verify(nativeCase.password, nativeCase.hash)).toBe(true)
      expect(bcrypt.verify(nearMiss(nativeCase.password), nativeCase.hash)).toBe(false)
    },
  )

  it.each(cases.map((c) => [`${c.label} ($${c.version}$)`, c] as const))(
    'makes the same hash of %s from the same salt',
    (_, nativeCase) => {
      const ours = bcrypt.hash(
        nativeCase.password,
        nativeCase.cost,
        Uint8Array.from(nativeCase.salt),
      )
      // Ours is always labelled $2b$; for text, $2a$, $2b$ and $2y$ are the same computation.
      expect(ours.slice(0, 4)).toBe('$2b$')
      expect(ours.slice(4)).toBe(nativeCase.hash.slice(4))
    },
  )

  it('accepts the hashes made here, with their passwords and not with near misses', async () => {
    const passwords = [...new Set(cases.map((c) => c.password))]
    const made = await Promise.all(
      passwords.map(async (password) => ({ password, hash: await hashPassword(password, 4) })),
    )
    expect(await nativeVerify(made)).toEqual(made.map(() => true))
    const misses = made.map(({ password, hash }) => ({ password: nearMiss(password), hash }))
    expect(await nativeVerify(misses)).toEqual(made.map(() => false))
  })
})
