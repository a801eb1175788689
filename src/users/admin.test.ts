import { beforeAll, describe, expect, it } from 'vitest'
import {
  api,
  freshAddress,
  makeAdmin,
  type RegisteredUser,
  registerUser,
  sql,
} from '../../test/support/api'

type Page = {
  data: { items: { userId: string; email: string; name: string }[]; nextCursor: string | null }
}
type UserBody = { data: { userId: string; role: string; name: string; email: string } }
type Failure = { code: string; errors?: { field: string }[] }

let admin: RegisteredUser
beforeAll(async () => {
  admin = await makeAdmin(await registerUser({ name: 'The Admin' }))
})

describe('GET /v1/users (admin list)', () => {
  // A prefix of its own keeps this list apart from users other tests create meanwhile.
  const prefix = `pg${crypto.randomUUID().slice(0, 6)}`
  const emails: string[] = []
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      const user = await registerUser({ email: `${prefix}.${i}@example.com`, name: `Paged ${i}` })
      emails.push(user.email)
    }
  })

  it('pages through a prefix search with an opaque cursor, in email order, without gaps', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const query: string = `?q=${prefix}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const res: { status: number; body: Page } = await api<Page>(`/v1/users${query}`, {
        token: admin.token,
      })
      expect(res.status).toBe(200)
      expect(res.body.data.items.length).toBeLessThanOrEqual(2)
      seen.push(...res.body.data.items.map((item) => item.email))
      cursor = res.body.data.nextCursor
      pages += 1
    } while (cursor && pages < 10)
    expect(seen).toEqual([...emails].sort())
    expect(pages).toBe(3)
  })

  it('searches by name prefix, case-insensitively', async () => {
    const name = `Zed${crypto.randomUUID().slice(0, 6)}`
    const user = await registerUser({ name: `${name} Person` })
    const res = await api<Page>(`/v1/users?q=${name.toLowerCase()}`, { token: admin.token })
    expect(res.body.data.items.map((item) => item.userId)).toEqual([user.userId])
  })

  it('treats % and _ in q literally', async () => {
    const id = crypto.randomUUID().slice(0, 8)
    const literal = await registerUser({ name: `Lit${id}_x%y` })
    const lookalike = await registerUser({ name: `Lit${id}Qx-y` })
    const search = async (q: string) =>
      (
        await api<Page>(`/v1/users?q=${encodeURIComponent(q)}`, { token: admin.token })
      ).body.data.items.map((item) => item.userId)
    // Unescaped, `_` would match the Q and `%` anything: both users would be found.
    expect(await search(`lit${id}_`)).toEqual([literal.userId])
    expect(await search(`lit${id}_x%`)).toEqual([literal.userId])
    expect(await search(`lit${id}%`)).toEqual([])
    expect(lookalike.userId).not.toBe(literal.userId)
  })

  it('defaults to 20 items and refuses limits outside 1..100', async () => {
    const res = await api<Page>('/v1/users', { token: admin.token })
    expect(res.status).toBe(200)
    expect(res.body.data.items.length).toBeLessThanOrEqual(20)
    for (const limit of ['0', '101', 'ten', '2.5']) {
      const bad = await api<Failure>(`/v1/users?limit=${limit}`, { token: admin.token })
      expect(bad.status, limit).toBe(422)
      expect(bad.body.errors?.[0]?.field).toBe('limit')
    }
  })

  it('refuses a cursor it did not make', async () => {
    const res = await api<Failure>('/v1/users?cursor=%FF%FE', { token: admin.token })
    expect(res.status).toBe(422)
    expect(res.body.errors?.[0]?.field).toBe('cursor')
  })

  it('is for admins only: 403 for a user, 401 without a token', async () => {
    const user = await registerUser()
    expect((await api<Failure>('/v1/users', { token: user.token })).status).toBe(403)
    expect((await api('/v1/users')).status).toBe(401)
  })
})

describe('GET /v1/users/{userId}', () => {
  it('lets a user read themselves and an admin read anyone', async () => {
    const user = await registerUser()
    expect(
      (await api<UserBody>(`/v1/users/${user.userId}`, { token: user.token })).body.data.userId,
    ).toBe(user.userId)
    expect((await api<UserBody>(`/v1/users/${user.userId}`, { token: admin.token })).status).toBe(
      200,
    )
  })

  it('forbids reading another user', async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    const res = await api<Failure>(`/v1/users/${other.userId}`, { token: user.token })
    expect(res.status).toBe(403)
    expect(res.body.code).toBe('forbidden')
  })

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of [crypto.randomUUID(), 'not-a-uuid', "1' or '1'='1"]) {
      const res = await api<Failure>(`/v1/users/${encodeURIComponent(id)}`, { token: admin.token })
      expect(res.status, id).toBe(404)
      expect(res.body.code).toBe('not_found')
    }
  })
})

describe.each(['PATCH', 'PUT'])('%s /v1/users/{userId}', (method) => {
  it('lets a user update themselves but not set a role', async () => {
    const user = await registerUser()
    const ok = await api<UserBody>(`/v1/users/${user.userId}`, {
      method,
      token: user.token,
      body: { name: 'Self Edit' },
    })
    expect(ok.status).toBe(200)
    expect(ok.body.data.name).toBe('Self Edit')
    const role = await api<Failure>(`/v1/users/${user.userId}`, {
      method,
      token: user.token,
      body: { role: 'admin' },
    })
    expect(role.status).toBe(403)
    const [row] = await sql<{ role: string }>('select role from users where id = $1', [user.userId])
    expect(row?.role).toBe('user')
  })

  it('forbids a user to update someone else', async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    const res = await api(`/v1/users/${other.userId}`, {
      method,
      token: user.token,
      body: { name: 'Hijack' },
    })
    expect(res.status).toBe(403)
  })

  it('lets an admin set a role, which the promoted user has from their next login', async () => {
    const user = await registerUser()
    const res = await api<UserBody>(`/v1/users/${user.userId}`, {
      method,
      token: admin.token,
      body: { role: 'admin' },
    })
    expect(res.status).toBe(200)
    expect(res.body.data.role).toBe('admin')
    // A role change ends every session of the user: the old token is refused.
    expect((await api('/v1/users/me', { token: user.token })).status).toBe(401)
    const again = await api<{ data: { token: string } }>('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: user.password },
      address: freshAddress(),
    })
    expect((await api('/v1/users?limit=1', { token: again.body.data.token })).status).toBe(200)
  })

  it('refuses an unknown role and answers 404 for an unknown user', async () => {
    const user = await registerUser()
    const bad = await api(`/v1/users/${user.userId}`, {
      method,
      token: admin.token,
      body: { role: 'root' },
    })
    expect(bad.status).toBe(422)
    const missing = await api(`/v1/users/${crypto.randomUUID()}`, {
      method,
      token: admin.token,
      body: { name: 'Nobody' },
    })
    expect(missing.status).toBe(404)
  })

  it('answers 409 when an admin gives a user an email that is taken', async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    const res = await api(`/v1/users/${user.userId}`, {
      method,
      token: admin.token,
      body: { email: other.email },
    })
    expect(res.status).toBe(409)
  })
})

describe('DELETE /v1/users/{userId}', () => {
  it('lets an admin delete a user, audit-logged with actor, target, time and address', async () => {
    const user = await registerUser()
    const address = freshAddress()
    const res = await api(`/v1/users/${user.userId}`, {
      method: 'DELETE',
      token: admin.token,
      address,
    })
    expect(res.status).toBe(204)
    const audit = await sql<{ actor_id: string; client_address: string; created_at: string }>(
      'select actor_id, client_address, created_at from audit_log where target_id = $1',
      [user.userId],
    )
    expect(audit).toHaveLength(1)
    expect(audit[0]?.actor_id).toBe(admin.userId)
    expect(audit[0]?.client_address).toBe(address)
    expect(Date.now() - Date.parse(String(audit[0]?.created_at))).toBeLessThan(5 * 60_000)
    expect((await api(`/v1/users/${user.userId}`, { token: admin.token })).status).toBe(404)
  })

  it('lets a user delete themselves but nobody else', async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    expect(
      (
        await api(`/v1/users/${other.userId}`, {
          method: 'DELETE',
          token: user.token,
          body: { currentPassword: user.password },
        })
      ).status,
    ).toBe(403)
    expect(await sql('select 1 from users where id = $1', [other.userId])).toHaveLength(1)
    expect(
      (
        await api(`/v1/users/${user.userId}`, {
          method: 'DELETE',
          token: user.token,
          body: { currentPassword: user.password },
        })
      ).status,
    ).toBe(204)
  })

  it('answers 404 for an unknown user and writes no audit entry', async () => {
    const ghost = crypto.randomUUID()
    const res = await api(`/v1/users/${ghost}`, { method: 'DELETE', token: admin.token })
    expect(res.status).toBe(404)
    expect(await sql('select 1 from audit_log where target_id = $1', [ghost])).toHaveLength(0)
  })
})
