import { describe, expect, it } from 'vitest'
import { isDatabaseUnavailable, isUniqueViolation, pgErrorCode } from './errors'

const neonError = (message: string, fields: Record<string, string> = {}) =>
  Object.assign(new Error(message), { name: 'NeonDbError', ...fields })
const wrapped = (cause: unknown) =>
  Object.assign(new Error('Failed query: ...'), { name: 'DrizzleQueryError', cause })

describe('isUniqueViolation', () => {
  it('finds the constraint in the driver error drizzle wraps', () => {
    const error = wrapped(
      neonError('duplicate key', { code: '23505', constraint: 'users_email_unique' }),
    )
    expect(isUniqueViolation(error, 'users_email_unique')).toBe(true)
    expect(isUniqueViolation(error, 'another_constraint')).toBe(false)
    expect(
      isUniqueViolation(
        wrapped(neonError('x', { code: '23503', constraint: 'users_email_unique' })),
        'users_email_unique',
      ),
    ).toBe(false)
    expect(isUniqueViolation(new Error('plain'), 'users_email_unique')).toBe(false)
  })
})

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'a failed connection',
      wrapped(neonError('Error connecting to database: TypeError: fetch failed')),
    ],
    ['a 5xx from the endpoint', wrapped(neonError('Server error (HTTP status 503): unavailable'))],
    ['SQLSTATE 08006', wrapped(neonError('connection failure', { code: '08006' }))],
    ['SQLSTATE 53300 (too many connections)', wrapped(neonError('too many', { code: '53300' }))],
    ['SQLSTATE 57P01 (admin shutdown)', wrapped(neonError('terminating', { code: '57P01' }))],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true)
  })

  it.each([
    ['a unique violation', wrapped(neonError('duplicate', { code: '23505' }))],
    ['a syntax error', wrapped(neonError('syntax', { code: '42601' }))],
    ['a 4xx from the endpoint', wrapped(neonError('Server error (HTTP status 404): nope'))],
    ['an unrelated error', new TypeError('undefined is not a function')],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false)
  })
})

describe('pgErrorCode', () => {
  it('reads the SQLSTATE whether drizzle wrapped the driver error or not (batches are not wrapped)', () => {
    expect(pgErrorCode(wrapped(neonError('bad encoding', { code: '22021' })))).toBe('22021')
    expect(pgErrorCode(neonError('bad encoding', { code: '22021' }))).toBe('22021')
    expect(pgErrorCode(new Error('no code'))).toBeUndefined()
    expect(pgErrorCode(Object.assign(new Error('odd'), { code: 'ECONNRESET' }))).toBeUndefined()
  })
})
