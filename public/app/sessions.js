/**
 * The Sessions card: where the account is logged in, with a button to sign out each other
 * session, and one to sign out all of them.
 */
import * as api from './api.js'
import { ApiError } from './api.js'
import { currentUser } from './current-user.js'
import { describeUserAgent } from './devices.js'
import { setAlert, setBusy } from './forms.js'
import { describeError, plural } from './messages.js'
import { byId } from './page.js'

const sessionDateFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
})
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

/** "just now", "5 minutes ago", "yesterday"; a date beyond a month. */
function describeAgo(date) {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000)
  if (seconds > -60) return 'just now'
  const units = [
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
  ]
  for (let index = units.length - 1; index >= 0; index--) {
    const [unit, size] = units[index]
    if (-seconds >= size && -seconds < 31 * 86400) {
      return relativeFormat.format(Math.round(seconds / size), unit)
    }
  }
  return sessionDateFormat.format(date)
}

function timeElement(iso, text) {
  const time = document.createElement('time')
  time.dateTime = iso
  time.title = sessionDateFormat.format(new Date(iso))
  time.textContent = text
  return time
}

function detail(list, term, value) {
  const row = document.createElement('div')
  row.className = 'session__detail'
  const dt = document.createElement('dt')
  dt.textContent = term
  const dd = document.createElement('dd')
  dd.append(value)
  row.append(dt, dd)
  list.append(row)
}

/** The client address as the API recorded it; it says "unknown" when it had none. */
const addressOf = (session) =>
  session.clientAddress && session.clientAddress !== 'unknown' ? session.clientAddress : ''

function sessionItem(session) {
  const device = describeUserAgent(session.userAgent)
  const address = addressOf(session)
  const signedIn = sessionDateFormat.format(new Date(session.createdAt))
  const item = document.createElement('li')
  item.className = session.current ? 'session session--current' : 'session'
  item.dataset.sessionId = session.sessionId

  const body = document.createElement('div')
  body.className = 'session__body'
  const heading = document.createElement('h3')
  heading.className = 'session__device'
  heading.append(device)
  if (session.current) {
    const badge = document.createElement('span')
    badge.className = 'badge badge--current'
    badge.textContent = 'This device'
    heading.append(' ', badge)
  }
  const details = document.createElement('dl')
  details.className = 'session__details'
  detail(details, 'IP address', address || 'Unknown')
  detail(details, 'Signed in', timeElement(session.createdAt, signedIn))
  detail(
    details,
    'Last active',
    session.current
      ? 'Now'
      : timeElement(session.lastUsedAt, describeAgo(new Date(session.lastUsedAt))),
  )
  body.append(heading, details)
  item.append(body)

  if (!session.current) {
    const label = address ? `${device} at ${address}` : device
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'button button--quiet session__end'
    button.textContent = 'Sign out'
    button.dataset.busyText = 'Signing out…'
    // The visible text, then which session: two sessions never share a button name.
    button.setAttribute('aria-label', `Sign out ${label}, signed in ${signedIn}`)
    button.addEventListener('click', () => endOneSession(session, button, label))
    item.append(button)
  }
  return item
}

/** How many other sessions the list shows. */
let otherSessions = 0
/** Bumped by every load and by leaving the profile, so that a late answer is dropped. */
let sessionsTicket = 0
let sessionsLoadedAt = 0
/** Older than this when the tab is shown again, the list is loaded anew. */
const SESSIONS_STALE_MS = 30_000

function renderSessions(items) {
  // This device first, then the others newest first (the API's order).
  const sorted = [...items.filter((s) => s.current), ...items.filter((s) => !s.current)]
  otherSessions = sorted.length - items.filter((s) => s.current).length
  byId('sessions-list').replaceChildren(...sorted.map(sessionItem))
  byId('sessions-alone').hidden = otherSessions > 0
  byId('sessions-end-others').hidden = otherSessions === 0
}

function setSessionsStatus(message, kind = 'success') {
  const status = byId('sessions-status')
  status.textContent = message
  status.className = `form-status form-status--${kind}`
}

/** Empties the card when leaving the profile; a load still under way is dropped. */
export function clearSessions() {
  sessionsTicket += 1
  otherSessions = 0
  byId('sessions-list').replaceChildren()
  byId('sessions-list').removeAttribute('aria-busy')
  byId('sessions-loading').hidden = true
  byId('sessions-alone').hidden = true
  byId('sessions-end-others').hidden = true
  byId('sessions-retry').hidden = true
  setAlert('sessions-error', '')
  setSessionsStatus('')
}

/** Asks the API for the sessions and shows them; resolves false when that failed. */
export async function loadSessions() {
  const ticket = ++sessionsTicket
  const list = byId('sessions-list')
  list.setAttribute('aria-busy', 'true')
  byId('sessions-loading').hidden = list.children.length > 0
  byId('sessions-retry').hidden = true
  setAlert('sessions-error', '')
  try {
    const items = await api.listSessions()
    if (ticket !== sessionsTicket) return false
    sessionsLoadedAt = Date.now()
    renderSessions(items)
    return true
  } catch (error) {
    if (ticket !== sessionsTicket) return false
    // A session that has ended is the session-lost handler's to show.
    if (!(error instanceof ApiError && error.code === 'session_ended')) {
      setAlert('sessions-error', `We could not load your sessions. ${describeError(error)}`)
      byId('sessions-retry').hidden = false
    }
    return false
  } finally {
    if (ticket === sessionsTicket) {
      list.removeAttribute('aria-busy')
      byId('sessions-loading').hidden = true
    }
  }
}

/** After an action removed the focused button, keep keyboard users in the card. */
function refocusSessions(button) {
  if (!button.isConnected && currentUser()) byId('sessions-title').focus()
}

async function endOneSession(session, button, label) {
  if (button.disabled) return
  setSessionsStatus('')
  setAlert('sessions-error', '')
  setBusy(button, true)
  try {
    const ended = await api.endSession(session.sessionId)
    await loadSessions()
    setSessionsStatus(
      ended ? `Signed out ${label}.` : `${label} was already signed out.`,
      ended ? 'success' : 'info',
    )
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'session_ended')) {
      setAlert('sessions-error', `${label} is still signed in: ${describeError(error)}`)
    }
  } finally {
    setBusy(button, false)
    refocusSessions(button)
  }
}

/** Wires the card's own buttons, and a reload when the tab comes back after a while. */
export function wireSessionsCard() {
  byId('sessions-end-others').addEventListener('click', async (event) => {
    const button = event.currentTarget
    if (button.disabled) return
    const count = otherSessions
    setSessionsStatus('')
    setAlert('sessions-error', '')
    setBusy(button, true)
    try {
      await api.logOutOthers()
      await loadSessions()
      setSessionsStatus(`Signed out ${plural(count, 'other session')}.`)
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'session_ended')) {
        setAlert(
          'sessions-error',
          `The other sessions are still signed in: ${describeError(error)}`,
        )
      }
    } finally {
      setBusy(button, false)
      // Hidden now that there is no other session: the heading takes the focus.
      if (button.hidden && currentUser() && document.activeElement === document.body) {
        byId('sessions-title').focus()
      }
    }
  })

  byId('sessions-retry').addEventListener('click', async (event) => {
    const button = event.currentTarget
    if (button.disabled) return
    setBusy(button, true)
    try {
      await loadSessions()
    } finally {
      setBusy(button, false)
      if (button.hidden && currentUser() && document.activeElement === document.body) {
        byId('sessions-title').focus()
      }
    }
  })

  // Back on this tab after a while: show what changed elsewhere. If this session was ended from
  // another device meanwhile, the request finds out and the log-in form is shown.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible' || !currentUser()) return
    if (Date.now() - sessionsLoadedAt > SESSIONS_STALE_MS) loadSessions()
  })
}
