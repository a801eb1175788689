/**
 * Where the session lives between page loads: the refresh cookie, never web storage; tabs
 * that take turns with it; logging out; and the cookie of earlier versions.
 */
import assert from 'node:assert/strict'
import { gone, hasText, type TestCase, visible } from '../harness'
import {
  account,
  logInThroughForm,
  loginHeading,
  notice,
  profileHeading,
  REFRESH_COOKIE,
  responseTo,
  withApp,
  withLoginForm,
} from '../support'

export const refreshCookieJourneys: TestCase[] = [
  {
    name: 'a reload keeps the session; no token in web storage or readable cookies',
    run: async () => {
      const member = await account('member')
      await withLoginForm(async (app) => {
        const { page } = app
        const answer = responseTo(page, '/v1/users/login')
        await logInThroughForm(app, member.email, member.password)
        const login = (await (await answer).json()) as {
          data: { token: string; refreshToken?: string }
        }
        assert.ok(login.data.token, 'the login answer carries an access token')
        assert.equal(
          login.data.refreshToken,
          undefined,
          'in cookie mode the refresh token must not be in the login answer',
        )
        await visible(profileHeading(app))

        const reloadRefresh = responseTo(page, '/v1/auth/refresh')
        await page.reload()
        await visible(profileHeading(app))
        await hasText(page.locator('#profile-email'), member.email)

        // No helper functions inside: tsx would wrap them in a `__name` call the page lacks.
        const exposed = await page.evaluate(() => {
          const entries: string[][] = [[], []]
          const stores = [localStorage, sessionStorage]
          for (let store = 0; store < stores.length; store++) {
            const storage = stores[store] as Storage
            for (let index = 0; index < storage.length; index++) {
              const key = storage.key(index) ?? ''
              entries[store]?.push(`${key}=${storage.getItem(key)}`)
            }
          }
          return {
            local: entries[0]?.join('\n') ?? '',
            session: entries[1]?.join('\n') ?? '',
            cookie: document.cookie,
            windowKeys: Object.keys(window).join(','),
          }
        })
        const refreshed = await reloadRefresh
        assert.equal(refreshed.status(), 200, 'the reload continued the session')
        const { data } = (await refreshed.json()) as { data: { token: string } }
        const tokens = [login.data.token, data.token]
        for (const [where, text] of Object.entries(exposed)) {
          for (const token of tokens) {
            assert.ok(!text.includes(token), `an access token is readable in ${where}`)
          }
          assert.ok(!/eyJ[\w-]+\.[\w-]+\./.test(text), `a JWT is readable in ${where}`)
        }
        assert.equal(exposed.local, '', 'localStorage is empty')
        assert.equal(exposed.session, '', 'sessionStorage is empty')
        assert.ok(!exposed.cookie.includes('refresh_token'), 'the refresh cookie is readable')
        const cookies = await app.context.cookies()
        const refresh = cookies.find((cookie) => cookie.name === REFRESH_COOKIE)
        assert.ok(refresh, 'the API set the refresh cookie')
        assert.equal(refresh.httpOnly, true, 'the refresh cookie is HttpOnly')
        assert.equal(refresh.secure, true, 'the refresh cookie is Secure')
        assert.equal(refresh.sameSite, 'Strict')
        assert.equal(refresh.path, '/')
      })
    },
  },
  {
    name: 'two tabs of one session reloading at the same moment both stay signed in',
    run: async () => {
      const member = await account('member')
      await withLoginForm(async (app) => {
        const { page } = app
        await logInThroughForm(app, member.email, member.password)
        await visible(profileHeading(app))
        // A second tab shares the cookie jar: the API spends the refresh token on every use, so
        // two refreshes at once would race unless the tabs take turns.
        const second = await app.context.newPage()
        const secondErrors: string[] = []
        second.on('pageerror', (error) => secondErrors.push(error.message))
        await second.goto(new URL('/app/', app.baseUrl).href)
        await second.getByRole('heading', { name: 'Your profile' }).waitFor({ state: 'visible' })
        await Promise.all([page.reload(), second.reload()])
        await visible(profileHeading(app))
        await second.getByRole('heading', { name: 'Your profile' }).waitFor({ state: 'visible' })
        await hasText(second.locator('#profile-email'), member.email)
        assert.deepEqual(secondErrors, [], 'the second tab reported no page errors')
      })
    },
  },
  {
    name: 'logging out clears the session: a reload shows the log-in form',
    run: async () => {
      const member = await account('member')
      await withLoginForm(async (app) => {
        const { page } = app
        await logInThroughForm(app, member.email, member.password)
        await visible(profileHeading(app))
        const logout = responseTo(page, '/v1/auth/logout')
        await page.getByRole('button', { name: 'Log out', exact: true }).click()
        await visible(loginHeading(app))
        await hasText(notice(app), 'You have been logged out.')
        const request = (await logout).request()
        assert.equal((await logout).status(), 204)
        assert.equal(
          await request.headerValue('x-refresh-token-transport'),
          'cookie',
          'logging out sends cookie transport, so the API ends and clears the cookie',
        )
        const cookies = await app.context.cookies()
        assert.equal(
          cookies.find((cookie) => cookie.name === REFRESH_COOKIE),
          undefined,
          'the refresh cookie is cleared',
        )
        await page.reload()
        await visible(loginHeading(app))
        await gone(profileHeading(app))
      })
    },
  },
  {
    name: 'a browser holding only the old refresh cookie gets the log-in form, not an error',
    run: () =>
      withApp(async (app) => {
        const { page } = app
        // What an earlier version of the app left: unprefixed, scoped to /v1/auth.
        await app.context.addCookies([
          {
            name: 'refresh_token',
            value: 'a'.repeat(43),
            domain: new URL(app.baseUrl).hostname,
            path: '/v1/auth',
            httpOnly: true,
            secure: true,
            sameSite: 'Strict',
          },
        ])
        const before = await app.context.cookies()
        assert.ok(
          before.some((cookie) => cookie.name === 'refresh_token'),
          'the old cookie is in place before the visit',
        )
        const refreshed = responseTo(page, '/v1/auth/refresh')
        await app.goto()
        assert.equal((await refreshed).status(), 401)
        const setCookies = await (await refreshed).headerValues('set-cookie')
        assert.ok(
          setCookies.some((line) => /^refresh_token=;.*Max-Age=0.*Path=\/v1\/auth\b/i.test(line)),
          `the 401 deletes the old cookie: ${JSON.stringify(setCookies)}`,
        )
        await visible(loginHeading(app))
        await gone(page.locator('#view-loading'))
        assert.equal((await notice(app).textContent())?.trim(), '', 'no error notice')
        assert.equal((await page.locator('#login-form-error').textContent())?.trim(), '')
        const after = await app.context.cookies()
        assert.equal(
          after.find((cookie) => cookie.name === 'refresh_token'),
          undefined,
          'the API deleted the old cookie',
        )
        await app.screenshot('old-cookie-login')
      }),
  },
]
