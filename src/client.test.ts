import { exports } from 'cloudflare:workers'
import { createClient } from 'edge-user-api/client'
import { describe, expect, it } from 'vitest'
import { freshAddress, STRONG_PASSWORD, uniqueEmail } from '../test/support/api'

// The typed client against the Worker's own fetch handler, in workerd, as a caller would use it.
const address = freshAddress()
const client = createClient('https://api.example.com', {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    request.headers.set('cf-connecting-ip', address)
    return exports.default.fetch(request)
  },
})

describe('the typed client (edge-user-api/client)', () => {
  it('registers, logs in and reads /me', async () => {
    const email = uniqueEmail('client')
    const registered = await client.v1.users.$post({
      json: { name: 'Client Ada', email, password: STRONG_PASSWORD },
    })
    expect(registered.status).toBe(201)
    const { data: user } = await registered.json()
    expect(user.email).toBe(email)

    const login = await client.v1.users.login.$post({ json: { email, password: STRONG_PASSWORD } })
    expect(login.status).toBe(200)
    const { data: tokens } = await login.json()

    const me = await client.v1.users.me.$get(
      {},
      { headers: { Authorization: `Bearer ${tokens.token}` } },
    )
    expect(me.status).toBe(200)
    if (me.status !== 200) return
    expect((await me.json()).data).toMatchObject({ userId: user.userId, email })
  })

  it('gives back the contract envelope on a failure', async () => {
    const login = await client.v1.users.login.$post({
      json: { email: uniqueEmail('nobody'), password: 'Wrong-Pass-1' },
    })
    expect(login.status).toBe(401)
    expect(await login.json()).toMatchObject({ success: false, code: 'invalid_credentials' })
  })
})
