/**
 * The browser app: log in, create an account, see, edit and delete the profile, see and end
 * sessions, log out.
 * Plain DOM, no framework, no build step: each concern is an ES module of its own, loaded as is.
 * The API's answers are the truth; the browser's own checks only catch empty or malformed fields
 * before a round trip.
 *
 * This module wires the page and starts it: log-out, a session lost elsewhere, the address's
 * #login / #register, and continuing the session the refresh cookie holds.
 */
import * as api from './api.js'
import { currentUser } from './current-user.js'
import { closeDeleteDialog, wireDeleteDialog } from './delete-dialog.js'
import { setBusy } from './forms.js'
import { describeError } from './messages.js'
import { byId, clearAddressHash, clearNotice, notify, showSignedOut, showView } from './page.js'
import { enterProfile, leaveProfile, wireProfileForms } from './profile.js'
import { wireSessionsCard } from './sessions.js'
import { wireSignInForms } from './sign-in.js'

wireSessionsCard()
wireSignInForms()
wireProfileForms()

byId('logout-button').addEventListener('click', async (event) => {
  const button = event.currentTarget
  if (button.disabled) return
  clearNotice()
  setBusy(button, true)
  try {
    await api.logOut()
    leaveProfile({ notice: 'You have been logged out.' })
  } catch (error) {
    notify(`You are still logged in: ${describeError(error)}`, 'error')
  } finally {
    setBusy(button, false)
  }
})

wireDeleteDialog()

api.setSessionLostHandler(() => {
  const user = currentUser()
  if (!user) return
  closeDeleteDialog()
  leaveProfile({
    email: user.email,
    kind: 'info',
    notice: 'Your session has ended. Please log in again.',
  })
})

window.addEventListener('hashchange', () => {
  if (currentUser()) {
    clearAddressHash()
    return
  }
  if (document.body.dataset.view === 'loading') return
  clearNotice()
  showSignedOut({ focus: true })
})

// ---------------------------------------------------------------------------------------------
// Start: continue the session the refresh cookie holds, if any.

async function start() {
  showView('loading')
  try {
    const user = await api.restoreSession()
    if (user) enterProfile(user)
    else showSignedOut()
  } catch (error) {
    showSignedOut()
    notify(`We could not check your session. ${describeError(error)}`, 'error')
  }
}

start()
