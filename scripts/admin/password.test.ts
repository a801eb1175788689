/** The cost `npm run admin -- create` hashes at: the app's, wherever the app gets it from. */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../paths'
import { bcryptCost } from './password'

describe('bcryptCost', () => {
  it("is wrangler.toml's BCRYPT_COST, as wrangler itself reads it, when the environment has none", async () => {
    const { unstable_readConfig } = await import('wrangler')
    const config = unstable_readConfig({ config: path.join(repoRoot, 'wrangler.toml') })
    const configured = Number((config.vars as Record<string, unknown>).BCRYPT_COST)
    expect(configured).toBeGreaterThanOrEqual(4)
    expect(bcryptCost({})).toBe(configured)
  })

  it("is the environment's BCRYPT_COST when set, as `npm run dev` takes it", () => {
    expect(bcryptCost({ BCRYPT_COST: ' 7 ' })).toBe(7)
  })

  it.each(['3', '16', '10.5', 'twelve'])('refuses %s, as the app does: 4 to 15', (value) => {
    expect(() => bcryptCost({ BCRYPT_COST: value })).toThrow(/from 4 to 15/)
  })
})
