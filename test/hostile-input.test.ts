import { describe, expect, it } from 'vitest'
import { api, forgeToken, freshAddress, makeAdmin, registerUser, sql } from './support/api'

const LEAKS =
  /stack|at\s+\S+\s+\(|select |insert |update |delete from|NeonDbError|DrizzleQueryError|postgres|syntax error|JWT_SECRET/i

function expectNoLeak(res: { status: number; text: string }) {
  expect(res.status).toBeLessThan(500)
  expect(res.text).not.toMatch(LEAKS)
}

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  "admin@example.com' --",
  `\${jndi:ldap://x}`,
  '<script>alert(1)</script>',
  '\u0000',
  '%00',
  '../../etc/passwd',
]

describe('hostile input never gets a 5xx, a leak or a change it should not make', () => {
  it('survives injection strings in every field of register and login', async () => {
    for (const value of INJECTIONS) {
      const address = freshAddress()
      for (const body of [
        { name: value, email: value, password: value },
        { name: 'Ok Name', email: `${value}@example.com`, password: 'Sturdy-Pass-42' },
      ]) {
        expectNoLeak(await api('/v1/users', { method: 'POST', body, address }))
      }
      expectNoLeak(
        await api('/v1/users/login', {
          method: 'POST',
          body: { email: value, password: value },
          address,
        }),
      )
    }
    // Other tests register users meanwhile, so a count proves nothing; none of these payloads
    // may have made one.
    const hostile = await sql(
      `select 1 from users where name like '%<script>%' or email like '%''%'`,
    )
    expect(hostile).toHaveLength(0)
  })

  it('refuses a NUL character in a name instead of failing in the database', async () => {
    const res = await api('/v1/users', {
      method: 'POST',
      body: { name: 'nul\u0000name', email: 'nul@example.com', password: 'Sturdy-Pass-42' },
      address: freshAddress(),
    })
    expect(res.status).toBe(422)
  })

  it('refuses a NUL in the OAuth2 username with 422', async () => {
    const res = await api('/v1/auth/token', {
      method: 'POST',
      raw: 'username=a%00b%40example.com&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      address: freshAddress(),
    })
    expect(res.status).toBe(422)
    expectNoLeak(res)
  })

  it('refuses lone UTF-16 surrogates instead of storing U+FFFD', async () => {
    const res = await api('/v1/users', {
      method: 'POST',
      raw: '{"name":"a\\ud800","email":"surrogate@example.com","password":"Sturdy-Pass-42"}',
      headers: { 'content-type': 'application/json' },
      address: freshAddress(),
    })
    expect(res.status).toBe(422)
    expect(await sql(`select 1 from users where email = 'surrogate@example.com'`)).toHaveLength(0)
  })

  it('survives injection strings in path, query and cursor', async () => {
    const admin = await makeAdmin(await registerUser())
    for (const value of INJECTIONS) {
      const encoded = encodeURIComponent(value)
      expectNoLeak(await api(`/v1/users/${encoded}`, { token: admin.token }))
      expectNoLeak(await api(`/v1/users?q=${encoded}`, { token: admin.token }))
      expectNoLeak(await api(`/v1/users?cursor=${encoded}`, { token: admin.token }))
      expectNoLeak(await api(`/v1/users?limit=${encoded}`, { token: admin.token }))
    }
  })

  it('survives deeply nested and oddly typed JSON', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`
    const bodies = [
      deep,
      `{"name":${deep}}`,
      '{"name":{"$gt":""},"email":{"$ne":null},"password":[]}',
      '{"name":1e309,"email":-0,"password":true}',
      '{"__proto__":{"role":"admin"},"name":"Proto","email":"proto@example.com","password":"Sturdy-Pass-42"}',
      '{"constructor":{"prototype":{"role":"admin"}}}',
      '"just a string"',
      'null',
    ]
    for (const raw of bodies) {
      const res = await api('/v1/users', {
        method: 'POST',
        raw,
        headers: { 'content-type': 'application/json' },
        address: freshAddress(),
      })
      expectNoLeak(res)
      expect([400, 413, 422]).toContain(res.status)
    }
    expect(await sql(`select 1 from users where email = 'proto@example.com'`)).toHaveLength(0)
  })

  it('survives invalid UTF-8 and control characters', async () => {
    const invalidUtf8 = new Uint8Array([
      0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d,
    ])
    const res = await api('/v1/users', {
      method: 'POST',
      raw: invalidUtf8,
      headers: { 'content-type': 'application/json' },
      address: freshAddress(),
    })
    expectNoLeak(res)
    const control = await api('/v1/users/login', {
      method: 'POST',
      body: { email: 'a\u0001\u001b[31m@example.com', password: '\u0007\u0008' },
      address: freshAddress(),
    })
    expectNoLeak(control)
  })

  it('survives forged and garbage tokens', async () => {
    const user = await registerUser()
    const garbage = [
      'a.b.c',
      `${'x'.repeat(4000)}`,
      await forgeToken({ sub: "' or 1=1 --", ver: 0 }),
      await forgeToken({
        sub: 'not-a-uuid',
        userId: 'not-a-uuid',
        email: user.email,
        role: 'admin',
        ver: 0,
        iat: 1,
        exp: 4_102_444_800,
        iss: 'user-api',
        aud: 'user-api',
        jti: 'x',
      }),
    ]
    for (const token of garbage) {
      const res = await api('/v1/users/me', { token })
      expect(res.status).toBe(401)
      expectNoLeak(res)
    }
  })

  it('does not let an injection string in an update change anybody else', async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    const res = await api('/v1/users/me', {
      method: 'PATCH',
      token: user.token,
      body: { name: `x', email = '${other.email}` },
    })
    expect(res.status).toBe(200)
    const [row] = await sql<{ email: string }>('select email from users where id = $1', [
      other.userId,
    ])
    expect(row?.email).toBe(other.email)
  })
})
