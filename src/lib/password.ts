import bcrypt from 'bcryptjs'

/** bcrypt reads at most 72 bytes; longer passwords are refused upstream, never truncated. */
export const BCRYPT_MAX_BYTES = 72

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost)
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash)
}

/** True when a stored hash was made at another cost than the configured one. */
export function needsRehash(hash: string, cost: number): boolean {
  try {
    return bcrypt.getRounds(hash) !== cost
  } catch {
    return false
  }
}

/**
 * Hashes of random passwords nobody knows, one per allowed cost. A login for an unknown email
 * is checked against the one at the configured cost, so it costs the same bcrypt work as a
 * login for a known email and the timing tells nothing. Made once with @node-rs/bcrypt rather
 * than per isolate, so no request pays for making one.
 */
const DECOY_HASHES: Readonly<Record<number, string>> = {
  4: '$2b$04$u0Rz8aW//gmQfkv1xe/Gxe5Sy92u6.6nU5kOCnlnInFBCVWaX76Xm',
  5: '$2b$05$dyf9KWqS.u1zpscKBTvyXeTNozZXMuwok5ryl7ir1sKF1veMlLAte',
  6: '$2b$06$UYgcUkhu3FCCKkqzwl.jCuCZAd1zCec647djfY/UVIL1idjKhQCCm',
  7: '$2b$07$a3qORsp5rAoPALtBOlTONeFt0aOpw0hSDtEbDW26ZpFP/bK8aIEbK',
  8: '$2b$08$stlOeDdZ5hlZ9mTLswIY7OhD6UxiyMUvD9pCBROkEcdLs4b6lsH42',
  9: '$2b$09$gijAYAyaS4OqWzs5GpM4Q.FX3yglAHk8mVBlhLz27EHig45LaHOO2',
  10: '$2b$10$8eJHqcTCpTMJfIPyVeBamOEbZ8Ml9.kUzavR385F7Edga9253R4tC',
  11: '$2b$11$qF8z95a/zysnzD17f.UpTe4mYcZtqjxb5lktRhJZ49ppwVlhErfX2',
  12: '$2b$12$AYxOFJh9j9dqwnetPoC5F.zfKu/UZusjfPIXBaVeu5dpa/J3NV95u',
  13: '$2b$13$9a6bL5yIPzXWB3jqQNu3tOq/SdLzWwIEn5sAsIw0p.zua9TRcpujS',
  14: '$2b$14$bf2wkl8Jp4lWDo8HBBF91.ZDod0NP1aHwGmPuIARFvsk7mJZ9.s16',
  15: '$2b$15$bPoa1Dnpztg6a1zIouccy.6DiQQv22XWDk.cBvcfr.dkDI.Cnu5dW',
}

export async function burnPasswordCheck(password: string, cost: number): Promise<false> {
  const decoy = DECOY_HASHES[cost] ?? (await bcrypt.hash(crypto.randomUUID(), cost))
  await bcrypt.compare(password, decoy)
  return false
}

/**
 * After a wrong password against a hash made at a lower cost than `cost` (moved from the old
 * service), does the bcrypt work that is missing, so that the whole check costs what one at
 * `cost` does, as for an unknown email: bcrypt's work doubles with each cost step, and
 * 2^low + 2^low + 2^(low+1) + ... + 2^(cost-1) = 2^cost.
 */
export async function topUpPasswordCheck(
  password: string,
  hash: string,
  cost: number,
): Promise<void> {
  let low: number
  try {
    low = bcrypt.getRounds(hash)
  } catch {
    return
  }
  for (let step = low; step < cost; step += 1) await burnPasswordCheck(password, step)
}
