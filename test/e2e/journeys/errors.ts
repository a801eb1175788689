/** What goes wrong shows where it belongs: API messages, field errors, limits, outages. */
import assert from 'node:assert/strict'
import type { Route } from 'playwright-core'
import { gone, hasText, type TestCase, visible } from '../harness'
import {
  account,
  assertFieldError,
  freshEmail,
  logInThroughForm,
  loginHeading,
  profileHeading,
  registerHeading,
  responseTo,
  withApp,
  withLoginForm,
} from '../support'

export const loginErrorJourneys: TestCase[] = [
  {
    name: 'a wrong password shows the API message',
    run: async () => {
      const member = await account('member')
      await withLoginForm(async (app) => {
        const { page } = app
        app.expectHttpError('/v1/users/login', 401)
        const answer = responseTo(page, '/v1/users/login')
        await logInThroughForm(app, member.email, 'Not-The-Password-9')
        const response = await answer
        assert.equal(response.status(), 401)
        const { message } = (await response.json()) as { message: string }
        await hasText(page.locator('#login-form-error'), message)
        await visible(loginHeading(app))
        // The button is usable again and the password can be corrected.
        const button = page.getByRole('button', { name: 'Log in', exact: true })
        assert.equal(await button.isEnabled(), true)
        await logInThroughForm(app, member.email, member.password)
        await visible(profileHeading(app))
      })
    },
  },
  {
    name: 'field errors appear next to their fields (weak password, taken email)',
    run: async () => {
      const taken = await account('taken')
      const member = await account('member')
      await withApp(async (app) => {
        const { page } = app
        await app.goto('/app/#register')
        await visible(registerHeading(app))
        const register = page.locator('#register-form')
        await register.getByLabel('Name').fill('Weak Password')
        await register.getByLabel('Email').fill(freshEmail('weak'))
        await register.getByLabel('Password').fill('onlylowercase')
        app.expectHttpError('/v1/users', 422)
        await page.getByRole('button', { name: 'Create account', exact: true }).click()
        await assertFieldError(app, '#register-password', 'Must contain an upper-case letter.')
        await hasText(page.locator('#register-password-error'), 'Must contain a digit.')
        await visible(registerHeading(app))
        await app.screenshot('register-errors')
        // Typing in the field clears its error.
        await register.getByLabel('Password').fill('Better-Pass-3')
        await gone(page.locator('#register-password-error'))

        // Edit: a blank name (422), then an email that belongs to someone else (409).
        await page.getByRole('link', { name: 'Log in instead' }).click()
        await visible(loginHeading(app))
        await logInThroughForm(app, member.email, member.password)
        await visible(profileHeading(app))
        const edit = page.locator('#profile-form')
        await edit.getByLabel('Name').fill('   ')
        app.expectHttpError('/v1/users/me', 422)
        await page.getByRole('button', { name: 'Save', exact: true }).click()
        await assertFieldError(app, '#profile-name-input', 'Must not be blank.')
        await edit.getByLabel('Name').fill(member.name)
        await edit.getByLabel('Email').fill(taken.email)
        // A new email needs the current password; with the right one, the API says it is taken.
        await edit.getByLabel('Current password').fill(member.password)
        app.expectHttpError('/v1/users/me', 409)
        await page.getByRole('button', { name: 'Save', exact: true }).click()
        await assertFieldError(
          app,
          '#profile-email-input',
          'An account with this email already exists.',
        )
        await app.screenshot('edit-errors')
        // Nothing changed on the profile.
        await hasText(page.locator('#profile-email'), member.email)

        // A wrong current password on the password form.
        const change = page.locator('#password-form')
        await change.getByLabel('Current password').fill('Wrong-Current-1')
        await change.getByLabel('New password').fill('Whatever-Pass-4')
        app.expectHttpError('/v1/users/me/password', 422)
        await page.getByRole('button', { name: 'Change password', exact: true }).click()
        await assertFieldError(app, '#password-current', 'Is not your current password.')
        await hasText(page.locator('#password-form-error'), 'The current password is not correct')
      })
    },
  },
]

export const transportErrorJourneys: TestCase[] = [
  {
    name: 'rate limits, server errors and a dropped connection get friendly messages',
    run: async () => {
      await withLoginForm(async (app) => {
        const { page } = app
        const json = (route: Route, status: number, body: object, headers = {}) =>
          route.fulfill({
            status,
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify({ success: false, ...body }),
          })
        let release = () => {}
        const held = new Promise<void>((resolve) => {
          release = resolve
        })
        const answers = [
          // Held back first, to see the busy state; then the API's 429.
          async (route: Route) => {
            await held
            await json(
              route,
              429,
              { message: 'Too many failed logins; try again later', code: 'rate_limited' },
              { 'retry-after': '120' },
            )
          },
          (route: Route) =>
            json(route, 500, { message: 'Internal server error', code: 'internal_error' }),
          (route: Route) => route.abort('internetdisconnected'),
        ]
        let call = 0
        await page.route(
          '**/v1/users/login',
          (route) => answers[call++]?.(route) ?? route.continue(),
        )
        app.expectHttpError('/v1/users/login', 429)
        app.expectHttpError('/v1/users/login', 500)
        app.expectHttpError('/v1/users/login', 'net::ERR_INTERNET_DISCONNECTED')
        const alert = page.locator('#login-form-error')
        await logInThroughForm(app, 'someone@example.com', 'Some-Pass-1')
        const busy = page.locator('#login-form button[type="submit"]')
        await hasText(busy, 'Logging in…')
        assert.equal(await busy.isDisabled(), true, 'the button is disabled while busy')
        assert.equal(await page.locator('#login-form').getAttribute('aria-busy'), 'true')
        await app.screenshot('login-busy')
        // A second Enter while busy sends nothing.
        await page.locator('#login-password').press('Enter')
        release()
        await hasText(alert, 'Too many failed logins; try again later. Please wait 2 minutes.')
        await app.screenshot('login-rate-limited')
        await page.getByRole('button', { name: 'Log in', exact: true }).click()
        await hasText(alert, 'Something went wrong on our side. Please try again in a moment.')
        await page.getByRole('button', { name: 'Log in', exact: true }).click()
        await hasText(alert, 'We could not reach the server.')
        assert.equal(call, 3, 'one request per submission, none while busy')
      })
    },
  },
  {
    name: 'a 401 from an API call refreshes the session once and retries the call',
    run: async () => {
      const member = await account('member')
      await withLoginForm(async (app) => {
        const { page } = app
        await logInThroughForm(app, member.email, member.password)
        await visible(profileHeading(app))
        // The first PATCH is answered as if the access token had expired.
        let patches = 0
        await page.route('**/v1/users/me', async (route) => {
          if (route.request().method() === 'PATCH' && patches++ === 0) {
            await route.fulfill({
              status: 401,
              headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
              body: JSON.stringify({
                success: false,
                message: 'The access token is not valid',
                code: 'unauthorized',
              }),
            })
            return
          }
          await route.continue()
        })
        app.expectHttpError('/v1/users/me', 401)
        const refreshed = responseTo(page, '/v1/auth/refresh')
        await page.locator('#profile-form').getByLabel('Name').fill('Hedy Kiesler')
        await page.getByRole('button', { name: 'Save', exact: true }).click()
        assert.equal((await refreshed).status(), 200)
        await hasText(page.locator('#profile-form-status'), 'Your profile has been saved.')
        await hasText(page.locator('#profile-name'), 'Hedy Kiesler')
        assert.equal(patches, 2, 'the call was retried exactly once')
      })
    },
  },
]
