import { describe, expect, it, vi } from 'vitest'
import { apiWithSettings } from '../../test/support/api'

type LogLine = { level: string; message: string } & Record<string, unknown>

/** Every JSON line the app writes to the console while `run` runs. */
async function linesWritten(run: () => Promise<void>): Promise<LogLine[]> {
  const lines: string[] = []
  const keep = (line: unknown) => {
    lines.push(String(line))
  }
  const spies = [
    vi.spyOn(console, 'log').mockImplementation(keep),
    vi.spyOn(console, 'warn').mockImplementation(keep),
    vi.spyOn(console, 'error').mockImplementation(keep),
  ]
  try {
    await run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return lines.map((line) => JSON.parse(line) as LogLine)
}

const failedLogin = { email: 'nobody-here@example.com', password: 'Wrong-Pass-1' }

describe('the access log', () => {
  it('with LOG_LEVEL=debug, records the status the client got, a 500 from unusable settings included', async () => {
    const lines = await linesWritten(async () => {
      const call = await apiWithSettings({ JWT_SECRET: 'too-short-secret', LOG_LEVEL: 'debug' })
      const res = await call('/v1/users/me', { headers: { 'x-request-id': 'trace-from-client' } })
      expect(res.status).toBe(500)
    })
    expect(lines.find((line) => line.message === 'request')).toMatchObject({
      level: 'debug',
      status: 500,
      path: '/v1/users/me',
      clientRequestId: 'trace-from-client',
    })
  })

  it('by default writes no line per request, but keeps auth events and errors', async () => {
    const lines = await linesWritten(async () => {
      const call = await apiWithSettings({ LOG_LEVEL: '' })
      expect((await call('/v1/users/login', { method: 'POST', body: failedLogin })).status).toBe(
        401,
      )
      const broken = await apiWithSettings({ LOG_LEVEL: '', JWT_SECRET: 'too-short-secret' })
      expect((await broken('/v1/users/me')).status).toBe(500)
    })
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['info', 'login failed'],
      ['error', 'configuration is invalid'],
    ])
  })

  it('with LOG_LEVEL=warn keeps errors only', async () => {
    const lines = await linesWritten(async () => {
      const call = await apiWithSettings({ LOG_LEVEL: 'warn' })
      expect((await call('/v1/users/login', { method: 'POST', body: failedLogin })).status).toBe(
        401,
      )
      const broken = await apiWithSettings({ LOG_LEVEL: 'warn', JWT_SECRET: 'too-short-secret' })
      expect((await broken('/v1/users/me')).status).toBe(500)
    })
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['error', 'configuration is invalid'],
    ])
  })

  it('refuses an unknown LOG_LEVEL by name, and still logs the refusal', async () => {
    const lines = await linesWritten(async () => {
      const call = await apiWithSettings({ LOG_LEVEL: 'verbose' })
      const res = await call('/v1/users/me')
      expect(res.status).toBe(500)
      expect(res.text).not.toContain('verbose')
    })
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'configuration is invalid',
        settings: 'LOG_LEVEL',
      }),
    ])
  })
})
