/**
 * scrypt from node:crypto (workerd runs it as native code under `nodejs_compat`), stored in a
 * self-describing form that names its parameters, as passlib and the PHC string format do:
 *
 *   $scrypt$ln=14,r=8,p=5$<salt, base64>$<key, base64>
 *
 * (ln is log2 N; base64 without padding; 16-byte salt, 32-byte key.)
 */
import { scrypt as deriveKey, timingSafeEqual } from 'node:crypto'

export type ScryptParams = { ln: number; r: number; p: number }

/**
 * One of the equivalent settings in OWASP's Password Storage Cheat Sheet (N=2^17 r=8 p=1,
 * 2^16/8/2, 2^15/8/3, 2^14/8/5, 2^13/8/10). scrypt holds 128·N·r bytes while it runs: 2^17 would
 * take all of a Worker's 128 MB and 2^16 half of it, beside the isolate's own heap and any other
 * request it serves meanwhile; 2^14 takes 16 MiB, leaves that room, and is also the cheapest in
 * CPU of the list (N·r·p). 2^13/8/10 costs the same CPU for half the memory an attacker must
 * spend per guess, so it is the weaker choice.
 */
export const SCRYPT_PARAMS: Readonly<ScryptParams> = { ln: 14, r: 8, p: 5 }

const SALT_BYTES = 16
const KEY_BYTES = 32
/** A stored hash asking for more than this is refused rather than let near the Worker's limit. */
const MAX_MEMORY_BYTES = 32 * 1024 * 1024
const MAX_PARALLELISM = 16
const memoryOf = ({ ln, r }: ScryptParams) => 128 * r * 2 ** ln

const SCRYPT_HASH =
  /^\$scrypt\$ln=([1-9]\d?),r=([1-9]\d?),p=([1-9]\d?)\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    deriveKey(
      password,
      salt,
      KEY_BYTES,
      // maxmem: node's default (32 MiB) is a guard, not a budget; this leaves room for the
      // blocks beside the 128·N·r table.
      { N: 2 ** params.ln, r: params.r, p: params.p, maxmem: 2 * MAX_MEMORY_BYTES },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  )
}

function parse(
  storedHash: string,
): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const match = SCRYPT_HASH.exec(storedHash)
  if (!match) return undefined
  const [, ln, r, p, salt, key] = match
  const params = { ln: Number(ln), r: Number(r), p: Number(p) }
  if (memoryOf(params) > MAX_MEMORY_BYTES || params.p > MAX_PARALLELISM) return undefined
  return { params, salt: Buffer.from(salt ?? '', 'base64'), key: Buffer.from(key ?? '', 'base64') }
}

/** The calls the app makes, as one object so that tests can count them (vi.spyOn). */
export const scrypt = {
  async hash(password: string, params: ScryptParams, salt: Uint8Array): Promise<string> {
    if (salt.byteLength !== SALT_BYTES) throw new RangeError('scrypt salt must be 16 bytes')
    if (memoryOf(params) > MAX_MEMORY_BYTES) throw new RangeError('scrypt parameters too large')
    const key = await derive(password, salt, params)
    const { ln, r, p } = params
    return `$scrypt$ln=${ln},r=${r},p=${p}$${base64(salt)}$${base64(key)}`
  },

  /** Whether `password` matches; false for anything that is not a scrypt hash of this form. */
  async verify(password: string, storedHash: string): Promise<boolean> {
    const stored = parse(storedHash)
    if (!stored) return false
    const key = await derive(password, stored.salt, stored.params)
    // Constant time: how much of the key matched must not show in when the answer comes.
    return timingSafeEqual(key, stored.key)
  },

  /** The parameters a scrypt hash was made with; undefined for anything else. */
  paramsOf(storedHash: string): ScryptParams | undefined {
    return parse(storedHash)?.params
  },
}
