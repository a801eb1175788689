/**
 * The admin's user list (#users): a search by the start of an email or a name, pages of
 * PAGE_SIZE users ordered by email, each user a link to their details (#users/<id>).
 * The API pages with an opaque cursor: Next page follows the page's `nextCursor`; Previous page
 * goes back to the cursor the page before was loaded with, so the list keeps each one it used.
 */
import * as adminApi from './admin-api.js'
import { ApiError } from './api.js'
import { currentUser } from './current-user.js'
import { badge, el, field, timeElement } from './dom.js'
import { handleForm, setAlert, setBusy } from './forms.js'
import { describeError } from './messages.js'
import { byId, showView } from './page.js'

/** The API's default page size: a screenful to scan. */
const PAGE_SIZE = 20

/** The search the list shows, and the cursors of its pages up to the one shown (page 1: null). */
let search = ''
let cursors = [null]
let nextCursor = null
/** Bumped by every load and by clearing, so that a late answer is dropped. */
let ticket = 0

/** A user's role as a badge, the way the profile shows the caller's own. */
export const roleBadge = (role) =>
  role === 'admin' ? badge('Admin', 'badge--admin') : badge('User')

export const unverifiedBadge = (user) =>
  user.emailVerified === false ? badge('Unverified', 'badge--warning') : null

export const isSelf = (user) => user.userId === currentUser()?.userId

export const userAddress = (user) => `#users/${encodeURIComponent(user.userId)}`

/** The list's view, built once, the first time an admin opens it. */
export function buildUserList() {
  const query = el('input', {
    id: 'users-q',
    name: 'q',
    type: 'search',
    maxLength: 255,
    spellcheck: false,
    autocomplete: 'off',
  })
  const form = el(
    'form',
    {
      id: 'users-search',
      className: 'form users-search',
      role: 'search',
      noValidate: true,
      'data-busy-text': 'Searching…',
    },
    el('div', { className: 'form-alert', id: 'users-search-error', role: 'alert' }),
    field({
      label: 'Search',
      control: query,
      hint: 'The start of an email address or a name. Leave it empty to list everyone.',
      action: el('button', { type: 'submit', className: 'button button--primary' }, 'Search'),
    }),
  )
  handleForm(form, async ({ q }) => {
    search = String(q ?? '').trim()
    await showPage([null])
  })

  const pageButton = (id, text) =>
    el(
      'button',
      { type: 'button', className: 'button button--quiet', id, 'data-busy-text': 'Loading…' },
      text,
    )
  const previous = pageButton('users-previous', 'Previous page')
  const next = pageButton('users-next', 'Next page')
  previous.addEventListener('click', () => turnPage(previous, cursors.slice(0, -1)))
  next.addEventListener('click', () => turnPage(next, [...cursors, nextCursor]))

  const header = ['Name', 'Email', 'Role', 'Member since']
  return el(
    'section',
    { className: 'view card', id: 'view-users', 'aria-labelledby': 'users-title', hidden: true },
    el('h1', { id: 'users-title', className: 'card__title', tabIndex: -1 }, 'Users'),
    el(
      'p',
      { className: 'card__lead' },
      'Every account, by email. Open one to see its details, change its role or delete it.',
    ),
    form,
    el('p', { className: 'users-summary muted', id: 'users-summary', role: 'status' }),
    el(
      'table',
      { className: 'users-table', id: 'users-table', hidden: true },
      el('caption', { className: 'visually-hidden', id: 'users-caption' }, 'Users'),
      el('thead', {}, el('tr', {}, ...header.map((text) => el('th', { scope: 'col' }, text)))),
      el('tbody', { id: 'users-rows' }),
    ),
    el(
      'nav',
      { className: 'users-pager', id: 'users-pager', 'aria-label': 'Pages of users', hidden: true },
      previous,
      el('span', { className: 'users-pager__page muted', id: 'users-page' }),
      next,
    ),
  )
}

function userRow(user) {
  return el(
    'tr',
    { 'data-user-id': user.userId },
    el(
      'td',
      { className: 'users-table__name' },
      el('a', { href: userAddress(user) }, user.name),
      isSelf(user) && [' ', badge('You', 'badge--current')],
    ),
    el('td', { className: 'users-table__email' }, user.email, unverifiedBadge(user)),
    el('td', { className: 'users-table__role' }, roleBadge(user.role)),
    el('td', { className: 'users-table__since' }, timeElement(user.createdAt)),
  )
}

function describeList(count) {
  const page = cursors.length
  if (count === 0) {
    if (page > 1) return 'No more users.'
    return search ? `No email or name starts with “${search}”.` : 'There are no users yet.'
  }
  const which = search ? `Users whose email or name starts with “${search}”` : 'All users'
  return `${which}, page ${page}.`
}

function render(items) {
  byId('users-rows').replaceChildren(...items.map(userRow))
  byId('users-table').hidden = items.length === 0
  byId('users-caption').textContent = `Users, page ${cursors.length}`
  byId('users-summary').textContent = describeList(items.length)
  byId('users-page').textContent = `Page ${cursors.length}`
  syncPager()
}

/** The buttons say where one can go: Previous from page 2 on, Next while there is more. */
function syncPager() {
  const onlyPage = cursors.length === 1 && !nextCursor
  byId('users-pager').hidden = onlyPage
  byId('users-previous').disabled = cursors.length === 1
  byId('users-next').disabled = !nextCursor
}

/**
 * Loads the page that `pageCursors` ends with and shows it. Resolves false when a newer load
 * overtook it; rejects with ApiError when the API refused or could not be reached.
 */
async function showPage(pageCursors) {
  const mine = ++ticket
  const table = byId('users-table')
  table.setAttribute('aria-busy', 'true')
  try {
    const page = await adminApi.listUsers({
      q: search,
      cursor: pageCursors.at(-1),
      limit: PAGE_SIZE,
    })
    if (mine !== ticket) return false
    cursors = pageCursors
    nextCursor = page.nextCursor
    render(page.items)
    return true
  } catch (error) {
    if (mine !== ticket) return false
    throw error
  } finally {
    if (mine === ticket) table.removeAttribute('aria-busy')
  }
}

function showLoadError(error) {
  // A session that has ended is the session-lost handler's to show.
  if (error instanceof ApiError && error.code === 'session_ended') return
  setAlert('users-search-error', `We could not load the users. ${describeError(error)}`)
}

async function turnPage(button, pageCursors) {
  if (button.disabled) return
  setAlert('users-search-error', '')
  setBusy(button, true)
  try {
    await showPage(pageCursors)
  } catch (error) {
    showLoadError(error)
  } finally {
    setBusy(button, false)
    syncPager()
    // On the first or the last page, the button just pressed is disabled: it cannot keep the
    // focus (the browser drops it on the body), so the other one takes it.
    const focus = document.activeElement
    if (button.disabled && (focus === button || focus === document.body)) {
      const other = button.id === 'users-next' ? 'users-previous' : 'users-next'
      byId(other).disabled ? byId('users-title').focus() : byId(other).focus()
    }
  }
}

/** Shows the list, loading the page it was on afresh (a role or an account may have changed). */
export async function openUserList() {
  showView('users', { focus: true })
  setAlert('users-search-error', '')
  try {
    await showPage(cursors)
  } catch (error) {
    showLoadError(error)
  }
}

/** Forgets the list when the admin's session ends (admin.js removes its view). */
export function forgetUserList() {
  ticket += 1
  search = ''
  cursors = [null]
  nextCursor = null
}
