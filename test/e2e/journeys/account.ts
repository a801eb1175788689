/** The whole life of an account in one page: create, edit, change password, log out, delete. */
import assert from 'node:assert/strict'
import { gone, hasText, type TestCase, visible } from '../harness'
import {
  freshEmail,
  logInThroughForm,
  loginHeading,
  notice,
  PASSWORD,
  profileHeading,
  registerHeading,
  responseTo,
  sessionItems,
  waitForSessions,
  withApp,
} from '../support'

export const accountJourneys: TestCase[] = [
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
        await waitForSessions(app, 1)
        await app.screenshot('profile')

        // Edit name and email; a new email needs the current password.
        const newName = 'Ada King'
        const newEmail = freshEmail('journey-renamed')
        const edit = page.locator('#profile-form')
        await edit.getByLabel('Name').fill(newName)
        await edit.getByLabel('Email').fill(newEmail)
        await edit.getByLabel('Current password').fill(PASSWORD)
        await page.getByRole('button', { name: 'Save', exact: true }).click()
        await hasText(page.locator('#profile-form-status'), 'Your profile has been saved.')
        await hasText(page.locator('#profile-name'), newName)
        await app.screenshot('profile-saved')
        await hasText(page.locator('#profile-email'), newEmail)
        await gone(edit.getByLabel('Current password'))

        // Change the password: the app logs in again silently and stays signed in.
        const newPassword = 'Another-Pass-2'
        const change = page.locator('#password-form')
        await change.getByLabel('Current password').fill(PASSWORD)
        await change.getByLabel('New password').fill(newPassword)
        await page.getByRole('button', { name: 'Change password', exact: true }).click()
        await hasText(page.locator('#password-form-status'), 'Your password has been changed.')
        await visible(profileHeading(app))
        assert.equal(await change.getByLabel('New password').inputValue(), '')
        // The change ended every session; the new log-in is the only one, and it is this one.
        const [only] = await waitForSessions(app, 1)
        assert.match(only ?? '', /This device/)
        // ...and the session behind the new log-in survives a reload.
        await page.reload()
        await visible(profileHeading(app))
        await hasText(page.locator('#profile-email'), newEmail)

        // Log out, log in with the new password.
        await page.getByRole('button', { name: 'Log out', exact: true }).click()
        await visible(loginHeading(app))
        await hasText(notice(app), 'You have been logged out.')
        assert.equal(await sessionItems(app).count(), 0, 'no sessions left in the page')
        await logInThroughForm(app, newEmail, newPassword)
        await visible(profileHeading(app))
        await hasText(page.locator('#profile-name'), newName)

        // Delete, with a confirmation step that asks for the password.
        await page.getByRole('button', { name: 'Delete account', exact: true }).click()
        const dialog = page.getByRole('dialog', { name: 'Delete your account?' })
        await visible(dialog)
        await hasText(dialog, newEmail)
        await app.screenshot('delete-confirmation', { fullPage: false })
        await dialog.getByLabel('Password').fill('typed, then cancelled')
        await dialog.getByRole('button', { name: 'Cancel' }).click()
        await gone(dialog)
        await visible(profileHeading(app))
        await page.getByRole('button', { name: 'Delete account', exact: true }).click()
        await visible(dialog)
        assert.equal(await dialog.getByLabel('Password').inputValue(), '', 'not kept on cancel')
        await dialog.getByLabel('Password').fill(newPassword)
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
]
