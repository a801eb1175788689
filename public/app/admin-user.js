/**
 * One user, for an admin (#users/<id>): their details, their role, and the button that deletes
 * the account (after a confirmation, admin-delete.js). On the admin's own account the role and
 * the delete button are left out: deleting oneself asks for one's password (the profile does
 * that), and a new role would end one's own sessions and might leave no admin at all.
 */

import * as adminApi from './admin-api.js'
import { closeUserDelete, openUserDelete } from './admin-delete.js'
import { isSelf, roleBadge, unverifiedBadge } from './admin-list.js'
import { ApiError } from './api.js'
import { el, field, timeElement } from './dom.js'
import { clearFormErrors, handleForm, setAlert, setFormStatus } from './forms.js'
import { describeError } from './messages.js'
import { byId, clearNotice, showView } from './page.js'
import { initials } from './profile.js'

const ROLE_NAMES = { admin: 'Admin', user: 'User' }

/** The user shown, as the API last returned them; null while loading or after a failure. */
let shown = null
/** Bumped by every load and by clearing, so that a late answer is dropped. */
let ticket = 0

const detailRow = (term, id) =>
  el('div', { className: 'details__row' }, el('dt', {}, term), el('dd', { id }))

const card = (id, title, ...children) =>
  el(
    'section',
    { className: 'card', id, 'aria-labelledby': `${id}-title`, hidden: true },
    el('h2', { id: `${id}-title`, className: 'card__subtitle' }, title),
    ...children,
  )

function buildRoleForm() {
  const select = el(
    'select',
    { id: 'user-role-select', name: 'role' },
    ...Object.entries(ROLE_NAMES).map(([value, text]) => el('option', { value }, text)),
  )
  const form = el(
    'form',
    { id: 'user-role', className: 'form', noValidate: true, 'data-busy-text': 'Saving…' },
    el('div', { className: 'form-alert', id: 'user-role-error', role: 'alert' }),
    field({ label: 'Role', control: select }),
    el(
      'div',
      { className: 'form__actions' },
      el('button', { type: 'submit', className: 'button button--primary' }, 'Change role'),
      el('p', { className: 'form-status', id: 'user-role-status', role: 'status' }),
    ),
  )
  handleForm(form, changeRole)
  return form
}

/** "an Admin", "a User". */
const asRole = (role) => (role === 'admin' ? 'an Admin' : 'a User')

async function changeRole({ role }) {
  const before = shown
  if (!before) return
  const form = byId('user-role')
  if (role === before.role) {
    setFormStatus(form, `Nothing to change: ${before.name} is already ${asRole(role)}.`, 'info')
    return
  }
  const user = await adminApi.setRole(before.userId, role)
  render(user)
  setFormStatus(
    form,
    `${user.name} is now ${asRole(user.role)}, and has been logged out everywhere: their next login carries the new role.`,
  )
}

/** The view, built once, the first time an admin opens a user. */
export function buildUserView() {
  const openDelete = el(
    'button',
    { type: 'button', className: 'button button--danger-outline', id: 'user-delete-open' },
    'Delete this account',
  )
  openDelete.addEventListener('click', () => {
    if (shown) openUserDelete(shown)
  })
  const deleteCard = card(
    'user-delete-card',
    'Delete account',
    el(
      'p',
      { className: 'card__lead' },
      'Removes their profile and logs them out everywhere. This cannot be undone.',
    ),
    el('div', { className: 'form__actions' }, openDelete),
  )
  deleteCard.classList.add('card--danger')

  return el(
    'div',
    { className: 'view stack', id: 'view-user', hidden: true },
    el('p', { className: 'back-link' }, el('a', { href: '#users' }, 'All users')),
    el(
      'section',
      { className: 'card', 'aria-labelledby': 'user-title' },
      el(
        'div',
        { className: 'profile-head' },
        el('div', { className: 'avatar', id: 'user-avatar', 'aria-hidden': 'true' }),
        el(
          'div',
          { className: 'profile-head__text' },
          el('h1', { id: 'user-title', className: 'card__title', tabIndex: -1 }, 'User'),
          el('p', { className: 'muted', id: 'user-subtitle' }),
        ),
      ),
      el('div', { className: 'form-alert user__alert', id: 'user-error', role: 'alert' }),
      el(
        'dl',
        { className: 'details', id: 'user-details', hidden: true },
        detailRow('Name', 'user-name'),
        detailRow('Email', 'user-email'),
        detailRow('Role', 'user-role-now'),
        detailRow('Member since', 'user-since'),
        detailRow('Last changed', 'user-updated'),
        detailRow('User ID', 'user-id'),
      ),
    ),
    card(
      'user-role-card',
      'Change role',
      el(
        'p',
        { className: 'card__lead' },
        'An admin can see, change and delete every account. A new role logs the person out everywhere.',
      ),
      buildRoleForm(),
    ),
    deleteCard,
    card(
      'user-self',
      'Your own account',
      el(
        'p',
        { className: 'card__lead' },
        'Change your details or delete your account from ',
        el('a', { href: '#profile' }, 'your profile'),
        ', where your password confirms it. Your own role is for another admin to change.',
      ),
    ),
  )
}

function render(user) {
  shown = user
  const self = isSelf(user)
  document.title = `${user.name} · Users`
  byId('user-title').textContent = user.name
  byId('user-subtitle').textContent = user.email
  byId('user-avatar').textContent = initials(user.name)
  byId('user-name').textContent = user.name
  byId('user-email').replaceChildren(user.email, unverifiedBadge(user) ?? '')
  byId('user-role-now').replaceChildren(roleBadge(user.role))
  byId('user-since').replaceChildren(timeElement(user.createdAt))
  byId('user-updated').replaceChildren(timeElement(user.updatedAt, { withTime: true }))
  byId('user-id').replaceChildren(el('code', {}, user.userId))
  byId('user-details').hidden = false
  byId('user-role-select').value = user.role
  byId('user-role-card').hidden = self
  byId('user-delete-card').hidden = self
  byId('user-self').hidden = !self
}

/** Empties the view: nothing of the user shown before stays while another loads. */
function reset() {
  shown = null
  closeUserDelete()
  byId('user-title').textContent = 'User'
  byId('user-subtitle').textContent = ''
  byId('user-avatar').textContent = ''
  byId('user-details').hidden = true
  for (const id of ['user-role-card', 'user-delete-card', 'user-self']) byId(id).hidden = true
  setAlert('user-error', '')
  clearFormErrors(byId('user-role'))
}

/** Shows the user with this id, as the API has them now. */
export async function openUser(userId) {
  const mine = ++ticket
  reset()
  clearNotice()
  byId('user-subtitle').textContent = 'Loading…'
  showView('user')
  try {
    const user = await adminApi.getUser(userId)
    if (mine !== ticket) return
    render(user)
  } catch (error) {
    if (mine !== ticket) return
    byId('user-subtitle').textContent = ''
    // A session that has ended is the session-lost handler's to show.
    if (error instanceof ApiError && error.code === 'session_ended') return
    setAlert('user-error', `We could not load this user. ${describeError(error)}`)
  }
  // Focus once there is something to read: the user's name, or why there is none.
  byId('user-title').focus()
}

/** Forgets the user shown when the admin's session ends (admin.js removes its view). */
export function forgetUser() {
  ticket += 1
  shown = null
}
