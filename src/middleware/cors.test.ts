import { describe, expect, it } from 'vitest'
import { api } from '../../test/support/api'

const corsHeaders = (headers: Headers) =>
  [...headers.keys()].filter((name) => name.startsWith('access-control-'))

describe('CORS only where it applies', () => {
  it('gives a request without Origin no CORS headers, but Vary: Origin', async () => {
    const res = await api('/')
    expect(res.status).toBe(200)
    expect(corsHeaders(res.headers)).toEqual([])
    expect(res.headers.get('vary')).toBe('Origin')
  })

  it('answers the same route with Origin with its grant and Vary: Origin', async () => {
    const res = await api('/', { headers: { origin: 'https://app.example.com' } })
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(res.headers.get('vary')).toBe('Origin')
  })

  it('still answers a preflight that carries no Origin, as before', async () => {
    const res = await api('/v1/users/me', { method: 'OPTIONS' })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-methods')).toContain('GET')
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })
})
