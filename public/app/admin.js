/**
 * The admin screens: the user list (#users) and one user (#users/<id>), linked from the header.
 * For admins only: they are built the first time an admin opens one and removed when the
 * admin's session ends, so a non-admin's page never holds them, nor anything an admin saw. The
 * API refuses their routes to anyone else whatever a page shows; keeping the screens from
 * non-admins is for the person, not for security.
 */
import { buildUserDeleteDialog, closeUserDelete } from './admin-delete.js'
import { buildUserList, forgetUserList, openUserList } from './admin-list.js'
import { buildUserView, forgetUser, openUser } from './admin-user.js'
import { currentUser, onCurrentUserChange } from './current-user.js'
import { el } from './dom.js'
import { addView, byId, onViewChange, removeView } from './page.js'

/** #users, or #users/<id>: the id as it came, for the API to judge (404 when unknown). */
const ROUTE = /^#users(?:\/([^/?#]+))?$/

const isAdmin = (user) => user?.role === 'admin'

let built = false

function buildScreens() {
  if (built) return
  built = true
  byId('main').append(buildUserList(), buildUserView())
  document.body.append(buildUserDeleteDialog())
  addView('users', {
    element: 'view-users',
    heading: 'users-title',
    title: 'Users · Your account',
    signedIn: true,
  })
  // Its title is the user's name once loaded.
  addView('user', { element: 'view-user', title: 'User · Your account', signedIn: true })
}

/** Takes the screens, the dialog and the header's links out of the page. */
function removeScreens() {
  closeUserDelete()
  forgetUserList()
  forgetUser()
  removeView('users')
  removeView('user')
  for (const id of ['view-users', 'view-user', 'user-delete-dialog', 'admin-nav']) {
    byId(id)?.remove()
  }
  built = false
}

/** The header's links between the profile and the user list, for admins. */
function buildNav() {
  const link = (id, href, text) => el('a', { id, href, className: 'admin-nav__link' }, text)
  return el(
    'nav',
    { className: 'admin-nav', id: 'admin-nav', 'aria-label': 'Admin' },
    link('admin-nav-profile', '#profile', 'Profile'),
    link('admin-nav-users', '#users', 'Users'),
  )
}

/** Marks the link of the screen shown (aria-current), or none on other screens. */
function markCurrentLink(view) {
  const current = {
    profile: 'admin-nav-profile',
    users: 'admin-nav-users',
    user: 'admin-nav-users',
  }
  for (const link of byId('admin-nav')?.querySelectorAll('a') ?? []) {
    if (current[view] === link.id) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
}

function safelyDecoded(text) {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * Opens the admin screen `hash` names, when it names one and the signed-in user is an admin;
 * returns false otherwise (a non-admin's #users is then treated as any other address).
 */
export function openAdminRoute(hash = location.hash) {
  const match = ROUTE.exec(hash)
  if (!match || !isAdmin(currentUser())) return false
  buildScreens()
  // Signing in clears the address; a reload of #users keeps its place.
  if (location.hash !== hash) history.replaceState(null, '', hash)
  if (match[1] === undefined) openUserList()
  else openUser(safelyDecoded(match[1]))
  return true
}

export function wireAdmin() {
  onViewChange(markCurrentLink)
  onCurrentUserChange((user) => {
    if (!isAdmin(user)) {
      // Signed out (or no longer an admin): nothing an admin saw stays in the page.
      removeScreens()
      return
    }
    if (!byId('admin-nav')) {
      byId('session-bar').prepend(buildNav())
      markCurrentLink(document.body.dataset.view)
    }
  })
}
