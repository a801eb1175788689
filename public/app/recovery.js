/**
 * A forgotten password: "Forgot password?" asks for a reset link, and the link from that email
 * opens the screen that sets a new one. The token lives in this module's memory only: it was
 * taken out of the address as the page opened (page.js, takeEmailLink).
 */
import { ApiError } from './api.js'
import * as emailApi from './email-api.js'
import { clearFormErrors, handleForm, setFormStatus } from './forms.js'
import { sentence } from './messages.js'
import { byId, showView } from './page.js'
import { leaveProfile } from './profile.js'

let resetToken = ''

/** A link that can no longer act: used, replaced by a newer one, expired, or mangled. */
export function isDeadLink(error) {
  if (!(error instanceof ApiError)) return false
  if (error.code === 'invalid_token') return true
  return error.status === 422 && error.errors.some(({ field }) => field === 'token')
}

function showDeadLink() {
  resetToken = ''
  byId('reset-form').reset()
  byId('reset-title').textContent = 'This link no longer works'
  byId('reset-mark').hidden = false
  byId('reset-ready').hidden = true
  byId('reset-dead').hidden = false
  byId('reset-title').focus()
}

/** The screen a reset link opens: a new password, twice. */
export function openResetLink(token) {
  resetToken = token
  const form = byId('reset-form')
  form.reset()
  clearFormErrors(form)
  byId('reset-title').textContent = 'Choose a new password'
  byId('reset-mark').hidden = true
  byId('reset-ready').hidden = false
  byId('reset-dead').hidden = true
  showView('reset', { focus: true })
  // A link cut short on its way (no token at all) cannot work: say so at once.
  if (!token) showDeadLink()
}

export function wireRecoveryForms() {
  const forgotForm = byId('forgot-form')

  // Every way to the form starts it afresh; from the log-in form, with the email typed there.
  for (const link of document.querySelectorAll('a[href="#forgot-password"]')) {
    link.addEventListener('click', () => clearFormErrors(forgotForm))
  }
  byId('to-forgot').addEventListener('click', () => {
    const typed = byId('login-email').value.trim()
    if (typed) byId('forgot-email').value = typed
  })

  // 202 whether or not the account exists: the API's message says as much, and no more.
  handleForm(forgotForm, async ({ email }) => {
    const message = await emailApi.requestPasswordReset(email)
    setFormStatus(forgotForm, sentence(message) || 'Check your email for the link.')
  })

  handleForm(byId('reset-form'), async ({ newPassword }) => {
    try {
      await emailApi.confirmPasswordReset(resetToken, newPassword)
    } catch (error) {
      // A weak password (422 on newPassword) leaves the token good: the form says why, and
      // the person tries again with the same link.
      if (!isDeadLink(error)) throw error
      showDeadLink()
      return
    }
    resetToken = ''
    byId('reset-form').reset()
    // Every session has ended, this page's too if it had one: log in afresh, email empty.
    leaveProfile({ notice: 'Password changed. Log in with your new password.' })
  })
}
