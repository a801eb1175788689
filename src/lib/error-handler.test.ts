import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../env'
import { handleError } from './error-handler'

// Database failures that no request of the suite can provoke on purpose (a deadlock, a value
// the database refuses after validation passed), shaped as the driver raises them and drizzle
// wraps them, through the app's one error handler.
const driverError = (code: string, message: string) =>
  Object.assign(new Error('Failed query: select secret_column from users where email = $1'), {
    name: 'DrizzleQueryError',
    cause: Object.assign(new Error(message), { name: 'NeonDbError', code }),
  })

async function answerTo(error: Error) {
  const app = new Hono<AppEnv>()
    .get('/fail', () => {
      throw error
    })
    .onError(handleError)
  const res = await app.request('/fail')
  return { status: res.status, headers: res.headers, text: await res.text() }
}

describe('the error handler, for database failures', () => {
  it.each([
    ['40P01', 'deadlock detected'],
    ['40001', 'could not serialize access due to concurrent update'],
  ])(
    'answers SQLSTATE %s with 503 and a short Retry-After: the same request can be sent again',
    async (code, message) => {
      const res = await answerTo(driverError(code, message))
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('1')
      expect(JSON.parse(res.text)).toEqual({
        success: false,
        code: 'service_unavailable',
        message: 'The request collided with another one; try again',
      })
    },
  )

  it('answers a data exception (class 22) with 422, as the client input is at fault', async () => {
    const res = await answerTo(driverError('22P05', 'unsupported Unicode escape sequence'))
    expect(res.status).toBe(422)
    expect(JSON.parse(res.text)).toMatchObject({ success: false, code: 'validation_error' })
  })

  it('answers anything else with a bare 500', async () => {
    const res = await answerTo(driverError('42P01', 'relation "users" does not exist'))
    expect(res.status).toBe(500)
    expect(JSON.parse(res.text)).toEqual({
      success: false,
      code: 'internal_error',
      message: 'Something went wrong',
    })
  })

  it.each([
    ['40P01', 'deadlock detected'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['42P01', 'relation "users" does not exist'],
  ])('never shows the SQL or the driver message (SQLSTATE %s)', async (code, message) => {
    const res = await answerTo(driverError(code, message))
    expect(res.text).not.toContain('secret_column')
    expect(res.text).not.toContain(message)
    expect(res.text).not.toContain(code)
  })
})
