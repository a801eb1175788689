/**
 * The admin screens: an admin lists the users, searches, pages, opens one, changes a role and
 * deletes an account after confirming (and cancelling once); errors from the API show where the
 * app shows errors; a non-admin never sees the screens. The admin is made the way an operator
 * makes one (`npm run db:sql`, see makeAdmin).
 */
import assert from 'node:assert/strict'
import {
  admin,
  apiLogIn,
  LISTED,
  listed,
  openUserList,
  PAGE_SIZE,
  rowOf,
  rows,
  search,
  usersHeading,
  waitForRows,
} from '../admin-support'
import { clientAddress, gone, hasText, type TestCase, visible } from '../harness'
import {
  account,
  assertNoHorizontalScroll,
  createAccount,
  e2e,
  heading,
  loginHeading,
  notice,
  profileHeading,
  signIn,
  withApp,
} from '../support'

export const adminJourneys: TestCase[] = [
  {
    name: 'admin: lists the users, searches by email and by name, pages forward and back',
    run: async () => {
      const { accounts, emailPrefix, namePrefix } = await listed()
      const me = await admin()
      await withApp(async (app) => {
        const { page } = app
        await openUserList(app)
        assert.equal(await page.title(), 'Users · Your account')
        const link = page.getByRole('link', { name: 'Users' })
        assert.equal(await link.getAttribute('aria-current'), 'page')
        // The skip link moves the focus, and leaves the admin where they are: the view once the
        // app's own hashchange handler (registered first) has run.
        const viewAfterSkip = page.evaluate(
          () =>
            new Promise<string>((resolve) => {
              window.addEventListener(
                'hashchange',
                () => resolve(document.body.dataset.view ?? ''),
                { once: true },
              )
            }),
        )
        // Handled at once: a failure before it is awaited must not crash the run.
        viewAfterSkip.catch(() => undefined)
        await page.locator('.skip-link').focus()
        await page.keyboard.press('Enter')
        assert.equal(await viewAfterSkip, 'users', 'the skip link kept the user list')

        // The admin's own row says so.
        await search(app, me.email)
        assert.deepEqual(await waitForRows(app, 1), [me.email])
        await hasText(rowOf(app, me.email), 'You')
        await hasText(rowOf(app, me.email), 'Admin')

        // A page of the run's accounts, by email; more to come.
        await search(app, emailPrefix)
        const firstPage = await waitForRows(app, PAGE_SIZE)
        assert.deepEqual(firstPage, [...firstPage].sort(), 'ordered by email')
        for (const email of firstPage) assert.ok(email.startsWith(emailPrefix), email)
        await hasText(page.locator('#users-summary'), 'page 1')
        const previous = page.getByRole('button', { name: 'Previous page' })
        const next = page.getByRole('button', { name: 'Next page' })
        assert.ok(await previous.isDisabled(), 'no page before the first')
        assert.ok(await next.isEnabled(), 'a second page')
        await app.screenshot('admin-users')

        await next.click()
        const secondPage = await waitForRows(app, LISTED - PAGE_SIZE)
        await hasText(page.locator('#users-page'), 'Page 2')
        const everyone = accounts.map((each) => each.email).sort()
        assert.deepEqual([...firstPage, ...secondPage], everyone, 'each account once')
        assert.ok(await next.isDisabled(), 'nothing after the last page')
        // The pressed button is disabled now: the focus went to the one that still works.
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'users-previous')

        await previous.click()
        await hasText(page.locator('#users-page'), 'Page 1')
        assert.deepEqual(await waitForRows(app, PAGE_SIZE), firstPage)

        // By the start of a name, whatever its case: "Listed <tag> 1" is 10 to 19.
        await search(app, `${namePrefix}1`.toUpperCase())
        const tens = await waitForRows(app, 10)
        await gone(page.getByRole('navigation', { name: 'Pages of users' }))
        const names = await rows(app).locator('.users-table__name a').allInnerTexts()
        assert.deepEqual(
          names.sort(),
          Array.from({ length: 10 }, (_, i) => `${namePrefix}${10 + i}`),
        )
        assert.equal(tens.length, 10)

        await search(app, `${emailPrefix}nobody`)
        await hasText(page.locator('#users-summary'), 'No email or name starts with')
        await gone(page.locator('#users-table'))

        // Logging out takes the admin screens out of the page, with what they showed.
        await page.getByRole('button', { name: 'Log out', exact: true }).click()
        await visible(loginHeading(app))
        assert.equal(await page.locator('#view-users, #view-user, #admin-nav').count(), 0)
      })
    },
  },
  {
    name: 'admin: opens a user, changes the role, deletes an account after cancelling once',
    run: async () => {
      const me = await admin()
      const promoted = await createAccount('admin-promoted', 'Grace Promoted')
      const doomed = await createAccount('admin-doomed', 'Dora Doomed')
      const promotedSession = await apiLogIn(promoted)
      await withApp(async (app) => {
        const { page } = app
        await openUserList(app)

        // Open one: the details, and the address names the user.
        await search(app, promoted.email)
        await waitForRows(app, 1)
        await page.getByRole('link', { name: promoted.name }).click()
        await visible(heading(app, promoted.name))
        await hasText(page.locator('#user-email'), promoted.email)
        await hasText(page.locator('#user-role-now'), 'User')
        const promotedId = /#users\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? ''
        assert.ok(promotedId, `the address names the user: ${page.url()}`)
        await app.screenshot('admin-user')

        // Unchanged, nothing is sent; a new role is saved and ends their sessions.
        const role = page.getByRole('combobox', { name: 'Role' })
        await page.getByRole('button', { name: 'Change role' }).click()
        await hasText(page.locator('#user-role-status'), 'Nothing to change')
        await role.selectOption('admin')
        await page.getByRole('button', { name: 'Change role' }).click()
        await hasText(page.locator('#user-role-status'), `${promoted.name} is now an Admin`)
        await hasText(page.locator('#user-role-now'), 'Admin')
        const refresh = await fetch(`${e2e.baseUrl}/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'CF-Connecting-IP': clientAddress() },
          body: JSON.stringify({ refreshToken: promotedSession.refreshToken }),
        })
        assert.equal(refresh.status, 401, 'the promoted user was logged out everywhere')

        // Back in the list, the new role shows.
        await page.getByRole('link', { name: 'All users' }).click()
        await visible(usersHeading(app))
        await waitForRows(app, 1)
        await hasText(rowOf(app, promoted.email), 'Admin')

        // Delete: cancelled once (nothing happens), then confirmed.
        await search(app, doomed.email)
        await waitForRows(app, 1)
        await page.getByRole('link', { name: doomed.name }).click()
        await visible(heading(app, doomed.name))
        const openDelete = page.getByRole('button', { name: 'Delete this account' })
        await openDelete.click()
        const dialog = page.getByRole('dialog', { name: 'Delete this account?' })
        await visible(dialog)
        await hasText(dialog, doomed.email)
        assert.equal(
          await page.evaluate(() => document.activeElement?.textContent),
          'Cancel',
          'the safe choice has the focus',
        )
        await app.screenshot('admin-delete-confirmation', { fullPage: false })
        await dialog.getByRole('button', { name: 'Cancel' }).click()
        await gone(dialog)
        await visible(heading(app, doomed.name))
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'user-delete-open')
        assert.equal((await apiLogIn(doomed)).token.length > 0, true, 'still there')

        await openDelete.click()
        await visible(dialog)
        await dialog.getByRole('button', { name: 'Yes, delete this account' }).click()
        await visible(usersHeading(app))
        await hasText(
          notice(app),
          `The account of ${doomed.name} (${doomed.email}) has been deleted.`,
        )
        await search(app, doomed.email)
        await hasText(page.locator('#users-summary'), 'No email or name starts with')

        // An error from the API shows where the app shows errors: the user deleted meanwhile
        // (here through the API, as another admin would) cannot be changed.
        await page.goto(`${e2e.baseUrl}/app/#users/${promotedId}`)
        await visible(heading(app, promoted.name))
        const { token } = await apiLogIn(me)
        const removed = await fetch(`${e2e.baseUrl}/v1/users/${promotedId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}`, 'CF-Connecting-IP': clientAddress() },
        })
        assert.equal(removed.status, 204)
        app.expectHttpError(`/v1/users/${promotedId}`, 404)
        await role.selectOption('user')
        await page.getByRole('button', { name: 'Change role' }).click()
        await hasText(page.locator('#user-role-error'), 'User not found.')
        // ...and opening it again says why there is nothing to show.
        await page.reload()
        await hasText(page.locator('#user-error'), 'We could not load this user. User not found.')
        await gone(page.getByRole('button', { name: 'Delete this account' }))
      })
    },
  },
  {
    name: 'admin: a non-admin sees no admin screens, even at their address',
    run: async () => {
      const member = await account('member')
      await withApp(async (app) => {
        const { page } = app
        await signIn(app, member)
        await hasText(page.locator('#profile-role'), 'User')
        assert.equal(await page.getByRole('navigation', { name: 'Admin' }).count(), 0)
        assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0)
        // Typed into the address bar, and after a reload: the profile, and no admin screen.
        await page.evaluate(() => {
          location.hash = '#users'
        })
        await visible(profileHeading(app))
        assert.equal(new URL(page.url()).hash, '', 'the address is cleared')
        await page.goto(`${e2e.baseUrl}/app/#users`)
        await visible(profileHeading(app))
        assert.equal(await page.locator('#view-users, #view-user, #admin-nav').count(), 0)
      })
      // The API refuses them too, whatever a page shows.
      const { token } = await apiLogIn(member)
      const response = await fetch(`${e2e.baseUrl}/v1/users`, {
        headers: { authorization: `Bearer ${token}`, 'CF-Connecting-IP': clientAddress() },
      })
      assert.equal(response.status, 403)
      assert.equal(((await response.json()) as { code: string }).code, 'forbidden')
    },
  },
  {
    name: 'admin: the screens fit a phone-sized screen (390x844)',
    run: async () => {
      const { emailPrefix } = await listed()
      await withApp(
        async (app) => {
          const { page } = app
          await openUserList(app)
          await search(app, emailPrefix)
          await waitForRows(app, PAGE_SIZE)
          await app.screenshot('phone-admin-users')
          await assertNoHorizontalScroll(app, 'user list')
          await rows(app).first().getByRole('link').click()
          await visible(page.getByRole('button', { name: 'Change role' }))
          await assertNoHorizontalScroll(app, 'one user')
          await app.screenshot('phone-admin-user')
          // The smallest common phone width.
          await page.setViewportSize({ width: 360, height: 740 })
          await assertNoHorizontalScroll(app, 'one user at 360px')
          await page.goBack()
          await waitForRows(app, PAGE_SIZE)
          await assertNoHorizontalScroll(app, 'user list at 360px')
        },
        { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
      )
    },
  },
]
