/**
 * The page around the forms: element lookup, the page-wide notice, and which view shows.
 * Every view is in index.html from the start; showing one hides the others.
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
  profile: { element: 'view-profile', heading: 'profile-title', title: 'Your profile' },
}

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

export function showView(name, { focus = false } = {}) {
  for (const [key, view] of Object.entries(VIEWS)) byId(view.element).hidden = key !== name
  const view = VIEWS[name]
  document.title = view.title
  byId('session-bar').hidden = name !== 'profile'
  document.body.dataset.view = name
  if (focus && view.heading) byId(view.heading).focus()
}

/** Signed out: the log-in form, or the create-account form when the address says #register. */
export function showSignedOut({ focus = false, email } = {}) {
  const view = location.hash === '#register' ? 'register' : 'login'
  if (email) byId(`${view}-email`).value = email
  showView(view, { focus })
}

export function clearAddressHash() {
  if (location.hash) history.replaceState(null, '', location.pathname + location.search)
}
