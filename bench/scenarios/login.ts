/**
 * Logins: a success, and the three ways to get a 401 that must cost the same bcrypt work (an
 * unknown email, a wrong password, a wrong password against a hash from the old service at a
 * lower cost, topped up to the configured one).
 *
 * Throttles: every request comes from a /64 of its own, so neither the per-address
 * LOGIN_LIMITER nor the failures per network ever apply; each wrong-password run tries each
 * account of its pool at most once (see seed.ts), far from the failures per email and network
 * (5) and per email (100). So every 401 is a bcrypt check, and a 429 would be counted as an
 * unexpected answer.
 */
import type { Scenario } from '../measure'
import { type AccountPool, hashesNotAtCost, type NeonLocal, seedAccountPool } from '../seed'
import { LEGACY_COST, PASSWORD, WRONG_PASSWORD } from '../settings'

const PATH = '/v1/users/login'

export interface LoginSeeds {
  /** Registered through the API, with PASSWORD. */
  emails: string[]
  /** Hashes at the bench's cost. */
  wrong: AccountPool
  /** Hashes at `legacyCost`; undefined when the bench's cost has no lower one. */
  legacy: { pool: AccountPool; cost: number } | undefined
}

/** The old service's cost for the legacy accounts: below the bench's, and bcrypt's least is 4. */
export const legacyCostFor = (bcryptCost: number): number | undefined =>
  bcryptCost > 4 ? Math.max(4, Math.min(LEGACY_COST, bcryptCost - 1)) : undefined

export async function seedLoginPools(
  local: NeonLocal,
  runTag: string,
  bcryptCost: number,
): Promise<Omit<LoginSeeds, 'emails'>> {
  const wrong = await seedAccountPool(local, {
    prefix: `wrong.${runTag}.`,
    name: 'Bench Wrong',
    cost: bcryptCost,
  })
  const legacyCost = legacyCostFor(bcryptCost)
  const legacy =
    legacyCost === undefined
      ? undefined
      : {
          pool: await seedAccountPool(local, {
            prefix: `legacy.${runTag}.`,
            name: 'Bench Legacy',
            cost: legacyCost,
          }),
          cost: legacyCost,
        }
  return { wrong, legacy }
}

/** Fails when a legacy hash moved: only a right password may rehash it. */
export async function checkLegacyHashes(local: NeonLocal, seeds: LoginSeeds): Promise<void> {
  if (!seeds.legacy) return
  const moved = await hashesNotAtCost(local, seeds.legacy.pool, seeds.legacy.cost)
  if (moved !== 0) {
    throw new Error(`${moved} legacy hashes are no longer at cost ${seeds.legacy.cost}`)
  }
}

export function loginScenarios(connections: number, seeds: LoginSeeds): Scenario[] {
  const login = (name: string, body: Scenario['body'], expectedStatus: number): Scenario => ({
    name,
    method: 'POST',
    path: PATH,
    body,
    freshAddress: true,
    expectedStatus,
    connections,
  })
  const wrongPassword = (pool: AccountPool) =>
    ({ kind: 'login-wrong-password', ...pool, offset: 0, password: WRONG_PASSWORD }) as const
  const scenarios = [
    login('login', { kind: 'login', emails: seeds.emails, password: PASSWORD }, 200),
    login('login, unknown email', { kind: 'login-unknown', password: PASSWORD }, 401),
    login('login, wrong password', wrongPassword(seeds.wrong), 401),
  ]
  if (seeds.legacy) {
    scenarios.push(
      login('login, wrong password, legacy-cost hash', wrongPassword(seeds.legacy.pool), 401),
    )
  }
  return scenarios
}
