/**
 * bcrypt in WebAssembly: hash-wasm's build of Openwall's crypt_blowfish (MIT; the C is public
 * domain), extracted from the pinned package by scripts/vendor-bcrypt-wasm.ts. This file is only
 * the glue: it lays out the module's buffer and calls its exports as hash-wasm's own JS does.
 *
 * workerd compiles the `.wasm` module once, when the Worker starts (it refuses to compile bytes
 * at run time); each call then instantiates it afresh, because crypt_blowfish keeps its Blowfish
 * state in a global that one run leaves changed: a second hash on the same instance starts from
 * that state and comes out wrong (see bcrypt-wasm.test.ts). hash-wasm also instantiates per call.
 */

import { BCRYPT_MAX_BYTES } from './password-limits'
import bcryptModule from './vendor/hash-wasm-bcrypt.wasm'

export { BCRYPT_MAX_BYTES }

const SALT_BYTES = 16
const HASH_CHARS = 60
/** Where hash-wasm's bcrypt.c reads its inputs in the module's buffer. */
const LAYOUT = {
  hash: { salt: 0, password: SALT_BYTES },
  verify: { storedHash: 0, password: HASH_CHARS },
} as const

/** What the stored forms look like: $2a$, $2b$ and $2y$ (not $2x$, the sign-extension bug's). */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/

interface BcryptExports {
  memory: WebAssembly.Memory
  Hash_GetBuffer(): number
  bcrypt(passwordLength: number, cost: number, encode: 0 | 1): void
  bcrypt_verify(passwordLength: number): number
}

function freshInstance(): { exports: BcryptExports; buffer: Uint8Array } {
  const exports = new WebAssembly.Instance(bcryptModule, {}).exports as unknown as BcryptExports
  return {
    exports,
    buffer: new Uint8Array(exports.memory.buffer, exports.Hash_GetBuffer()),
  }
}

const encoder = new TextEncoder()

function passwordBytes(password: string | Uint8Array): Uint8Array {
  const bytes = typeof password === 'string' ? encoder.encode(password) : password
  // The schemas refuse these; bcrypt would silently ignore the rest, so this never guesses.
  if (bytes.byteLength > BCRYPT_MAX_BYTES)
    throw new RangeError(`bcrypt reads at most ${BCRYPT_MAX_BYTES} bytes of a password`)
  return bytes
}

const asciiOf = (bytes: Uint8Array) => String.fromCharCode(...bytes)

/**
 * The calls the app makes, as one object so that tests can count them (vi.spyOn) and read the
 * cost of each check: a login's bcrypt work is asserted that way rather than timed.
 */
export const bcrypt = {
  /**
   * A `$2b$` hash of `password` at `cost` with this 16-byte salt. hash-wasm labels its output
   * `$2a$`; it is relabelled because, for a password given as text (UTF-8, which never has a
   * 0xFF byte), `$2a$` and `$2b$` are the same computation: crypt_blowfish's one `$2a$`
   * deviation, a countermeasure against the old sign-extension bug, needs a 0xFF byte to apply.
   * `$2b$` is what bcryptjs wrote before, the old service's Python bcrypt writes, and the label
   * that carries no doubt about that bug. bcrypt-wasm.test.ts checks the result is byte for byte
   * the native @node-rs/bcrypt's `$2b$` hash.
   */
  hash(password: string, cost: number, salt: Uint8Array): string {
    if (!Number.isInteger(cost) || cost < 4 || cost > 31)
      throw new RangeError('bcrypt cost must be an integer from 4 to 31')
    if (salt.byteLength !== SALT_BYTES) throw new RangeError('bcrypt salt must be 16 bytes')
    const key = passwordBytes(password)
    const { exports, buffer } = freshInstance()
    buffer.set(salt, LAYOUT.hash.salt)
    buffer.set(key, LAYOUT.hash.password)
    exports.bcrypt(key.byteLength, cost, 1)
    return `$2b${asciiOf(buffer.subarray(3, HASH_CHARS))}`
  },

  /**
   * Whether `password` matches `storedHash`; false for anything that is not a bcrypt hash.
   * The module compares the whole digest, without stopping at the first difference. Bytes are
   * accepted for the published test vectors, some of which are not UTF-8.
   */
  verify(password: string | Uint8Array, storedHash: string): boolean {
    if (!BCRYPT_HASH.test(storedHash)) return false
    const key = passwordBytes(password)
    const { exports, buffer } = freshInstance()
    buffer.set(encoder.encode(storedHash), LAYOUT.verify.storedHash)
    buffer.set(key, LAYOUT.verify.password)
    return exports.bcrypt_verify(key.byteLength) === 1
  },

  /** The cost a bcrypt hash was made at; undefined for anything else (a scrypt hash, say). */
  costOf(storedHash: string): number | undefined {
    return BCRYPT_HASH.test(storedHash) ? Number(storedHash.slice(4, 6)) : undefined
  },
}
