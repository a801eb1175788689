/**
 * Re-authentication: a new email and deleting the account need the current password; a wrong
 * one shows at its field and changes nothing.
 */
import assert from 'node:assert/strict'
import { gone, hasText, type TestCase, visible } from '../harness'
import {
  assertFieldError,
  createAccount,
  freshEmail,
  logInThroughForm,
  loginHeading,
  notice,
  profileHeading,
  responseTo,
  signIn,
  withApp,
} from '../support'

export const reauthJourneys: TestCase[] = [
  {
    name: 're-authentication: a new email needs the current password; a wrong one changes nothing',
    run: async () => {
      const owner = await createAccount('email-change', 'Dorothy Vaughan')
      await withApp(async (app) => {
        const { page } = app
        await signIn(app, owner)
        const edit = page.locator('#profile-form')
        const password = edit.getByLabel('Current password')
        const save = page.getByRole('button', { name: 'Save', exact: true })

        // Only a name: no password asked, none sent.
        await gone(password)
        const renamed = responseTo(page, '/v1/users/me', 'PATCH')
        await edit.getByLabel('Name').fill('Dorothy J. Vaughan')
        await save.click()
        await hasText(page.locator('#profile-form-status'), 'Your profile has been saved.')
        assert.deepEqual((await renamed).request().postDataJSON(), { name: 'Dorothy J. Vaughan' })

        // The field appears when the email differs, and goes when it is the same again.
        const newEmail = freshEmail('email-change-new')
        await edit.getByLabel('Email').fill(newEmail)
        await visible(password)
        assert.equal(await password.getAttribute('autocomplete'), 'current-password')
        await edit.getByLabel('Email').fill(`  ${owner.email.toUpperCase()} `)
        await gone(password)
        await edit.getByLabel('Email').fill(newEmail)
        await visible(password)
        await app.screenshot('email-change-password')

        // Empty: the browser's own check, no request.
        let patches = 0
        page.on('request', (request) => {
          if (request.method() === 'PATCH') patches++
        })
        await save.click()
        await assertFieldError(app, '#profile-current-password', 'Enter your current password.')
        assert.equal(patches, 0, 'nothing sent without the password')

        // Wrong: the API's 422 at the field; the email stays as it was.
        app.expectHttpError('/v1/users/me', 422)
        await password.fill('Wrong-Password-1')
        const refused = responseTo(page, '/v1/users/me', 'PATCH')
        await save.click()
        assert.equal((await refused).status(), 422)
        assert.deepEqual((await refused).request().postDataJSON(), {
          email: newEmail,
          currentPassword: 'Wrong-Password-1',
        })
        await assertFieldError(app, '#profile-current-password', 'Is not your current password.')
        await hasText(page.locator('#profile-form-error'), 'The current password is not correct')
        await app.screenshot('email-change-wrong-password')
        await hasText(page.locator('#profile-email'), owner.email)
        await page.reload()
        await visible(profileHeading(app))
        await hasText(page.locator('#profile-email'), owner.email)

        // Right: saved; the field goes away empty.
        await edit.getByLabel('Email').fill(newEmail)
        await password.fill(owner.password)
        await save.click()
        await hasText(page.locator('#profile-form-status'), 'Your profile has been saved.')
        await hasText(page.locator('#profile-email'), newEmail)
        await gone(password)
        assert.equal(await password.inputValue(), '', 'the password is not kept')

        // The new email logs in.
        await page.getByRole('button', { name: 'Log out', exact: true }).click()
        await visible(loginHeading(app))
        await logInThroughForm(app, newEmail, owner.password)
        await visible(profileHeading(app))
      })
    },
  },
  {
    name: 'delete the account with the password; a wrong one shows at the field and keeps it',
    run: async () => {
      const owner = await createAccount('delete', 'Mary Jackson')
      await withApp(async (app) => {
        const { page } = app
        await signIn(app, owner)
        const open = page.getByRole('button', { name: 'Delete account', exact: true })
        const dialog = page.getByRole('dialog', { name: 'Delete your account?' })
        const password = dialog.getByLabel('Password')
        const confirm = dialog.getByRole('button', { name: 'Yes, delete my account' })

        // A wrong password: the API's 422 in the dialog, which stays open.
        await open.click()
        await visible(dialog)
        await password.fill('Not-My-Password-1')
        app.expectHttpError('/v1/users/me', 422)
        const refused = responseTo(page, '/v1/users/me', 'DELETE')
        await confirm.click()
        assert.equal((await refused).status(), 422)
        assert.deepEqual((await refused).request().postDataJSON(), {
          currentPassword: 'Not-My-Password-1',
        })
        await assertFieldError(app, '#delete-password', 'Is not your current password.')
        await hasText(
          page.locator('#delete-dialog-form-error'),
          'The current password is not correct',
        )
        await visible(dialog)
        assert.equal(await confirm.isEnabled(), true, 'the button is usable again')
        await app.screenshot('delete-wrong-password', { fullPage: false })
        // Typing again clears the field's error.
        await password.fill('x')
        await gone(page.locator('#delete-password-error'))

        // The account is still there: cancel, reload, still signed in with the same profile.
        await dialog.getByRole('button', { name: 'Cancel' }).click()
        await gone(dialog)
        await page.reload()
        await visible(profileHeading(app))
        await hasText(page.locator('#profile-email'), owner.email)

        // The right password deletes it.
        await open.click()
        await visible(dialog)
        assert.equal(await password.inputValue(), '')
        await password.fill(owner.password)
        const deleted = responseTo(page, '/v1/users/me', 'DELETE')
        await password.press('Enter')
        assert.equal((await deleted).status(), 204)
        await visible(loginHeading(app))
        await gone(dialog)
        await hasText(notice(app), 'Your account has been deleted.')

        // It cannot log in any more, and a reload finds no session.
        app.expectHttpError('/v1/users/login', 401)
        const login = responseTo(page, '/v1/users/login')
        await logInThroughForm(app, owner.email, owner.password)
        assert.equal((await login).status(), 401)
        await visible(loginHeading(app))
        await page.reload()
        await visible(loginHeading(app))
      })
    },
  },
]
