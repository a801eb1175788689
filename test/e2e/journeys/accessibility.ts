/** Keyboard only, and a phone-sized screen. */
import assert from 'node:assert/strict'
import { eventually, gone, type TestCase, visible } from '../harness'
import {
  account,
  assertFieldError,
  assertNoHorizontalScroll,
  logInThroughForm,
  loginHeading,
  profileHeading,
  registerHeading,
  screenshotOf,
  sessionsCard,
  waitForSessions,
  withApp,
  withLoginForm,
} from '../support'

export const accessibilityJourneys: TestCase[] = [
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
        assert.equal((await focused()).text, 'Forgot password?')
        await page.keyboard.press('Tab')
        assert.equal((await focused()).text, 'Create an account')
        await page.keyboard.press('Shift+Tab')
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
        // The delete dialog opens and closes from the keyboard. It opens on its password
        // field: nothing is deleted without the password, so Enter alone deletes nothing.
        await page.locator('#delete-open').focus()
        await page.keyboard.press('Enter')
        const dialog = page.getByRole('dialog')
        await visible(dialog)
        assert.equal((await focused()).id, 'delete-password', 'the password field has focus')
        await page.keyboard.press('Enter')
        await assertFieldError(app, '#delete-password', 'Enter your password.')
        await visible(dialog)
        await page.keyboard.press('Tab')
        assert.equal((await focused()).text, 'Cancel', 'the safe choice comes first')
        await page.keyboard.press('Escape')
        await gone(dialog)
        assert.equal((await focused()).id, 'delete-open')
        await visible(profileHeading(app))
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
          // The member has logged in from several pages by now: the card lists them all.
          await eventually(
            'the sessions card to list sessions',
            () => page.locator('#sessions-list > li').count(),
            (count) => count > 1,
          )
          await assertNoHorizontalScroll(app, 'profile')
          await app.screenshot('phone-profile')
          await screenshotOf(sessionsCard(app), 'phone-sessions-member')
          // The email field asks for the password once it changes; still no sideways scroll.
          await page.locator('#profile-form').getByLabel('Email').fill('new@example.com')
          await visible(page.locator('#profile-form').getByLabel('Current password'))
          await assertNoHorizontalScroll(app, 'profile form with the password field')
          await page.getByRole('button', { name: 'Delete account', exact: true }).click()
          await visible(page.getByRole('dialog'))
          await assertNoHorizontalScroll(app, 'delete confirmation')
          await app.screenshot('phone-delete-confirmation', { fullPage: false })
          await page.keyboard.press('Escape')
          // The smallest common phone width.
          await page.setViewportSize({ width: 360, height: 740 })
          await assertNoHorizontalScroll(app, 'profile at 360px')
          await waitForSessions(app, await page.locator('#sessions-list > li').count())
          await screenshotOf(sessionsCard(app), 'phone-360-sessions-member')
        },
        { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
      )
    },
  },
]
