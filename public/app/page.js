/**
 * The page around the forms: element lookup, the page-wide notice, and which view shows.
 * Every view is in index.html from the start, but the admin screens, which are built for admins
 * only and added with `addView`; showing one view hides the others.
 */

export const byId = (id) => document.getElementById(id)

const VIEWS = {
  loading: { element: 'view-loading', title: 'Your account' },
  login: { element: 'view-login', heading: 'login-title', title: 'Log in · Your account' },
  register: {
    element: 'view-register',
    heading: 'register-title',
    title: 'Create account · Your account',
  },
  forgot: {
    element: 'view-forgot',
    heading: 'forgot-title',
    title: 'Reset password · Your account',
  },
  reset: { element: 'view-reset', heading: 'reset-title', title: 'New password · Your account' },
  verify: { element: 'view-verify', heading: 'verify-title', title: 'Email · Your account' },
  profile: {
    element: 'view-profile',
    heading: 'profile-title',
    title: 'Your profile',
    signedIn: true,
  },
}

/**
 * Adds a view built by script: `{element, heading, title, signedIn}` as above, `signedIn` for a
 * view that shows the session bar (who is logged in, log out).
 */
export function addView(name, view) {
  VIEWS[name] = view
}

export function removeView(name) {
  delete VIEWS[name]
}

/** The signed-out forms the address can name; anything else is the log-in form. */
const SIGNED_OUT_VIEWS = { '#register': 'register', '#forgot-password': 'forgot' }

let noticeTimer
/** The page-wide live region: welcome, logged out, deleted, session ended. */
export function notify(message, kind = 'success') {
  const notice = byId('notice')
  clearTimeout(noticeTimer)
  // Emptied first so that the same message twice in a row is announced twice.
  notice.textContent = ''
  notice.className = `notice notice--${kind}`
  noticeTimer = setTimeout(() => {
    notice.textContent = message
  }, 50)
}

export function clearNotice() {
  clearTimeout(noticeTimer)
  const notice = byId('notice')
  notice.textContent = ''
  notice.className = 'notice'
}

const viewListeners = []
/** Calls `listener` with the view's name whenever one is shown (the admin links mark theirs). */
export function onViewChange(listener) {
  viewListeners.push(listener)
}

export function showView(name, { focus = false } = {}) {
  for (const [key, view] of Object.entries(VIEWS)) byId(view.element).hidden = key !== name
  const view = VIEWS[name]
  document.title = view.title
  byId('session-bar').hidden = !view.signedIn
  document.body.dataset.view = name
  for (const listener of viewListeners) listener(name)
  if (focus && view.heading) byId(view.heading).focus()
}

/** Signed out: the log-in form, or the form the address names (#register, #forgot-password). */
export function showSignedOut({ focus = false, email } = {}) {
  const view = SIGNED_OUT_VIEWS[location.hash] ?? 'login'
  if (email) byId(`${view}-email`).value = email
  showView(view, { focus })
}

export function clearAddressHash() {
  if (location.hash) history.replaceState(null, '', location.pathname + location.search)
}

/**
 * A link from an email in the address (`#verify-email?token=…`, `#reset-password?token=…`):
 * returns `{kind, token}` and takes it out of the address, replacing the history entry, so the
 * token is neither left in the history nor shown over someone's shoulder. Null otherwise.
 */
export function takeEmailLink() {
  const match = /^#(verify-email|reset-password)(?:\?(.*))?$/.exec(location.hash)
  if (!match) return null
  clearAddressHash()
  return { kind: match[1], token: new URLSearchParams(match[2] ?? '').get('token') ?? '' }
}
