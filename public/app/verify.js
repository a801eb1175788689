/**
 * Email verification: the screen a verification link opens, and "Send the link again" next to
 * the "Unverified" badge on the profile.
 */
import * as api from './api.js'
import { currentUser } from './current-user.js'
import * as emailApi from './email-api.js'
import { setBusy } from './forms.js'
import { describeError, sentence } from './messages.js'
import { byId, notify, showView } from './page.js'
import { enterProfile, refreshProfile } from './profile.js'
import { isDeadLink } from './recovery.js'

let retryToken = ''

/** Spends the token; `{user}` when it worked, `{dead: true}` for a link that cannot, or `{error}`. */
async function verify(token) {
  if (!token) return { dead: true }
  try {
    return { user: await emailApi.verifyEmail(token) }
  } catch (error) {
    return isDeadLink(error) ? { dead: true } : { error }
  }
}

/**
 * Who is signed in here, as the server now sees them (the link may just have verified them):
 * the page's user brought up to date, or the session the refresh cookie continues, or null.
 */
async function signedInUser(verified) {
  const user = currentUser()
  if (!user) return api.restoreSession().catch(() => null)
  if (verified?.userId === user.userId) return verified
  return api.getMe().catch(() => user)
}

function describeOutcome(outcome, user) {
  if (outcome.user) {
    return {
      kind: 'success',
      title: 'Email verified',
      text: `${outcome.user.email} is confirmed.${user ? '' : ' Log in to continue.'}`,
    }
  }
  if (outcome.dead) {
    let next = 'Sign in and ask for a new one.'
    if (user) {
      next = user.emailVerified
        ? `Your email address ${user.email} is verified: there is nothing more to do.`
        : 'Ask for a new one on your profile.'
    }
    return {
      kind: 'problem',
      title: 'This link no longer works',
      text: `This link was already used or has expired. ${next}`,
    }
  }
  return {
    kind: 'problem',
    title: 'We could not confirm your email',
    text: describeError(outcome.error),
  }
}

/** The screen a verification link opens: the token is spent, then the outcome is shown. */
export async function openVerifyLink(token) {
  const loading = byId('loading-title')
  loading.textContent = 'Confirming your email address…'
  showView('loading')
  const outcome = await verify(token)
  const user = await signedInUser(outcome.user)
  loading.textContent = 'Checking your session…'
  // Behind this screen, the profile shows what the server now knows (the badge gone).
  if (user) enterProfile(user)
  const { kind, title, text } = describeOutcome(outcome, user)
  byId('verify-outcome').className = `outcome outcome--${kind}`
  byId('verify-title').textContent = title
  byId('verify-text').textContent = text
  byId('verify-to-profile').hidden = !user
  byId('verify-to-login').hidden = Boolean(user)
  // Only a failure that was not the link's (offline, the server down) is worth another try.
  retryToken = outcome.error ? token : ''
  byId('verify-retry').hidden = !outcome.error
  showView('verify', { focus: true })
}

function setResendStatus(message, kind = 'success') {
  const status = byId('verify-resend-status')
  status.textContent = message
  status.className = `form-status form-status--${kind}`
}

export function wireVerification() {
  byId('verify-to-profile').addEventListener('click', () => showView('profile', { focus: true }))

  const retry = byId('verify-retry')
  retry.addEventListener('click', async () => {
    if (retry.disabled) return
    setBusy(retry, true)
    try {
      await openVerifyLink(retryToken)
    } finally {
      setBusy(retry, false)
    }
  })

  const resend = byId('verify-resend')
  resend.addEventListener('click', async () => {
    if (resend.disabled) return
    setResendStatus('')
    setBusy(resend, true)
    try {
      const message = await emailApi.resendVerificationEmail()
      // 202 also when the address was verified meanwhile (say, in another tab): look again.
      const user = await api.getMe().catch(() => null)
      if (user?.emailVerified) {
        refreshProfile(user)
        notify(`Your email address ${user.email} is already verified.`, 'info')
      } else {
        setResendStatus(`Sent. ${sentence(message)}`)
      }
    } catch (error) {
      // 429 within a minute of the last one: describeError says how long to wait.
      if (error.code !== 'session_ended') setResendStatus(describeError(error), 'error')
    } finally {
      setBusy(resend, false)
    }
  })
}
