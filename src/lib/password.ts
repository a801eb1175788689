/**
 * Password hashes: bcrypt (the default, and the old service's algorithm) or scrypt
 * (PASSWORD_HASH=scrypt). Whatever is configured, every stored hash of either kind verifies, and
 * moves to the configured form on its owner's next successful login (see auth/session.ts).
 *
 * A failed login costs the same work whatever made it fail, so its timing does not tell whether
 * the account exists or how old its hash is: under bcrypt, one bcrypt check at BCRYPT_COST (as
 * today); under scrypt, one scrypt check and one bcrypt check at BCRYPT_COST. The bcrypt part is
 * what a wrong password against a hash still on bcrypt cannot avoid costing, so every other
 * failure (an unknown email, a wrong password against a scrypt hash) spends it too. Work is
 * counted in checks, not in time: the checks are the same code whatever the answer.
 */
import { BCRYPT_MAX_BYTES, bcrypt } from './bcrypt-wasm'
import { SCRYPT_PARAMS, scrypt } from './scrypt'

export { BCRYPT_MAX_BYTES }

export type PasswordAlgorithm = 'bcrypt' | 'scrypt'

/** What decides how passwords are stored: the app's Config, or a bare bcrypt cost (tests). */
export type PasswordPolicy = { passwordAlgorithm: PasswordAlgorithm; bcryptCost: number } | number

const policyOf = (policy: PasswordPolicy) =>
  typeof policy === 'number'
    ? { passwordAlgorithm: 'bcrypt' as const, bcryptCost: policy }
    : { passwordAlgorithm: policy.passwordAlgorithm, bcryptCost: policy.bcryptCost }

const newSalt = () => crypto.getRandomValues(new Uint8Array(16))
const isScrypt = (storedHash: string) => storedHash.startsWith('$scrypt$')

export async function hashPassword(password: string, policy: PasswordPolicy): Promise<string> {
  const { passwordAlgorithm, bcryptCost } = policyOf(policy)
  return passwordAlgorithm === 'scrypt'
    ? scrypt.hash(password, SCRYPT_PARAMS, newSalt())
    : bcrypt.hash(password, bcryptCost, newSalt())
}

export async function verifyPassword(password: string, storedHash: string): Promise<boolean> {
  return isScrypt(storedHash)
    ? scrypt.verify(password, storedHash)
    : bcrypt.verify(password, storedHash)
}

/** True when a stored hash is not in the configured form: another algorithm, cost or parameters. */
export function needsRehash(storedHash: string, policy: PasswordPolicy): boolean {
  const { passwordAlgorithm, bcryptCost } = policyOf(policy)
  const params = scrypt.paramsOf(storedHash)
  const cost = bcrypt.costOf(storedHash)
  // Neither kind: nothing this code could have made, so nothing to improve on.
  if (!params && cost === undefined) return false
  if (passwordAlgorithm === 'bcrypt') return cost !== bcryptCost
  return (
    !params ||
    params.ln !== SCRYPT_PARAMS.ln ||
    params.r !== SCRYPT_PARAMS.r ||
    params.p !== SCRYPT_PARAMS.p
  )
}

/**
 * Hashes of random passwords nobody knows: one bcrypt hash per allowed cost, and one scrypt hash
 * at SCRYPT_PARAMS. A failed login checks against these for the work it has not done yet. Made
 * once (with @node-rs/bcrypt and node:crypto) rather than per isolate, so no request pays for
 * making one.
 */
export const DECOY_HASHES: Readonly<Record<number, string>> = {
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
export const SCRYPT_DECOY_HASH =
  '$scrypt$ln=14,r=8,p=5$s8jJLTYl93NzuNw/djqjRQ$j9gbGaHECEZcnmnud0jnRYYJfFJe3ZvnXNAu7ZNzpZ4'

async function burnBcryptCheck(password: string, cost: number): Promise<void> {
  const decoy = DECOY_HASHES[cost] ?? bcrypt.hash(crypto.randomUUID(), cost, newSalt())
  bcrypt.verify(password, decoy)
}

/** The whole work of a failed login, for an email that names no account. */
export async function burnPasswordCheck(password: string, policy: PasswordPolicy): Promise<false> {
  const { passwordAlgorithm, bcryptCost } = policyOf(policy)
  if (passwordAlgorithm === 'scrypt') await scrypt.verify(password, SCRYPT_DECOY_HASH)
  await burnBcryptCheck(password, bcryptCost)
  return false
}

/**
 * After a wrong password against `storedHash`, does the work of a failed login that the check
 * did not do. Against a bcrypt hash made at a lower cost than BCRYPT_COST (moved from the old
 * service), that is the missing bcrypt work: it doubles with each cost step, and
 * 2^low + 2^low + 2^(low+1) + ... + 2^(cost-1) = 2^cost. Against a scrypt hash, it is the bcrypt
 * check; and under scrypt, after a bcrypt hash, the scrypt check.
 */
export async function topUpPasswordCheck(
  password: string,
  storedHash: string,
  policy: PasswordPolicy,
): Promise<void> {
  const { passwordAlgorithm, bcryptCost } = policyOf(policy)
  const checkedScrypt = isScrypt(storedHash)
  const low = bcrypt.costOf(storedHash)
  if (low === undefined) await burnBcryptCheck(password, bcryptCost)
  else for (let step = low; step < bcryptCost; step += 1) await burnBcryptCheck(password, step)
  if (passwordAlgorithm === 'scrypt' && !checkedScrypt) {
    await scrypt.verify(password, SCRYPT_DECOY_HASH)
  }
}
