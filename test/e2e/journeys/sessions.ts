/**
 * The sessions card: every login of the account, this device marked; signing one other
 * session out; signing out everywhere else. Each journey has its own account and pages with
 * addresses and user agents of their own, so the list's contents are known.
 */
import assert from 'node:assert/strict'
import type { AppPage } from '../harness'
import { clientAddress, gone, hasText, type TestCase, visible } from '../harness'
import {
  type Account,
  assertNoHorizontalScroll,
  createAccount,
  IPHONE_USER_AGENT,
  loginHeading,
  notice,
  openApp,
  type PageOptions,
  profileHeading,
  REFRESH_COOKIE,
  responseTo,
  screenshotOf,
  sessionItems,
  sessionsCard,
  signIn,
  signOutButton,
  waitForSessions,
} from '../support'

/** A page with a known client address (and, optionally, a user agent). */
async function device(options: PageOptions = {}): Promise<{ app: AppPage; address: string }> {
  const address = clientAddress()
  const app = await openApp({ extraHTTPHeaders: { 'CF-Connecting-IP': address }, ...options })
  return { app, address }
}

/** Runs `body` with several devices; closes them and checks their consoles whatever happens. */
async function withDevices(
  options: PageOptions[],
  body: (devices: { app: AppPage; address: string }[]) => Promise<void>,
): Promise<void> {
  const devices: { app: AppPage; address: string }[] = []
  try {
    for (const each of options) devices.push(await device(each))
    await body(devices)
    for (const { app } of devices) app.assertClean()
  } finally {
    await Promise.all(devices.map(({ app }) => app.close()))
  }
}

const phone: PageOptions = {
  userAgent: IPHONE_USER_AGENT,
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
}

/** Signs `who` in on each page in turn, so the last one's list shows all of them. */
async function signInAll(who: Account, apps: AppPage[]): Promise<void> {
  for (const app of apps) await signIn(app, who)
}

/** An ended session's page: its next call is refused, and it shows the log-in form. */
async function assertSentToLogin(app: AppPage, who: Account, screenshot?: string): Promise<void> {
  await visible(loginHeading(app))
  await gone(profileHeading(app))
  await hasText(notice(app), 'Your session has ended. Please log in again.')
  assert.equal(await app.page.locator('#login-email').inputValue(), who.email)
  assert.equal(await sessionItems(app).count(), 0, 'the old list is gone from the page')
  if (screenshot) await app.screenshot(screenshot)
  // The cookie cannot bring the session back either.
  await app.page.reload()
  await visible(loginHeading(app))
}

export const sessionsJourneys: TestCase[] = [
  {
    name: 'sessions: two devices are listed, this one marked "This device"',
    run: async () => {
      const owner = await createAccount('sessions-see', 'Katherine Johnson')
      await withDevices([{}, phone], async ([laptop, mobile]) => {
        assert.ok(laptop && mobile)
        await signInAll(owner, [mobile.app, laptop.app])

        const card = sessionsCard(laptop.app)
        await visible(card)
        await visible(card.getByRole('heading', { level: 2, name: 'Sessions' }))
        const [first, second] = await waitForSessions(laptop.app, 2)
        // This device first, with where and when.
        assert.match(first ?? '', /^Chrome on Linux This device/)
        assert.match(first ?? '', new RegExp(`IP address ${laptop.address.replace(/\./g, '\\.')}`))
        assert.match(first ?? '', /Signed in .*Last active Now/)
        assert.match(second ?? '', /^Safari on iPhone/)
        assert.doesNotMatch(second ?? '', /This device/)
        assert.match(second ?? '', new RegExp(`IP address ${mobile.address.replace(/\./g, '\\.')}`))
        assert.match(second ?? '', /Last active just now/)
        // One heading per session; "This device" is named in the heading.
        await visible(card.getByRole('heading', { level: 3, name: 'Chrome on Linux This device' }))
        await visible(card.getByRole('heading', { level: 3, name: 'Safari on iPhone' }))
        assert.equal(await card.getByText('This device', { exact: true }).count(), 1)
        // A sign-out button for the other session only, whose name says which one.
        const buttons = card.getByRole('button', { name: /^Sign out / })
        assert.equal(await buttons.count(), 2, 'one for the phone, one for everywhere else')
        await visible(signOutButton(laptop.app, `Safari on iPhone at ${mobile.address}, signed in`))
        await visible(card.getByRole('button', { name: 'Sign out everywhere else' }))
        assert.equal(
          await sessionItems(laptop.app).first().getByRole('button').count(),
          0,
          'no sign-out button for this device (the header logs it out)',
        )
        await assertNoHorizontalScroll(laptop.app, 'sessions on a desktop')
        await screenshotOf(card, 'sessions')
        await laptop.app.page.emulateMedia({ colorScheme: 'dark' })
        await screenshotOf(card, 'dark-sessions')
        await laptop.app.page.emulateMedia({ colorScheme: 'light' })

        // The phone, reloaded, lists the same two, with itself as "This device".
        await mobile.app.page.reload()
        await visible(profileHeading(mobile.app))
        const onPhone = await waitForSessions(mobile.app, 2)
        assert.match(onPhone[0] ?? '', /^Safari on iPhone This device/)
        assert.match(onPhone[1] ?? '', /^Chrome on Linux/)
        await assertNoHorizontalScroll(mobile.app, 'sessions on a phone')
        await screenshotOf(sessionsCard(mobile.app), 'phone-sessions')
        await mobile.app.page.setViewportSize({ width: 360, height: 740 })
        await assertNoHorizontalScroll(mobile.app, 'sessions at 360px')
        await mobile.app.screenshot('phone-sessions-profile')
      })
    },
  },
  {
    name: 'sessions: signing another session out sends that page to the log-in form',
    run: async () => {
      const owner = await createAccount('sessions-one', 'Annie Easley')
      await withDevices([{}, phone, {}], async ([laptop, mobile, spare]) => {
        assert.ok(laptop && mobile && spare)
        await signInAll(owner, [spare.app, mobile.app, laptop.app])
        await waitForSessions(laptop.app, 3)

        // The laptop signs the phone out.
        const phoneSession = await sessionIdOf(laptop.app, 1)
        const response = responseTo(laptop.app.page, `/v1/auth/sessions/${phoneSession}`, 'DELETE')
        await signOutButton(laptop.app, `Safari on iPhone at ${mobile.address}`).click()
        assert.equal((await response).status(), 204)
        await hasText(laptop.app.page.locator('#sessions-status'), 'Signed out Safari on iPhone')
        const left = await waitForSessions(laptop.app, 2)
        assert.ok(!left.some((text) => text.includes('iPhone')), 'the phone is off the list')

        // The phone's next call (saving its profile) is refused at once, and the refresh
        // cookie cannot continue the session: the log-in form, no error page.
        mobile.app.expectHttpError('/v1/users/me', 401)
        const refused = responseTo(mobile.app.page, '/v1/users/me', 'PATCH')
        await mobile.app.page.locator('#profile-form').getByLabel('Name').fill('Annie J. Easley')
        await mobile.app.page.getByRole('button', { name: 'Save', exact: true }).click()
        assert.equal((await refused).status(), 401, "the ended session's access token is refused")
        await assertSentToLogin(mobile.app, owner, 'phone-session-ended')

        // A session that ended meanwhile (the spare page logged itself out) is reported as
        // such, and the list catches up.
        await spare.app.page.getByRole('button', { name: 'Log out', exact: true }).click()
        await visible(loginHeading(spare.app))
        laptop.app.expectHttpError(`/v1/auth/sessions/${await sessionIdOf(laptop.app, 1)}`, 404)
        await signOutButton(laptop.app, `Chrome on Linux at ${spare.address}`).click()
        await hasText(laptop.app.page.locator('#sessions-status'), 'was already signed out')
        const [only] = await waitForSessions(laptop.app, 1)
        assert.match(only ?? '', /This device/)
        await visible(laptop.app.page.locator('#sessions-alone'))
        await gone(laptop.app.page.getByRole('button', { name: 'Sign out everywhere else' }))

        // The laptop itself is still signed in.
        await laptop.app.page.reload()
        await visible(profileHeading(laptop.app))
        await waitForSessions(laptop.app, 1)
      })
    },
  },
  {
    name: 'sessions: "Sign out everywhere else" ends the other sessions and keeps this one',
    run: async () => {
      const owner = await createAccount('sessions-all', 'Christine Darden')
      await withDevices([{}, phone, {}], async ([laptop, mobile, other]) => {
        assert.ok(laptop && mobile && other)
        await signInAll(owner, [other.app, mobile.app, laptop.app])
        await waitForSessions(laptop.app, 3)

        const logout = responseTo(laptop.app.page, '/v1/auth/logout', 'POST')
        await laptop.app.page.getByRole('button', { name: 'Sign out everywhere else' }).click()
        const answer = await logout
        assert.equal(answer.status(), 204)
        assert.deepEqual(answer.request().postDataJSON(), { scope: 'others' })
        await hasText(laptop.app.page.locator('#sessions-status'), 'Signed out 2 other sessions.')
        const [only] = await waitForSessions(laptop.app, 1)
        assert.match(only ?? '', /^Chrome on Linux This device/)
        await visible(laptop.app.page.locator('#sessions-alone'))
        await screenshotOf(sessionsCard(laptop.app), 'sessions-alone')

        // This device keeps its cookie and its session.
        const cookies = await laptop.app.context.cookies()
        assert.ok(
          cookies.some((cookie) => cookie.name === REFRESH_COOKIE),
          'signing the others out leaves this device its cookie',
        )
        await laptop.app.page.reload()
        await visible(profileHeading(laptop.app))
        await waitForSessions(laptop.app, 1)

        // The phone's next call (its own stale list: sign the other page out) is refused.
        const otherSession = `/v1/auth/sessions/${await sessionIdOf(mobile.app, 1)}`
        mobile.app.expectHttpError(otherSession, 401)
        const refused = responseTo(mobile.app.page, otherSession, 'DELETE')
        await signOutButton(mobile.app, `Chrome on Linux at ${other.address}`).click()
        assert.equal((await refused).status(), 401, "the ended session's access token is refused")
        await assertSentToLogin(mobile.app, owner)

        // The other page finds out on its next load.
        await other.app.page.reload()
        await visible(loginHeading(other.app))
        await gone(profileHeading(other.app))
      })
    },
  },
]

/** The session id behind the list's item at `index` (0 is this device). */
async function sessionIdOf(app: AppPage, index: number): Promise<string> {
  const id = await sessionItems(app).nth(index).getAttribute('data-session-id')
  assert.ok(id, `no session id on item ${index}`)
  return id
}
