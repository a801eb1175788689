import { describe, expect, it, vi } from 'vitest'
import { apiWithSettings } from '../../test/support/api'

describe('the access log', () => {
  it('records the status the client got, a 500 from unusable settings included', async () => {
    const lines: string[] = []
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line))
    })
    try {
      const call = await apiWithSettings({ JWT_SECRET: 'too-short-secret' })
      const res = await call('/v1/users/me', { headers: { 'x-request-id': 'trace-from-client' } })
      expect(res.status).toBe(500)
    } finally {
      spy.mockRestore()
    }
    const access = lines
      .map((line) => JSON.parse(line))
      .find((entry) => entry.message === 'request')
    expect(access).toMatchObject({
      status: 500,
      path: '/v1/users/me',
      clientRequestId: 'trace-from-client',
    })
  })
})
