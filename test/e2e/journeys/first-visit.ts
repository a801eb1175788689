/** The first visit: headers and no inline code, the signed-out views, the dark scheme. */
import assert from 'node:assert/strict'
import { hasText, type TestCase, visible } from '../harness'
import { loginHeading, registerHeading, withApp } from '../support'

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

export const firstVisitJourneys: TestCase[] = [
  {
    name: 'the app is served with its Content-Security-Policy and no inline code',
    run: () =>
      withApp(async (app) => {
        const response = await app.goto('/app/')
        assert.ok(response, 'no response for /app/')
        assert.equal(response.status(), 200)
        const headers = response.headers()
        assert.equal(headers['content-security-policy'], EXPECTED_CSP)
        assert.equal(headers['x-content-type-options'], 'nosniff')
        assert.equal(headers['referrer-policy'], 'no-referrer')
        const html = await response.text()
        assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, 'inline <script>')
        assert.doesNotMatch(html, /<style|\sstyle=/i, 'inline style')
        assert.doesNotMatch(html, /https?:\/\//i, 'an absolute URL (external request)')
        await visible(loginHeading(app))
      }),
  },
  {
    name: 'signed out: the log-in form, and the create-account form one link away',
    run: () =>
      withApp(async (app) => {
        // Hold the first refresh back to see the loading state.
        let release = () => {}
        const held = new Promise<void>((resolve) => {
          release = resolve
        })
        await app.page.route('**/v1/auth/refresh', async (route) => {
          await held
          await route.continue()
        })
        await app.goto()
        await hasText(app.page.locator('#view-loading'), 'Checking your session')
        await app.screenshot('loading')
        release()
        await visible(loginHeading(app))
        await app.page.unroute('**/v1/auth/refresh')
        await visible(app.page.getByRole('button', { name: 'Log in', exact: true }))
        await app.screenshot('login')
        await app.page.getByRole('link', { name: 'Create an account' }).click()
        await visible(registerHeading(app))
        await visible(app.page.getByRole('button', { name: 'Create account', exact: true }))
        await app.screenshot('register')
        await app.page.getByRole('link', { name: 'Log in instead' }).click()
        await visible(loginHeading(app))
      }),
  },
]

/** Last in the run, as before the split. */
export const darkSchemeJourneys: TestCase[] = [
  {
    name: 'dark colour scheme renders (screenshot)',
    run: () =>
      withApp(
        async (app) => {
          await app.goto()
          await visible(loginHeading(app))
          await app.screenshot('dark-login')
        },
        { colorScheme: 'dark' },
      ),
  },
]
