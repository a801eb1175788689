/**
 * The browser app: log in, create an account, see, edit and delete the profile, see and end
 * sessions, verify the email, reset a forgotten password, log out; for admins, the user list.
 * Plain DOM, no framework, no build step: each concern is an ES module of its own, loaded as is.
 * The API's answers are the truth; the browser's own checks only catch empty or malformed fields
 * before a round trip.
 *
 * This module wires the page and starts it: log-out, a session lost elsewhere, the address's
 * #login / #register / #forgot-password, the links from emails (#verify-email?token=…,
 * #reset-password?token=…), an admin's #users and #users/<id>, and continuing the session the
 * refresh cookie holds.
 */
import { openAdminRoute, wireAdmin } from './admin.js'
import * as api from './api.js'
import { currentUser } from './current-user.js'
import { closeDeleteDialog, wireDeleteDialog } from './delete-dialog.js'
import { setBusy } from './forms.js'
import { describeError } from './messages.js'
import {
  byId,
  clearAddressHash,
  clearNotice,
  notify,
  showSignedOut,
  showView,
  takeEmailLink,
} from './page.js'
import { enterProfile, leaveProfile, wireProfileForms } from './profile.js'
import { openResetLink, wireRecoveryForms } from './recovery.js'
import { wireSessionsCard } from './sessions.js'
import { wireSignInForms } from './sign-in.js'
import { openVerifyLink, wireVerification } from './verify.js'

wireSessionsCard()
wireSignInForms()
wireProfileForms()
wireRecoveryForms()
wireVerification()
wireAdmin()

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

/**
 * Opens the screen of a link from an email, if the address holds one (its token is taken out of
 * the address at once). A reset link needs no session: it is about signing in again.
 */
function openEmailLink() {
  const link = takeEmailLink()
  if (!link) return false
  clearNotice()
  if (link.kind === 'reset-password') openResetLink(link.token)
  else openVerifyLink(link.token)
  return true
}

window.addEventListener('hashchange', () => {
  // The skip link (#main) moves the focus, not the person: the screen shown stays.
  if (document.body.dataset.view === 'loading' || location.hash === '#main') return
  if (openEmailLink()) return
  if (openAdminRoute()) return
  if (currentUser()) {
    clearAddressHash()
    // From a screen a link opened (say, "Back to log in"): the profile, since signed in.
    if (document.body.dataset.view !== 'profile') showView('profile', { focus: true })
    return
  }
  clearNotice()
  showSignedOut({ focus: true })
})

// ---------------------------------------------------------------------------------------------
// Start: continue the session the refresh cookie holds, if any.

async function start() {
  if (openEmailLink()) return
  // Entering the profile clears the address; an admin who reloads #users comes back to it.
  const address = location.hash
  showView('loading')
  try {
    const user = await api.restoreSession()
    if (user) {
      enterProfile(user)
      openAdminRoute(address)
    } else showSignedOut()
  } catch (error) {
    showSignedOut()
    notify(`We could not check your session. ${describeError(error)}`, 'error')
  }
}

start()
