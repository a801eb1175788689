/**
 * The profile view: the details card (with the "Unverified" badge), the edit and
 * change-password forms, and entering and leaving the signed-in screen.
 */
import * as api from './api.js'
import { currentUser, setCurrentUser } from './current-user.js'
import { clearFieldError, clearFormErrors, handleForm, setFormStatus } from './forms.js'
import { describeError } from './messages.js'
import { byId, clearAddressHash, notify, showSignedOut, showView } from './page.js'
import { clearSessions, loadSessions } from './sessions.js'

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' })

export function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean)
  const letters = words.length > 1 ? [words[0], words.at(-1)] : words
  return letters.map((word) => [...word][0]?.toUpperCase() ?? '').join('') || '?'
}

function renderProfile(user) {
  byId('profile-name').textContent = user.name
  byId('profile-email').textContent = user.email
  // "Send the link again" is verify.js's; its last answer belongs to the address it was for.
  const unverified = user.emailVerified === false
  byId('profile-unverified').hidden = !unverified
  byId('verify-again').hidden = !unverified
  if (!unverified) byId('verify-resend-status').textContent = ''
  byId('profile-role').textContent = user.role === 'admin' ? 'Admin' : 'User'
  byId('profile-role').classList.toggle('badge--admin', user.role === 'admin')
  const since = byId('profile-since')
  since.dateTime = user.createdAt
  since.textContent = dateFormat.format(new Date(user.createdAt))
  byId('profile-avatar').textContent = initials(user.name)
  byId('session-who').textContent = user.email
  byId('delete-dialog-email').textContent = user.email
  byId('profile-name-input').value = user.name
  byId('profile-email-input').value = user.email
  syncProfilePassword()
}

/** The email is being changed: the form then asks for the current password too. */
function emailChanged() {
  const user = currentUser()
  return user !== null && byId('profile-email-input').value.trim().toLowerCase() !== user.email
}

/** Shows (and requires) the current-password field only while the email differs. */
function syncProfilePassword() {
  const needed = emailChanged()
  const field = byId('profile-password-field')
  const input = byId('profile-current-password')
  if (field.hidden === !needed) return
  field.hidden = !needed
  // Disabled, it is neither checked nor sent.
  input.disabled = !needed
  if (!needed) {
    input.value = ''
    clearFieldError(input)
  }
}

/** The signed-in user as the server now has them, shown where the profile shows them. */
export function refreshProfile(user) {
  setCurrentUser(user)
  renderProfile(user)
}

/** Shows the signed-in screen for `user`, with fresh forms and its sessions. */
export function enterProfile(user, { focus = false } = {}) {
  setCurrentUser(user)
  clearAddressHash()
  renderProfile(user)
  byId('verify-resend-status').textContent = ''
  for (const form of ['profile-form', 'password-form', 'delete-dialog-form']) {
    clearFormErrors(byId(form))
  }
  byId('password-form').reset()
  byId('delete-dialog-form').reset()
  showView('profile', { focus })
  loadSessions()
}

/** Back to the signed-out screen: the session is forgotten and the forms emptied. */
export function leaveProfile({ notice, kind = 'success', email } = {}) {
  setCurrentUser(null)
  api.forgetSession()
  clearSessions()
  byId('login-form').reset()
  byId('register-form').reset()
  clearFormErrors(byId('login-form'))
  clearFormErrors(byId('register-form'))
  clearAddressHash()
  showSignedOut({ focus: true, email })
  if (notice) notify(notice, kind)
}

/** Wires the edit-profile and change-password forms. */
export function wireProfileForms() {
  byId('profile-email-input').addEventListener('input', syncProfilePassword)
  // Before the form's own checks (registered first), in case the email changed without an
  // input event: the current-password field must be there to be checked.
  byId('profile-form').addEventListener('submit', syncProfilePassword)

  handleForm(byId('profile-form'), async ({ name, email, currentPassword }) => {
    const saved = currentUser()
    const changes = {}
    if (name.trim() !== saved.name) changes.name = name
    if (email.trim().toLowerCase() !== saved.email) {
      // The API wants the current password for a new email (re-authentication).
      changes.email = email
      changes.currentPassword = currentPassword ?? ''
    }
    const form = byId('profile-form')
    if (Object.keys(changes).length === 0) {
      setFormStatus(form, 'Nothing to save: your name and email are unchanged.', 'info')
      return
    }
    const user = await api.updateMe(changes)
    refreshProfile(user)
    const unconfirmed = changes.email !== undefined && user.emailVerified === false
    setFormStatus(
      form,
      unconfirmed
        ? `Your profile has been saved. A link to confirm ${user.email} is on its way there.`
        : 'Your profile has been saved.',
    )
  })

  handleForm(byId('password-form'), async ({ currentPassword, newPassword }) => {
    const { email } = currentUser()
    await api.changePassword(currentPassword, newPassword)
    byId('password-form').reset()
    // The API has revoked every token, this page's too: log in again with the new password so
    // the person stays signed in.
    try {
      enterProfile(await api.logIn(email, newPassword))
      setFormStatus(
        byId('password-form'),
        'Your password has been changed. Other devices have been logged out.',
      )
    } catch (error) {
      leaveProfile({
        email,
        kind: 'info',
        notice: `Your password has been changed, but we could not log you back in: ${describeError(error)} Please log in with your new password.`,
      })
    }
  })
}
