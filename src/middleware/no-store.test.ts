import { describe, expect, it } from 'vitest'
import { api } from '../../test/support/api'

describe('Cache-Control: no-store on failures too', () => {
  it.each([
    ['a refused token', '/v1/users/me', 401],
    ['an unknown route under /v1', '/v1/nothing-here', 404],
    ['a legacy alias without a token', '/api/users/me', 401],
  ])('is on %s', async (_, path, status) => {
    const res = await api(path, { token: 'not.a.token' })
    expect(res.status).toBe(status)
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('is on a body refused by its media type, with a CORS grant beside it', async () => {
    const res = await api('/v1/users/login', {
      method: 'POST',
      raw: 'email=a',
      headers: { 'content-type': 'text/plain', origin: 'https://app.example.com' },
    })
    expect(res.status).toBe(415)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
  })

  it('is not on answers outside /v1 and /api', async () => {
    expect((await api('/')).headers.get('cache-control')).toBeNull()
  })
})
