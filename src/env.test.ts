import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, logLevelOf } from './env'
import { JWT_SECRET_PLACEHOLDER } from './lib/jwt-secret'

const valid = { ...env }

describe('loadConfig', () => {
  it('reads the defaults of the contract', () => {
    const config = loadConfig({
      ...valid,
      ACCESS_TOKEN_TTL: '',
      REFRESH_TOKEN_TTL: '',
      BCRYPT_COST: '',
      PASSWORD_HASH: '',
      CORS_ORIGINS: '',
    })
    expect(config.accessTokenTtlSeconds).toBe(24 * 3600)
    expect(config.refreshTokenTtlSeconds).toBe(30 * 86_400)
    expect(config.bcryptCost).toBe(12)
    expect(config.passwordAlgorithm).toBe('bcrypt')
    expect(config.corsOrigins).toEqual([])
  })

  it('parses durations, costs and origin lists', () => {
    const config = loadConfig({
      ...valid,
      ACCESS_TOKEN_TTL: '15m',
      REFRESH_TOKEN_TTL: '7d',
      BCRYPT_COST: '10',
      PASSWORD_HASH: ' scrypt ',
      CORS_ORIGINS: 'https://a.example.com/, https://b.example.com',
    })
    expect(config.accessTokenTtlSeconds).toBe(900)
    expect(config.refreshTokenTtlSeconds).toBe(7 * 86_400)
    expect(config.bcryptCost).toBe(10)
    expect(config.passwordAlgorithm).toBe('scrypt')
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
    ['a PASSWORD_HASH of another algorithm', { PASSWORD_HASH: 'argon2id' }, 'PASSWORD_HASH'],
    ['a PASSWORD_HASH in capitals', { PASSWORD_HASH: 'SCRYPT' }, 'PASSWORD_HASH'],
    ['a malformed ACCESS_TOKEN_TTL', { ACCESS_TOKEN_TTL: '1 day' }, 'ACCESS_TOKEN_TTL'],
    ['a zero REFRESH_TOKEN_TTL', { REFRESH_TOKEN_TTL: '0d' }, 'REFRESH_TOKEN_TTL'],
    ['a malformed SESSION_MAX_AGE', { SESSION_MAX_AGE: '90 days' }, 'SESSION_MAX_AGE'],
    [
      'the placeholder JWT_SECRET of .dev.vars.example',
      { JWT_SECRET: JWT_SECRET_PLACEHOLDER },
      'JWT_SECRET',
    ],
    [
      'a NEON_FETCH_ENDPOINT on another host',
      { NEON_FETCH_ENDPOINT: 'https://sql.example.com/sql' },
      'NEON_FETCH_ENDPOINT',
    ],
    [
      'a NEON_FETCH_ENDPOINT on a private network',
      { NEON_FETCH_ENDPOINT: 'http://10.0.0.7:4444/sql' },
      'NEON_FETCH_ENDPOINT',
    ],
    ['an unknown LOG_LEVEL', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [
      'LOG_LEVEL=error (warnings and errors are always logged)',
      { LOG_LEVEL: 'error' },
      'LOG_LEVEL',
    ],
    [
      'a NEON_FETCH_ENDPOINT that only starts like loopback',
      { NEON_FETCH_ENDPOINT: 'http://127.0.0.1.example.com/sql' },
      'NEON_FETCH_ENDPOINT',
    ],
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

  it.each(['http://127.0.0.1:4444/sql', 'http://localhost:1/sql', 'http://[::1]:5/sql'])(
    'accepts a loopback NEON_FETCH_ENDPOINT: %s',
    (endpoint) => {
      expect(loadConfig({ ...valid, NEON_FETCH_ENDPOINT: endpoint }).neonFetchEndpoint).toBe(
        endpoint,
      )
    },
  )

  it('reads SESSION_MAX_AGE, 90 days by default', () => {
    expect(loadConfig({ ...valid, SESSION_MAX_AGE: '' }).sessionMaxAgeSeconds).toBe(90 * 86_400)
    expect(loadConfig({ ...valid, SESSION_MAX_AGE: '12h' }).sessionMaxAgeSeconds).toBe(12 * 3600)
  })

  it('reads LOG_LEVEL, info by default', () => {
    expect(loadConfig({ ...valid, LOG_LEVEL: '' }).logLevel).toBe('info')
    expect(loadConfig({ ...valid, LOG_LEVEL: ' debug ' }).logLevel).toBe('debug')
    expect(loadConfig({ ...valid, LOG_LEVEL: 'warn' }).logLevel).toBe('warn')
  })
})

describe('logLevelOf', () => {
  it('reads LOG_LEVEL alone, so a broken setting elsewhere keeps its level', () => {
    expect(logLevelOf({ ...valid, JWT_SECRET: 'short', LOG_LEVEL: 'debug' })).toBe('debug')
  })

  it('falls back to info for a missing or unusable value (loadConfig refuses the latter)', () => {
    expect(logLevelOf({ ...valid, LOG_LEVEL: '' })).toBe('info')
    expect(logLevelOf({ ...valid, LOG_LEVEL: 'verbose' })).toBe('info')
  })

  it('is read once per bindings object', () => {
    const bindings = { ...valid, LOG_LEVEL: 'warn' }
    expect(logLevelOf(bindings)).toBe('warn')
    bindings.LOG_LEVEL = 'debug'
    expect(logLevelOf(bindings)).toBe('warn')
  })
})
