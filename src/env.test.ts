import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './env'

const valid = { ...env }

describe('loadConfig', () => {
  it('reads the defaults of the contract', () => {
    const config = loadConfig({
      ...valid,
      ACCESS_TOKEN_TTL: '',
      REFRESH_TOKEN_TTL: '',
      BCRYPT_COST: '',
      CORS_ORIGINS: '',
    })
    expect(config.accessTokenTtlSeconds).toBe(24 * 3600)
    expect(config.refreshTokenTtlSeconds).toBe(30 * 86_400)
    expect(config.bcryptCost).toBe(12)
    expect(config.corsOrigins).toEqual([])
  })

  it('parses durations, costs and origin lists', () => {
    const config = loadConfig({
      ...valid,
      ACCESS_TOKEN_TTL: '15m',
      REFRESH_TOKEN_TTL: '7d',
      BCRYPT_COST: '10',
      CORS_ORIGINS: 'https://a.example.com/, https://b.example.com',
    })
    expect(config.accessTokenTtlSeconds).toBe(900)
    expect(config.refreshTokenTtlSeconds).toBe(7 * 86_400)
    expect(config.bcryptCost).toBe(10)
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com'])
  })

  it('is parsed once per bindings object', () => {
    const bindings = { ...valid }
    expect(loadConfig(bindings)).toBe(loadConfig(bindings))
  })

  it.each([
    ['a missing JWT_SECRET', { JWT_SECRET: undefined }, 'JWT_SECRET'],
    ['a JWT_SECRET under 32 bytes', { JWT_SECRET: 'short-secret' }, 'JWT_SECRET'],
    ['a missing DATABASE_URL', { DATABASE_URL: undefined }, 'DATABASE_URL'],
    ['a DATABASE_URL that is not postgresql://', { DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    ['a BCRYPT_COST under 4', { BCRYPT_COST: '3' }, 'BCRYPT_COST'],
    ['a BCRYPT_COST over 15', { BCRYPT_COST: '16' }, 'BCRYPT_COST'],
    ['a malformed ACCESS_TOKEN_TTL', { ACCESS_TOKEN_TTL: '1 day' }, 'ACCESS_TOKEN_TTL'],
    ['a zero REFRESH_TOKEN_TTL', { REFRESH_TOKEN_TTL: '0d' }, 'REFRESH_TOKEN_TTL'],
  ])('refuses %s, naming the setting and not its value', (_, override, name) => {
    const bindings = { ...valid, ...override } as typeof env
    let caught: unknown
    try {
      loadConfig(bindings)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ConfigError)
    expect((caught as ConfigError).invalidSettings).toEqual([name])
    expect((caught as Error).message).not.toContain('short-secret')
  })
})
