import { describe, expect, it } from 'vitest'
import { api, freshAddress, registerUser } from '../../test/support/api'

const COOKIE_MODE = { 'x-refresh-token-transport': 'cookie' }
const COOKIE = '__Host-refresh_token'

type Session = { data: { token: string; refreshToken?: string; user: { userId: string } } }

const cookieOf = (headers: Headers) => {
  const setCookie = headers.get('set-cookie') ?? ''
  return { header: setCookie, value: /__Host-refresh_token=([^;]*)/.exec(setCookie)?.[1] }
}

async function logInWithCookie() {
  const user = await registerUser()
  const res = await api<Session>('/v1/users/login', {
    method: 'POST',
    body: { email: user.email, password: user.password },
    headers: COOKIE_MODE,
    address: freshAddress(),
  })
  return { user, res, cookie: cookieOf(res.headers) }
}

const refreshWithCookie = (cookie: string) =>
  api<Session & { code: string }>('/v1/auth/refresh', {
    method: 'POST',
    headers: { ...COOKIE_MODE, cookie },
    address: freshAddress(),
  })

describe('refresh token in a cookie, for the browser app', () => {
  it('login sets a __Host- cookie (HttpOnly, Secure, SameSite=Strict, Path=/, no Domain) and leaves the token out of the body', async () => {
    const { res, cookie } = await logInWithCookie()
    expect(res.status).toBe(200)
    expect(res.body.data.refreshToken).toBeUndefined()
    expect(res.body.data.token).toBeTruthy()
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43,}$/)
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Max-Age=2592000']) {
      expect(cookie.header).toContain(attribute)
    }
    expect(cookie.header).toMatch(/; Path=\/(;|$)/)
    expect(cookie.header).not.toMatch(/Domain=/i)
  })

  it('refresh reads the cookie, rotates it, and the spent cookie no longer works', async () => {
    const { cookie } = await logInWithCookie()
    const first = await refreshWithCookie(`${COOKIE}=${cookie.value}`)
    expect(first.status).toBe(200)
    expect(first.body.data.refreshToken).toBeUndefined()
    const next = cookieOf(first.headers).value
    expect(next).toBeTruthy()
    expect(next).not.toBe(cookie.value)
    const replay = await refreshWithCookie(`${COOKIE}=${cookie.value}`)
    expect(replay.status).toBe(401)
    // Left alone: in a browser the loser of two tabs racing must not wipe the winner's cookie.
    expect(replay.headers.get('set-cookie')).toBeNull()
  })

  it('ignores the cookie unless the app asks for cookie transport', async () => {
    const { cookie } = await logInWithCookie()
    const res = await api('/v1/auth/refresh', {
      method: 'POST',
      headers: { cookie: `${COOKIE}=${cookie.value}` },
      address: freshAddress(),
    })
    expect(res.status).toBe(422)
  })

  it('answers 401 to a cookie-mode refresh with no cookie', async () => {
    const res = await api<{ code: string }>('/v1/auth/refresh', {
      method: 'POST',
      headers: COOKIE_MODE,
    })
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('unauthorized')
  })

  it('never reads an unprefixed cookie, which a sibling subdomain could plant, and removes it', async () => {
    // A valid refresh token of another account, as a planted or pre-upgrade cookie.
    const { cookie: planted } = await logInWithCookie()
    const res = await refreshWithCookie(`refresh_token=${planted.value}`)
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('unauthorized')
    // The browser is asked to log in again, and the old cookie goes.
    expect(res.headers.get('set-cookie')).toMatch(/^refresh_token=;.*Max-Age=0.*Path=\/v1\/auth/)
    // Beside a real __Host- cookie, the planted one changes nothing either.
    const { cookie: own, user } = await logInWithCookie()
    const both = await refreshWithCookie(`refresh_token=${planted.value}; ${COOKIE}=${own.value}`)
    expect(both.status).toBe(200)
    expect(both.body.data.user.userId).toBe(user.userId)
  })

  it("logout ends the cookie's session and clears the cookie", async () => {
    const { res, cookie } = await logInWithCookie()
    const out = await api('/v1/auth/logout', {
      method: 'POST',
      token: res.body.data.token,
      headers: { ...COOKIE_MODE, cookie: `${COOKIE}=${cookie.value}` },
    })
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-refresh_token=;.*Max-Age=0.*Path=\//)
    expect((await refreshWithCookie(`${COOKIE}=${cookie.value}`)).status).toBe(401)
  })

  it('logout reads the cookie: a cookie of another session of the caller ends that one too', async () => {
    const { user, cookie } = await logInWithCookie()
    // A second login of the same account, whose access token does the logout.
    const other = await api<Session>('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: user.password },
      address: freshAddress(),
    })
    const out = await api('/v1/auth/logout', {
      method: 'POST',
      token: other.body.data.token,
      headers: { ...COOKIE_MODE, cookie: `${COOKIE}=${cookie.value}` },
    })
    expect(out.status).toBe(204)
    expect((await refreshWithCookie(`${COOKIE}=${cookie.value}`)).status).toBe(401)
  })

  it('"sign out everywhere else" neither reads nor clears the app\'s own cookie', async () => {
    const { user, res, cookie } = await logInWithCookie()
    const elsewhere = await api<Session>('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: user.password },
      address: freshAddress(),
    })
    const out = await api('/v1/auth/logout', {
      method: 'POST',
      token: res.body.data.token,
      body: { scope: 'others' },
      headers: { ...COOKIE_MODE, cookie: `${COOKIE}=${cookie.value}` },
    })
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toBeNull()
    expect((await api('/v1/users/me', { token: elsewhere.body.data.token })).status).toBe(401)
    expect((await api('/v1/users/me', { token: res.body.data.token })).status).toBe(200)
    expect((await refreshWithCookie(`${COOKIE}=${cookie.value}`)).status).toBe(200)
  })
})
