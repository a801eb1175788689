import { describe, expect, it } from 'vitest'
import { api, freshAddress, STRONG_PASSWORD, sql, uniqueEmail } from '../../test/support/api'

type UserBody = { success: boolean; data: Record<string, unknown> }
type Failure = {
  success: false
  code: string
  message: string
  errors?: { field: string; message: string }[]
}

const register = (body: unknown, path = '/v1/users') =>
  api<UserBody & Failure>(path, { method: 'POST', body, address: freshAddress() })

const fieldsOf = (res: { body: Failure }) => (res.body.errors ?? []).map((error) => error.field)

describe('POST /v1/users', () => {
  it('creates a user: 201, Location, the user without any password', async () => {
    const email = uniqueEmail()
    const res = await register({ name: 'Ada Lovelace', email, password: STRONG_PASSWORD })
    expect(res.status).toBe(201)
    expect(res.body.success).toBe(true)
    const user = res.body.data
    expect(user).toEqual({
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Ada Lovelace',
      email,
      emailVerified: false,
      role: 'user',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    })
    expect(res.headers.get('location')).toBe(`/v1/users/${user.userId}`)
    expect(res.text).not.toMatch(/password/i)
  })

  it('stores a $2b$ bcrypt hash at the configured cost, never the password', async () => {
    const email = uniqueEmail()
    await register({ name: 'Hash Check', email, password: STRONG_PASSWORD })
    const [row] = await sql<{ password_hash: string }>(
      'select password_hash from users where email = $1',
      [email],
    )
    expect(row?.password_hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/)
    expect(row?.password_hash).not.toContain(STRONG_PASSWORD)
  })

  it('trims the email and stores it lower-case; trims the name', async () => {
    const email = uniqueEmail('MixedCase')
    const res = await register({
      name: '  Grace Hopper  ',
      email: `  ${email.toUpperCase()} `,
      password: STRONG_PASSWORD,
    })
    expect(res.status).toBe(201)
    expect(res.body.data.email).toBe(email.toLowerCase())
    expect(res.body.data.name).toBe('Grace Hopper')
  })

  it('answers 409 for an email that exists, in any case', async () => {
    const email = uniqueEmail()
    expect((await register({ name: 'First', email, password: STRONG_PASSWORD })).status).toBe(201)
    const again = await register({
      name: 'Second',
      email: email.toUpperCase(),
      password: STRONG_PASSWORD,
    })
    expect(again.status).toBe(409)
    expect(again.body).toMatchObject({ success: false, code: 'conflict' })
    expect(fieldsOf(again)).toEqual(['email'])
  })

  it('lets exactly one of 20 concurrent registrations of one email win; the rest get 409', async () => {
    const email = uniqueEmail('race')
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        register({ name: `Racer ${i}`, email, password: STRONG_PASSWORD }),
      ),
    )
    const statuses = results.map((res) => res.status).sort()
    expect(statuses.filter((status) => status === 201)).toHaveLength(1)
    expect(statuses.filter((status) => status === 409)).toHaveLength(19)
    const rows = await sql('select id from users where email = $1', [email])
    expect(rows).toHaveLength(1)
  })

  it.each([
    ['missing everything', {}, ['name', 'email', 'password']],
    [
      'a malformed email',
      { name: 'A', email: 'not-an-email', password: STRONG_PASSWORD },
      ['email'],
    ],
    [
      'an email over 255 chars',
      { name: 'A', email: `${'a'.repeat(250)}@example.com`, password: STRONG_PASSWORD },
      ['email'],
    ],
    [
      'a blank name',
      { name: '   ', email: 'blank@example.com', password: STRONG_PASSWORD },
      ['name'],
    ],
    [
      'a name over 100 chars',
      { name: 'n'.repeat(101), email: 'long@example.com', password: STRONG_PASSWORD },
      ['name'],
    ],
    [
      'a name with control characters',
      { name: 'bad\u0007name', email: 'ctl@example.com', password: STRONG_PASSWORD },
      ['name'],
    ],
    ['a short password', { name: 'A', email: 'short@example.com', password: 'Ab1' }, ['password']],
    [
      'a password with no upper-case letter',
      { name: 'A', email: 'up@example.com', password: 'lowercase1' },
      ['password'],
    ],
    [
      'a password with no lower-case letter',
      { name: 'A', email: 'low@example.com', password: 'UPPERCASE1' },
      ['password'],
    ],
    [
      'a password with no digit',
      { name: 'A', email: 'digit@example.com', password: 'NoDigitsHere' },
      ['password'],
    ],
    [
      'a password over 72 bytes',
      { name: 'A', email: 'long@example.com', password: `Aa1${'x'.repeat(70)}` },
      ['password'],
    ],
    ['wrong types', { name: 42, email: true, password: ['x'] }, ['name', 'email', 'password']],
  ])('refuses %s with 422 naming the fields', async (_, body, fields) => {
    const res = await register(body)
    expect(res.status).toBe(422)
    expect(res.body).toMatchObject({ success: false, code: 'validation_error' })
    expect([...new Set(fieldsOf(res))].sort()).toEqual([...fields].sort())
    for (const error of res.body.errors ?? []) expect(error.message).toMatch(/\w/)
  })

  it('says what type a field must be, and which fields are missing', async () => {
    const res = await register({ name: 42, email: 'typed@example.com' })
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'must be a string' },
        { field: 'password', message: 'is required' },
      ]),
    )
  })

  it('counts the 72-byte limit in bytes, not characters', async () => {
    // 24 three-byte characters are 72 bytes: allowed. One more byte is refused.
    const atLimit = `Aa1${'€'.repeat(23)}`
    expect(new TextEncoder().encode(atLimit).byteLength).toBe(72)
    const ok = await register({ name: 'Euro', email: uniqueEmail(), password: atLimit })
    expect(ok.status).toBe(201)
    const over = await register({ name: 'Euro', email: uniqueEmail(), password: `${atLimit}x` })
    expect(over.status).toBe(422)
    expect(fieldsOf(over)).toEqual(['password'])
  })

  it.each([['role'], ['userId'], ['passwordHash']])(
    'refuses the unknown field %s and creates nothing',
    async (field) => {
      const email = uniqueEmail()
      const res = await register({
        name: 'Sneaky',
        email,
        password: STRONG_PASSWORD,
        [field]: 'admin',
      })
      expect(res.status).toBe(422)
      expect(fieldsOf(res)).toEqual([field])
      expect(await sql('select 1 from users where email = $1', [email])).toHaveLength(0)
    },
  )

  it('refuses a body that is not an object', async () => {
    for (const body of [[], 'text', 42, null]) {
      const res = await register(body)
      expect(res.status).toBe(422)
      expect(res.body.code).toBe('validation_error')
    }
  })

  it('keeps the original service path POST /api/users/register', async () => {
    const email = uniqueEmail()
    const res = await register(
      { name: 'Legacy', email, password: STRONG_PASSWORD },
      '/api/users/register',
    )
    expect(res.status).toBe(201)
    expect(res.body.data.email).toBe(email)
  })
})
