/**
 * The links in emails, followed from the local mailbox `npm run dev` starts beside the app:
 * a forgotten password reset, an email verified (the "Unverified" badge goes), and links that
 * no longer work.
 */
import assert from 'node:assert/strict'
import { clientAddress, gone, hasText, type TestCase, visible } from '../harness'
import {
  assertFieldError,
  assertNoHorizontalScroll,
  assertNoTokenInAddress,
  createAccount,
  e2e,
  followMailLink,
  freshEmail,
  heading,
  logInThroughForm,
  loginHeading,
  notice,
  PASSWORD,
  profileHeading,
  responseTo,
  withApp,
  withLoginForm,
} from '../support'

const RESET_SUBJECT = 'Reset your password'
const VERIFY_SUBJECT = 'Confirm your email address'
const USED_LINK = 'This link was already used or has expired.'

/** Asks for a reset link through the API, as another device would. */
async function requestReset(email: string): Promise<void> {
  const response = await fetch(`${e2e.baseUrl}/v1/auth/password-reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'CF-Connecting-IP': clientAddress() },
    body: JSON.stringify({ email }),
  })
  assert.equal(response.status, 202, await response.text())
}

export const emailLinkJourneys: TestCase[] = [
  {
    name: 'forgot password: the link from the mailbox sets a new password, which logs in',
    run: async () => {
      const who = await createAccount('forgot', 'Katherine Johnson')
      const newPassword = 'Recovered-Pass-3'
      await withLoginForm(async (app) => {
        const { page } = app
        // The email typed on the log-in form comes along to "Forgot password?".
        await page.locator('#login-form').getByLabel('Email').fill(who.email)
        await page.getByRole('link', { name: 'Forgot password?' }).click()
        await visible(heading(app, 'Forgot your password?'))
        const forgot = page.locator('#forgot-form')
        assert.equal(await forgot.getByLabel('Email').inputValue(), who.email)
        const asked = responseTo(page, '/v1/auth/password-reset', 'POST')
        await page.getByRole('button', { name: 'Send reset link', exact: true }).click()
        assert.equal((await asked).status(), 202)
        // The neutral answer: the same whether or not the account exists.
        await hasText(page.locator('#forgot-form-status'), 'If an account has this email')
        await app.screenshot('forgot-password')

        const link = await followMailLink(app, who.email, RESET_SUBJECT, { screenshot: 'mailbox' })
        assert.match(link, /#reset-password\?token=/)
        await visible(heading(app, 'Choose a new password'))
        assertNoTokenInAddress(app)
        const form = page.locator('#reset-form')
        const newField = form.getByLabel('New password', { exact: true })
        const confirmField = form.getByLabel('Confirm new password')
        const submit = page.getByRole('button', { name: 'Change password', exact: true })

        // Checked in the browser first: the two must match.
        await newField.fill(newPassword)
        await confirmField.fill(`${newPassword}!`)
        await submit.click()
        await assertFieldError(app, '#reset-confirm', 'The two passwords do not match.')

        // The API's rules: a weak password is refused next to its field, and the link stays good.
        app.expectHttpError('/v1/auth/password-reset/confirm', 422)
        await newField.fill('no-upper-case-1')
        await confirmField.fill('no-upper-case-1')
        await submit.click()
        await assertFieldError(app, '#reset-password', 'Must contain an upper-case letter.')
        await app.screenshot('reset-password')

        await newField.fill(newPassword)
        await confirmField.fill(newPassword)
        const confirmed = responseTo(page, '/v1/auth/password-reset/confirm', 'POST')
        await submit.click()
        assert.equal((await confirmed).status(), 204)
        // "Password changed, log in": the log-in form, its email empty.
        await visible(loginHeading(app))
        await hasText(notice(app), 'Password changed. Log in with your new password.')
        assert.equal(await page.locator('#login-form').getByLabel('Email').inputValue(), '')
        await app.screenshot('reset-done')

        // The old password is gone; the new one logs in.
        app.expectHttpError('/v1/users/login', 401)
        await logInThroughForm(app, who.email, who.password)
        await visible(page.locator('#login-form-error:not(:empty)'))
        await logInThroughForm(app, who.email, newPassword)
        await visible(profileHeading(app))

        // Back to the mailbox and forward again: the history entry holds no token either.
        await page.goBack()
        await visible(page.getByRole('heading', { level: 1, name: 'Local mailbox' }))
        await page.goForward()
        assertNoTokenInAddress(app)
        await visible(profileHeading(app))
      })
    },
  },
  {
    name: 'register, then the verification link from the mailbox: the Unverified badge goes',
    run: () =>
      withLoginForm(async (app) => {
        const { page } = app
        const email = freshEmail('verify')
        await page.getByRole('link', { name: 'Create an account' }).click()
        const register = page.locator('#register-form')
        await register.getByLabel('Name').fill('Dorothy Vaughan')
        await register.getByLabel('Email').fill(email)
        await register.getByLabel('Password').fill(PASSWORD)
        await page.getByRole('button', { name: 'Create account', exact: true }).click()
        await visible(profileHeading(app))
        const badge = page.locator('#profile-unverified')
        await hasText(badge, 'Unverified')

        // Send the link again: 202, then at once once more: 429, and how long to wait.
        const resend = page.getByRole('button', { name: 'Send the link again' })
        await resend.click()
        await hasText(page.locator('#verify-resend-status'), 'Sent.')
        app.expectHttpError('/v1/users/me/verification-email', 429)
        const refused = responseTo(page, '/v1/users/me/verification-email', 'POST')
        await resend.click()
        const wait = Number((await refused).headers()['retry-after'])
        assert.equal((await refused).status(), 429)
        assert.ok(wait > 0 && wait <= 60, `Retry-After ${wait}`)
        await hasText(page.locator('#verify-resend-status'), 'Please wait')
        await app.screenshot('profile-unverified')

        // The newest message carries the newest link (it replaced the registration's).
        await followMailLink(app, email, VERIFY_SUBJECT)
        await visible(heading(app, 'Email verified'))
        assertNoTokenInAddress(app)
        await hasText(page.locator('#verify-text'), `${email} is confirmed.`)
        await app.screenshot('verify-email')
        await page.getByRole('button', { name: 'Continue to your profile' }).click()
        await visible(profileHeading(app))
        await gone(badge)
        await gone(page.getByRole('button', { name: 'Send the link again' }))
        // The server says so too.
        await page.reload()
        await visible(profileHeading(app))
        await hasText(page.locator('#profile-email'), email)
        assert.equal(await badge.isVisible(), false, 'no Unverified badge after a reload')
      }),
  },
  {
    name: 'a used or broken link says so clearly, on a phone-sized screen',
    run: async () => {
      const who = await createAccount('used-link', 'Mary Jackson')
      await withApp(
        async (app) => {
          const { page } = app
          app.expectHttpError('/v1/auth/verify-email', 400)
          app.expectHttpError('/v1/auth/password-reset/confirm', 400)

          // The verification link works once, signed out...
          const link = await followMailLink(app, who.email, VERIFY_SUBJECT)
          await visible(heading(app, 'Email verified'))
          await hasText(page.locator('#verify-text'), 'Log in to continue.')
          await assertNoHorizontalScroll(app, 'email verified')
          // ...and not twice: a message and a way on, not an error page.
          const used = responseTo(page, '/v1/auth/verify-email', 'POST')
          await page.goto(link)
          assert.equal((await used).status(), 400)
          await visible(heading(app, 'This link no longer works'))
          await hasText(page.locator('#verify-text'), `${USED_LINK} Sign in and ask for a new one.`)
          assertNoTokenInAddress(app)
          await assertNoHorizontalScroll(app, 'used verification link')
          await app.screenshot('phone-verify-used-link')
          await page.getByRole('link', { name: 'Log in', exact: true }).click()
          await visible(loginHeading(app))

          // A link cut short on its way: no token at all.
          await page.goto(`${e2e.baseUrl}/app/#verify-email?token=`)
          await visible(heading(app, 'This link no longer works'))

          // A reset link, used once (here, through the API), then opened again.
          await requestReset(who.email)
          const resetLink = await followMailLink(app, who.email, RESET_SUBJECT)
          await visible(heading(app, 'Choose a new password'))
          await assertNoHorizontalScroll(app, 'reset form')
          const token = new URLSearchParams(resetLink.split('?')[1]).get('token')
          const spent = await fetch(`${e2e.baseUrl}/v1/auth/password-reset/confirm`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token, newPassword: 'Spent-Elsewhere-4' }),
          })
          assert.equal(spent.status, 204)
          const form = page.locator('#reset-form')
          await form.getByLabel('New password', { exact: true }).fill('Too-Late-Pass-5')
          await form.getByLabel('Confirm new password').fill('Too-Late-Pass-5')
          await page.getByRole('button', { name: 'Change password', exact: true }).click()
          await visible(heading(app, 'This link no longer works'))
          await hasText(page.locator('#reset-dead'), USED_LINK)
          await gone(form)
          await assertNoHorizontalScroll(app, 'used reset link')
          await app.screenshot('phone-reset-used-link')
          // The way on: ask for a new link.
          await page.getByRole('link', { name: 'Ask for a new link' }).click()
          await visible(heading(app, 'Forgot your password?'))
          await assertNoHorizontalScroll(app, 'forgot password')
          await app.screenshot('phone-forgot-password')
          await page.goto(`${e2e.baseUrl}/app/#login`)
          await logInThroughForm(app, who.email, 'Spent-Elsewhere-4')
          await visible(profileHeading(app))
        },
        { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
      )
    },
  },
]
