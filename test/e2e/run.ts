/**
 * End-to-end journeys through the browser app at /app/: `npm run test:e2e`.
 *
 * Starts `npm run dev` on a free port (BCRYPT_COST=4), drives a headless Chromium from
 * /usr/bin/chromium (never downloaded; CHROMIUM_PATH overrides), saves screenshots to
 * test-results/e2e/, and always stops the dev server's whole process tree and the browser.
 * E2E_BASE_URL=http://127.0.0.1:8787 runs against a server that is already up instead.
 * Ends with "N passed, M failed"; exits 1 on any failure.
 */
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import type { Browser, Page, Response } from 'playwright-core'
import {
  AppPage,
  checkChromium,
  clientAddress,
  type DevServer,
  eventually,
  gone,
  hasText,
  launchBrowser,
  runTests,
  startDevServer,
  stopDevServers,
  type TestCase,
  visible,
} from './harness'

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

const runId = `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`
let emailCounter = 0
/** Emails unique to this run: the dev database persists between runs. */
const freshEmail = (label: string) => `e2e-${runId}-${label}-${++emailCounter}@example.com`
const PASSWORD = 'Journey-Pass-1'

let baseUrl = ''
let browser: Browser | undefined

type Account = { name: string; email: string; password: string }

/**
 * Registers through the API directly. Registration is limited per address (10 a minute); the
 * journeys share accounts where they can, and on a 429 this waits for Retry-After once.
 */
async function createAccount(label: string, name: string): Promise<Account> {
  const account = { name, email: freshEmail(label), password: PASSWORD }
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${baseUrl}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'CF-Connecting-IP': clientAddress() },
      body: JSON.stringify(account),
    })
    const text = await response.text()
    if (response.status === 429 && attempt === 0) {
      const wait = Math.min(Number(response.headers.get('retry-after')) || 60, 65)
      console.log(`[e2e] registration is rate-limited; waiting ${wait} s`)
      await new Promise((resolve) => setTimeout(resolve, wait * 1000))
      continue
    }
    assert.equal(response.status, 201, `registering ${account.email}: ${text}`)
    return account
  }
}

const shared = new Map<string, Promise<Account>>()
/** One account per label for the whole run, created on first use. */
function account(label: 'member' | 'taken'): Promise<Account> {
  let existing = shared.get(label)
  if (!existing) {
    existing = createAccount(label, label === 'member' ? 'Grace Hopper' : 'Margaret Hamilton')
    shared.set(label, existing)
  }
  return existing
}

async function openApp(options: Parameters<typeof AppPage.open>[2] = {}): Promise<AppPage> {
  assert.ok(browser)
  return AppPage.open(browser, baseUrl, options)
}

/** Runs `body` with a fresh page; closes it and checks the console whatever happens. */
async function withApp(
  body: (app: AppPage) => Promise<void>,
  options: Parameters<typeof AppPage.open>[2] = {},
): Promise<void> {
  const app = await openApp(options)
  try {
    await body(app)
    app.assertClean()
  } finally {
    await app.close()
  }
}

/** `withApp`, starting signed out on the log-in form, as most journeys do. */
function withLoginForm(
  body: (app: AppPage) => Promise<void>,
  options: Parameters<typeof AppPage.open>[2] = {},
): Promise<void> {
  return withApp(async (app) => {
    await app.goto()
    await visible(loginHeading(app))
    await body(app)
  }, options)
}

const loginHeading = (app: AppPage) =>
  app.page.getByRole('heading', { level: 1, name: 'Log in', exact: true })
const registerHeading = (app: AppPage) =>
  app.page.getByRole('heading', { level: 1, name: 'Create your account' })
const profileHeading = (app: AppPage) =>
  app.page.getByRole('heading', { level: 1, name: 'Your profile' })
const notice = (app: AppPage) => app.page.locator('#notice')

async function logInThroughForm(app: AppPage, email: string, password: string): Promise<void> {
  const form = app.page.locator('#login-form')
  await form.getByLabel('Email').fill(email)
  await form.getByLabel('Password').fill(password)
  await app.page.getByRole('button', { name: 'Log in', exact: true }).click()
}

/**
 * The next response from `path`. Marked as handled at once: when the test fails before it
 * awaits this, the rejection must not crash the run (and skip the clean-up).
 */
function responseTo(page: Page, path: string): Promise<Response> {
  const response = page.waitForResponse((candidate) => new URL(candidate.url()).pathname === path)
  response.catch(() => undefined)
  return response
}

/** The page is no wider than its viewport: nothing to scroll sideways. */
async function assertNoHorizontalScroll(app: AppPage, where: string): Promise<void> {
  const { scrollWidth, clientWidth } = await app.page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }))
  assert.ok(
    scrollWidth <= clientWidth,
    `${where}: the page is ${scrollWidth}px wide in a ${clientWidth}px viewport`,
  )
}

async function assertFieldError(
  app: AppPage,
  inputSelector: string,
  expected: string,
): Promise<void> {
  const input = app.page.locator(inputSelector)
  const errorId = `${inputSelector.slice(1)}-error`
  const error = app.page.locator(`#${errorId}`)
  await visible(error)
  await hasText(error, expected)
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `${inputSelector} aria-invalid`)
  const describedBy = (await input.getAttribute('aria-describedby')) ?? ''
  assert.ok(
    describedBy.split(/\s+/).includes(errorId),
    `${inputSelector} aria-describedby "${describedBy}" should name ${errorId}`,
  )
}

const tests: TestCase[] = [
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
  {
    name: 'the whole journey: create, edit, change password, log out, log in, delete',
    run: () =>
      withApp(async (app) => {
        const { page } = app
        const name = 'Ada Lovelace'
        const email = freshEmail('journey')
        await app.goto()
        await visible(loginHeading(app))
        await page.getByRole('link', { name: 'Create an account' }).click()
        await visible(registerHeading(app))
        const register = page.locator('#register-form')
        await register.getByLabel('Name').fill(name)
        await register.getByLabel('Email').fill(email.toUpperCase())
        await register.getByLabel('Password').fill(PASSWORD)
        await page.getByRole('button', { name: 'Create account', exact: true }).click()

        // Profile shown: name, email, role, member since.
        await visible(profileHeading(app))
        await hasText(page.locator('#profile-name'), name)
        await hasText(page.locator('#profile-email'), email)
        await hasText(page.locator('#profile-role'), 'User')
        await hasText(page.locator('#profile-since'), String(new Date().getUTCFullYear()))
        await hasText(notice(app), 'Your account is ready')
        await app.screenshot('profile')

        // Edit name and email.
        const newName = 'Ada King'
        const newEmail = freshEmail('journey-renamed')
        const edit = page.locator('#profile-form')
        await edit.getByLabel('Name').fill(newName)
        await edit.getByLabel('Email').fill(newEmail)
        await page.getByRole('button', { name: 'Save', exact: true }).click()
        await hasText(page.locator('#profile-form-status'), 'Your profile has been saved.')
        await hasText(page.locator('#profile-name'), newName)
        await app.screenshot('profile-saved')
        await hasText(page.locator('#profile-email'), newEmail)

        // Change the password: the app logs in again silently and stays signed in.
        const newPassword = 'Another-Pass-2'
        const change = page.locator('#password-form')
        await change.getByLabel('Current password').fill(PASSWORD)
        await change.getByLabel('New password').fill(newPassword)
        await page.getByRole('button', { name: 'Change password', exact: true }).click()
        await hasText(page.locator('#password-form-status'), 'Your password has been changed.')
        await visible(profileHeading(app))
        assert.equal(await change.getByLabel('New password').inputValue(), '')
        // ...and the session behind the new log-in survives a reload.
        await page.reload()
        await visible(profileHeading(app))
        await hasText(page.locator('#profile-email'), newEmail)

        // Log out, log in with the new password.
        await page.getByRole('button', { name: 'Log out', exact: true }).click()
        await visible(loginHeading(app))
        await hasText(notice(app), 'You have been logged out.')
        await logInThroughForm(app, newEmail, newPassword)
        await visible(profileHeading(app))
        await hasText(page.locator('#profile-name'), newName)

        // Delete, with a confirmation step.
        await page.getByRole('button', { name: 'Delete account', exact: true }).click()
        const dialog = page.getByRole('dialog', { name: 'Delete your account?' })
        await visible(dialog)
        await hasText(dialog, newEmail)
        await app.screenshot('delete-confirmation', { fullPage: false })
        await dialog.getByRole('button', { name: 'Cancel' }).click()
        await gone(dialog)
        await visible(profileHeading(app))
        await page.getByRole('button', { name: 'Delete account', exact: true }).click()
        await visible(dialog)
        await dialog.getByRole('button', { name: 'Yes, delete my account' }).click()
        await visible(loginHeading(app))
        await hasText(notice(app), 'Your account has been deleted.')

        // The deleted account cannot log in; the API's message is shown.
        app.expectHttpError('/v1/users/login', 401)
        const answer = responseTo(page, '/v1/users/login')
        await logInThroughForm(app, newEmail, newPassword)
        const body = (await (await answer).json()) as { message: string }
        assert.equal((await answer).status(), 401)
        await hasText(page.locator('#login-form-error'), body.message)
        await visible(loginHeading(app))

        // Nothing left to continue after a reload.
        await page.reload()
        await visible(loginHeading(app))
      }),
  },
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
        const refresh = cookies.find((cookie) => cookie.name === 'refresh_token')
        assert.ok(refresh, 'the API set the refresh cookie')
        assert.equal(refresh.httpOnly, true, 'the refresh cookie is HttpOnly')
        assert.equal(refresh.sameSite, 'Strict')
        assert.equal(refresh.path, '/v1/auth')
      })
    },
  },
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
        await page.getByRole('button', { name: 'Log out', exact: true }).click()
        await visible(loginHeading(app))
        await hasText(notice(app), 'You have been logged out.')
        const cookies = await app.context.cookies()
        assert.equal(
          cookies.find((cookie) => cookie.name === 'refresh_token'),
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
    name: 'keyboard only: tab to the fields, submit with Enter, focus is visible',
    run: async () => {
      const member = await account('member')
      await withLoginForm(async (app) => {
        const { page } = app
        const focused = () =>
          page.evaluate(() => {
            const element = document.activeElement as HTMLElement | null
            if (!element) return { id: '', text: '', outline: 'none', width: '0px' }
            const style = getComputedStyle(element)
            return {
              id: element.id,
              text: element.textContent?.trim() ?? '',
              outline: style.outlineStyle,
              width: style.outlineWidth,
            }
          })
        const order: string[] = []
        for (let presses = 0; presses < 10; presses++) {
          await page.keyboard.press('Tab')
          const current = await focused()
          order.push(current.id || current.text)
          if (current.id === 'login-email') break
        }
        assert.equal(order.at(-1), 'login-email', `tab order: ${order.join(' → ')}`)
        const onEmail = await focused()
        assert.notEqual(onEmail.outline, 'none', 'the focused field shows a focus ring')
        await page.keyboard.type(member.email)
        await page.keyboard.press('Tab')
        assert.equal((await focused()).id, 'login-password')
        await page.keyboard.type(member.password)
        await page.keyboard.press('Tab')
        const onButton = await focused()
        assert.equal(onButton.text, 'Log in')
        assert.notEqual(onButton.outline, 'none', 'the focused button shows a focus ring')
        await page.keyboard.press('Tab')
        assert.equal((await focused()).text, 'Create an account')
        await page.keyboard.press('Shift+Tab')
        await page.keyboard.press('Shift+Tab')
        assert.equal((await focused()).id, 'login-password')
        await page.keyboard.press('Enter')
        await visible(profileHeading(app))
        // Focus moves to the new view's heading, so the next Tab starts there.
        await eventually(
          'focus on the profile heading',
          focused,
          (state) => state.id === 'profile-title',
        )
        // The delete dialog opens and closes from the keyboard.
        await page.locator('#delete-open').focus()
        await page.keyboard.press('Enter')
        const dialog = page.getByRole('dialog')
        await visible(dialog)
        assert.equal((await focused()).text, 'Cancel', 'the safe choice has focus')
        await page.keyboard.press('Escape')
        await gone(dialog)
        assert.equal((await focused()).id, 'delete-open')
      })
    },
  },
  {
    name: 'phone-sized screen (390x844): forms render without horizontal scrolling',
    run: async () => {
      const member = await account('member')
      await withApp(
        async (app) => {
          const { page } = app
          await app.goto()
          await visible(loginHeading(app))
          await assertNoHorizontalScroll(app, 'log-in form')
          await app.screenshot('phone-login')
          await page.getByRole('link', { name: 'Create an account' }).click()
          await visible(registerHeading(app))
          await assertNoHorizontalScroll(app, 'create-account form')
          await app.screenshot('phone-register')
          await page.getByRole('link', { name: 'Log in instead' }).click()
          await logInThroughForm(app, member.email, member.password)
          await visible(profileHeading(app))
          await assertNoHorizontalScroll(app, 'profile')
          await app.screenshot('phone-profile')
          await page.getByRole('button', { name: 'Delete account', exact: true }).click()
          await visible(page.getByRole('dialog'))
          await assertNoHorizontalScroll(app, 'delete confirmation')
          await app.screenshot('phone-delete-confirmation', { fullPage: false })
          await page.keyboard.press('Escape')
          // The smallest common phone width.
          await page.setViewportSize({ width: 360, height: 740 })
          await assertNoHorizontalScroll(app, 'profile at 360px')
        },
        { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
      )
    },
  },
  {
    name: 'rate limits, server errors and a dropped connection get friendly messages',
    run: async () => {
      await withLoginForm(async (app) => {
        const { page } = app
        type Route = import('playwright-core').Route
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

async function main(): Promise<number> {
  checkChromium()
  let server: DevServer | undefined
  let interrupted = false
  let stopping: Promise<void> | undefined
  const stopAll = () => {
    stopping ??= (async () => {
      await browser?.close().catch(() => undefined)
      await server?.stop()
      await stopDevServers()
    })()
    return stopping
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return
    interrupted = true
    console.log(`[e2e] ${signal}: stopping the browser and the dev server`)
    stopAll().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)
  try {
    if (process.env.E2E_BASE_URL) {
      baseUrl = process.env.E2E_BASE_URL.replace(/\/+$/, '')
    } else {
      server = await startDevServer()
      baseUrl = server.baseUrl
    }
    if (interrupted) return 130
    browser = await launchBrowser()
    const only = process.env.E2E_ONLY
    const selected = only ? tests.filter((test) => test.name.includes(only)) : tests
    const { passed, failed } = await runTests(selected, () => interrupted)
    if (interrupted) {
      await stopAll()
      return 130
    }
    if (failed && server) {
      console.log('[e2e] last lines of npm run dev:')
      console.log(server.output().split('\n').slice(-30).join('\n'))
    }
    await stopAll()
    console.log(`${passed} passed, ${failed} failed`)
    return failed === 0 && passed > 0 ? 0 : 1
  } catch (error) {
    await stopAll()
    if (interrupted) return 130
    console.error(`[e2e] ${error instanceof Error ? error.message : String(error)}`)
    console.log('0 passed, 1 failed')
    return 1
  }
}

main().then((code) => process.exit(code))
