import { neonConfig } from '@neondatabase/serverless'
import { describe, expect, it } from 'vitest'
import { api, makeAdmin, registerUser, STRONG_PASSWORD, uniqueEmail } from '../test/support/api'

describe('GET /', () => {
  it('answers the service status in the envelope', async () => {
    const res = await api('/')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      success: true,
      status: 'ok',
      message: 'User Management API is running',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    })
  })
})

describe('GET /health', () => {
  it('makes a database round trip and reports ok', async () => {
    const res = await api<{ status: string; data: { database: string } }>('/health')
    expect(res.status).toBe(200)
    expect(res.body.status).toBe('ok')
    expect(res.body.data.database).toBe('ok')
    expect(res.headers.get('cache-control')).toBe('no-store')
  })
})

describe('Cache-Control: no-store', () => {
  it('is on every answer that carries a token or user data', async () => {
    const admin = await makeAdmin(await registerUser())
    const login = await api<{ data: { refreshToken: string } }>('/v1/users/login', {
      method: 'POST',
      body: { email: admin.email, password: admin.password },
    })
    const answers = {
      login,
      legacyLogin: await api('/api/users/login', {
        method: 'POST',
        body: { email: admin.email, password: admin.password },
      }),
      refresh: await api('/v1/auth/refresh', {
        method: 'POST',
        body: { refreshToken: login.body.data.refreshToken },
      }),
      me: await api('/v1/users/me', { token: admin.token }),
      legacyMe: await api('/api/users/me', { token: admin.token }),
      list: await api('/v1/users?limit=1', { token: admin.token }),
      byId: await api(`/v1/users/${admin.userId}`, { token: admin.token }),
      update: await api('/v1/users/me', {
        method: 'PATCH',
        token: admin.token,
        body: { name: 'N' },
      }),
      sessions: await api('/v1/auth/sessions', { token: admin.token }),
      register: await api('/v1/users', {
        method: 'POST',
        body: { name: 'Cached', email: uniqueEmail(), password: STRONG_PASSWORD },
      }),
    }
    for (const [name, res] of Object.entries(answers)) {
      expect(res.status, name).toBeLessThan(300)
      expect(res.headers.get('cache-control'), name).toBe('no-store')
    }
  })
})

describe('unknown routes and methods', () => {
  it('answers 404 in the envelope for an unknown path', async () => {
    const res = await api('/v1/nothing-here')
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ success: false, code: 'not_found', message: 'No such route' })
  })

  it('answers 405 with Allow for a known path and another method', async () => {
    const res = await api('/v1/users/me', { method: 'POST', body: {} })
    expect(res.status).toBe(405)
    expect(res.body).toMatchObject({ success: false, code: 'method_not_allowed' })
    const allow = res.headers.get('allow') ?? ''
    for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) expect(allow).toContain(method)
  })

  it('answers 405 for a parameterised path', async () => {
    const res = await api(`/v1/users/${crypto.randomUUID()}`, { method: 'POST', body: {} })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toContain('DELETE')
  })
})

describe('request ids', () => {
  it('puts a request id on every response, success or failure', async () => {
    const ok = await api('/')
    const missing = await api('/nope')
    expect(ok.headers.get('x-request-id')).toMatch(/.{8,}/)
    expect(missing.headers.get('x-request-id')).toMatch(/.{8,}/)
    expect(ok.headers.get('x-request-id')).not.toBe(missing.headers.get('x-request-id'))
  })

  it('answers the id the server made, never one the client chose', async () => {
    const res = await api('/', { headers: { 'x-request-id': 'client-trace-123' } })
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('secure headers', () => {
  it('sends the usual hardening headers', async () => {
    const res = await api('/')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('strict-transport-security')).toContain('max-age=')
    expect(res.headers.get('x-frame-options')).toBeTruthy()
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  })
})

describe('CORS', () => {
  it('allows a configured origin, with a preflight', async () => {
    const res = await api('/v1/users/me', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'authorization',
    )
  })

  it('gives no CORS grant to an origin that is not configured', async () => {
    const res = await api('/', { headers: { origin: 'https://evil.example.net' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('exposes Retry-After and Location to browser clients', async () => {
    const res = await api('/', { headers: { origin: 'https://app.example.com' } })
    const exposed = res.headers.get('access-control-expose-headers') ?? ''
    expect(exposed).toContain('Retry-After')
    expect(exposed).toContain('Location')
  })
})

describe('request bodies', () => {
  it('refuses a body over 16 KiB with 413 and changes nothing', async () => {
    const email = `big.${crypto.randomUUID()}@example.com`
    const res = await api('/v1/users', {
      method: 'POST',
      body: { name: 'x'.repeat(17 * 1024), email, password: 'Sturdy-Pass-42' },
    })
    expect(res.status).toBe(413)
    expect(res.body).toMatchObject({ success: false, code: 'payload_too_large' })
    const login = await api('/v1/users/login', {
      method: 'POST',
      body: { email, password: 'Sturdy-Pass-42' },
    })
    expect(login.status).toBe(401)
  })

  it('accepts a JSON body just under 16 KiB, and refuses one just over', async () => {
    const sized = (bytes: number, email: string) => {
      const json = JSON.stringify({ name: 'Padded', email, password: 'Sturdy-Pass-42' })
      // JSON allows any amount of whitespace: the body grows, the value does not.
      return `${json.slice(0, -1)}${' '.repeat(bytes - json.length)}}`
    }
    const limit = 16 * 1024
    const under = await api('/v1/users', {
      method: 'POST',
      raw: sized(limit, uniqueEmail('padded')),
      headers: { 'content-type': 'application/json' },
    })
    expect(under.status).toBe(201)
    const over = await api('/v1/users', {
      method: 'POST',
      raw: sized(limit + 1, uniqueEmail('padded')),
      headers: { 'content-type': 'application/json' },
    })
    expect(over.status).toBe(413)
  })

  it('refuses malformed JSON with 400 invalid_json', async () => {
    const res = await api('/v1/users', {
      method: 'POST',
      raw: '{"name": "x",',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      success: false,
      code: 'invalid_json',
      message: 'The request body is not valid JSON',
    })
  })

  it('refuses a body that is not JSON with 415', async () => {
    const res = await api('/v1/users', {
      method: 'POST',
      raw: 'name=x&email=y',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(res.status).toBe(415)
    expect(res.body).toMatchObject({ success: false, code: 'unsupported_media_type' })
  })

  it('accepts application/json with a charset', async () => {
    const res = await api('/v1/users/login', {
      method: 'POST',
      raw: JSON.stringify({ email: 'nobody@example.com', password: 'x' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    })
    expect(res.status).toBe(401)
  })
})

describe('responses never leak internals', () => {
  it('never returns a password or hash in any user payload', async () => {
    const user = await registerUser()
    const me = await api('/v1/users/me', { token: user.token })
    expect(me.text).not.toMatch(/password|\$2[aby]\$/i)
  })
})

describe('failures of the platform', () => {
  const callWith = async (
    overrides: Record<string, string>,
    path: string,
    init: RequestInit = {},
  ) => {
    const { env, createExecutionContext } = await import('cloudflare:test')
    const { createApp } = await import('./app')
    const response = await createApp().fetch(
      new Request(`https://api.example.com${path}`, init),
      { ...env, ...overrides },
      createExecutionContext(),
    )
    return { status: response.status, headers: response.headers, text: await response.text() }
  }

  it('answers 503 service_unavailable when the database cannot be reached', async () => {
    // Port 9 (discard) on loopback: nothing listens there, so every query fails to connect.
    const down = { NEON_FETCH_ENDPOINT: 'http://127.0.0.1:9/sql' }
    // The driver's endpoint is global to the isolate: put it back for the tests that follow.
    const workingEndpoint = neonConfig.fetchEndpoint
    try {
      const health = await callWith(down, '/health')
      expect(health.status).toBe(503)
      expect(JSON.parse(health.text)).toMatchObject({
        success: false,
        code: 'service_unavailable',
      })
      const register = await callWith(down, '/v1/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': '203.0.113.250' },
        body: JSON.stringify({
          name: 'Down',
          email: 'down@example.com',
          password: 'Sturdy-Pass-42',
        }),
      })
      expect(register.status).toBe(503)
      expect(register.headers.get('retry-after')).toBe('5')
      expect(register.text).not.toMatch(/127\.0\.0\.1|fetch|connect/i)
    } finally {
      neonConfig.fetchEndpoint = workingEndpoint
    }
    expect((await api('/health')).status).toBe(200)
  })

  it('answers 500 without details when the secret is unusable, and never shows it', async () => {
    const res = await callWith({ JWT_SECRET: 'too-short-secret' }, '/v1/users/me')
    expect(res.status).toBe(500)
    expect(JSON.parse(res.text)).toEqual({
      success: false,
      code: 'internal_error',
      message: 'The service is misconfigured',
    })
    expect(res.text).not.toContain('too-short-secret')
  })
})
