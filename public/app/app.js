/**
 * The browser app: log in, create an account, see, edit and delete the profile, see and end
 * sessions, log out.
 * Plain DOM, no framework. The API's answers are the truth; the browser's own checks only catch
 * empty or malformed fields before a round trip.
 */
import * as api from './api.js'
import { ApiError } from './api.js'

const byId = (id) => document.getElementById(id)

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

/** The signed-in user, or null. */
let currentUser = null

// ---------------------------------------------------------------------------------------------
// Messages

function plural(count, unit) {
  return `${count} ${unit}${count === 1 ? '' : 's'}`
}

function describeWait(seconds) {
  if (seconds < 90) return plural(seconds, 'second')
  return plural(Math.ceil(seconds / 60), 'minute')
}

/** What to tell the person about a failed request. */
function describeError(error) {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.'
  if (error.status === 0) {
    return 'We could not reach the server. Check your connection and try again.'
  }
  if (error.status === 429) {
    const wait = error.retryAfter ? ` Please wait ${describeWait(error.retryAfter)}.` : ''
    return `${sentence(error.message || 'Too many requests')}${wait}`
  }
  if (error.status === 503) {
    return 'The service is temporarily unavailable. Please try again in a moment.'
  }
  if (error.status >= 500) {
    return 'Something went wrong on our side. Please try again in a moment.'
  }
  return sentence(error.message || 'The request could not be completed.')
}

/** "must contain a digit" → "Must contain a digit." */
function sentence(text) {
  const trimmed = String(text).trim()
  if (!trimmed) return ''
  const capitalised = trimmed[0].toUpperCase() + trimmed.slice(1)
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`
}

// ---------------------------------------------------------------------------------------------
// Notices (the page-wide live region) and views

let noticeTimer
function notify(message, kind = 'success') {
  const notice = byId('notice')
  clearTimeout(noticeTimer)
  // Emptied first so that the same message twice in a row is announced twice.
  notice.textContent = ''
  notice.className = `notice notice--${kind}`
  noticeTimer = setTimeout(() => {
    notice.textContent = message
  }, 50)
}

function clearNotice() {
  clearTimeout(noticeTimer)
  const notice = byId('notice')
  notice.textContent = ''
  notice.className = 'notice'
}

function showView(name, { focus = false } = {}) {
  for (const [key, view] of Object.entries(VIEWS)) byId(view.element).hidden = key !== name
  const view = VIEWS[name]
  document.title = view.title
  byId('session-bar').hidden = name !== 'profile'
  document.body.dataset.view = name
  if (focus && view.heading) byId(view.heading).focus()
}

/** Signed out: the log-in form, or the create-account form when the address says #register. */
function showSignedOut({ focus = false, email } = {}) {
  const view = location.hash === '#register' ? 'register' : 'login'
  if (email) byId(`${view}-email`).value = email
  showView(view, { focus })
}

function clearAddressHash() {
  if (location.hash) history.replaceState(null, '', location.pathname + location.search)
}

// ---------------------------------------------------------------------------------------------
// Forms: field errors, busy state

function labelFor(input) {
  return input.labels?.[0]?.textContent.trim() ?? input.name
}

function setFieldError(input, message) {
  const error = byId(`${input.id}-error`)
  if (!error) return
  error.textContent = message
  error.hidden = false
  input.setAttribute('aria-invalid', 'true')
  const others = (input.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter((id) => id && id !== error.id)
  input.setAttribute('aria-describedby', [error.id, ...others].join(' '))
}

function clearFieldError(input) {
  const error = byId(`${input.id}-error`)
  if (!error || error.hidden) return
  error.textContent = ''
  error.hidden = true
  input.removeAttribute('aria-invalid')
  const others = (input.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter((id) => id && id !== error.id)
  if (others.length) input.setAttribute('aria-describedby', others.join(' '))
  else input.removeAttribute('aria-describedby')
}

/** The alerts are live regions that stay in the page; an empty one takes no space (CSS). */
function setAlert(id, message) {
  byId(id).textContent = message
}

const setFormAlert = (form, message) => setAlert(`${form.id}-error`, message)

function fieldsOf(form) {
  return [...form.elements].filter((element) => element instanceof HTMLInputElement)
}

/** A form's own success message, next to its button (a live region too). */
function setFormStatus(form, message, kind = 'success') {
  const status = byId(`${form.id}-status`)
  if (!status) return
  status.textContent = message
  status.className = `form-status form-status--${kind}`
}

function clearFormErrors(form) {
  setFormStatus(form, '')
  setFormAlert(form, '')
  for (const input of fieldsOf(form)) clearFieldError(input)
}

/** The browser's own checks (required, type=email, minlength), shown like the API's errors. */
function checkLocally(form) {
  const invalid = fieldsOf(form).filter((input) => !input.checkValidity())
  for (const input of invalid) {
    const { validity } = input
    let message = 'Check this field.'
    if (validity.valueMissing) message = `Enter your ${labelFor(input).toLowerCase()}.`
    else if (validity.typeMismatch) message = 'Enter an email address like name@example.com.'
    else if (validity.tooShort) message = `Use at least ${input.minLength} characters.`
    else if (validity.tooLong) message = `Use at most ${input.maxLength} characters.`
    setFieldError(input, message)
  }
  invalid[0]?.focus()
  return invalid.length === 0
}

/** Shows a failed request: field errors next to their fields, the rest above the form. */
function showFormError(form, error) {
  if (error instanceof ApiError && error.code === 'session_ended') return
  const byField = new Map()
  const unplaced = []
  if (error instanceof ApiError) {
    for (const { field, message } of error.errors) {
      const input = fieldsOf(form).find((candidate) => candidate.name === field)
      if (input) byField.set(input, [...(byField.get(input) ?? []), sentence(message)])
      else unplaced.push(sentence(message))
    }
  }
  for (const [input, messages] of byField) setFieldError(input, messages.join(' '))
  // A message already shown next to its field (409: "An account with this email already
  // exists") is not repeated above the form.
  const summary = describeError(error)
  const shownAtField = [...byField.values()].some((messages) => messages.includes(summary))
  setFormAlert(form, [shownAtField ? '' : summary, ...unplaced].filter(Boolean).join(' '))
  const first = fieldsOf(form).find((input) => byField.has(input))
  first?.focus()
}

function setBusy(button, busy) {
  if (busy) {
    button.dataset.idleText = button.textContent
    button.textContent = button.dataset.busyText ?? button.closest('form')?.dataset.busyText
    button.disabled = true
    button.classList.add('is-busy')
    button.closest('form')?.setAttribute('aria-busy', 'true')
    return
  }
  const hadFocus = document.activeElement === button || document.activeElement === document.body
  button.textContent = button.dataset.idleText ?? button.textContent
  button.disabled = false
  button.classList.remove('is-busy')
  button.closest('form')?.removeAttribute('aria-busy')
  // A disabled button loses focus; give it back so a keyboard user is where they were.
  if (hadFocus && !button.closest('[hidden]') && button.isConnected) button.focus()
}

/**
 * Wires a form: local checks, busy state, errors. `action` gets the form's values and may
 * throw ApiError; the form shows what went wrong.
 */
function handleForm(form, action) {
  const submit = form.querySelector('button[type="submit"]')
  form.addEventListener('input', (event) => {
    if (event.target instanceof HTMLInputElement) clearFieldError(event.target)
  })
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (form.getAttribute('aria-busy') === 'true') return
    clearFormErrors(form)
    if (!checkLocally(form)) return
    clearNotice()
    setBusy(submit, true)
    try {
      await action(Object.fromEntries(new FormData(form)))
    } catch (error) {
      showFormError(form, error)
    } finally {
      setBusy(submit, false)
    }
  })
}

// ---------------------------------------------------------------------------------------------
// The profile

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' })

function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean)
  const letters = words.length > 1 ? [words[0], words.at(-1)] : words
  return letters.map((word) => [...word][0]?.toUpperCase() ?? '').join('') || '?'
}

function renderProfile(user) {
  byId('profile-name').textContent = user.name
  byId('profile-email').textContent = user.email
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
const emailChanged = () =>
  currentUser !== null &&
  byId('profile-email-input').value.trim().toLowerCase() !== currentUser.email

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

function enterProfile(user, { focus = false } = {}) {
  currentUser = user
  clearAddressHash()
  renderProfile(user)
  for (const form of ['profile-form', 'password-form', 'delete-dialog-form']) {
    clearFormErrors(byId(form))
  }
  byId('password-form').reset()
  byId('delete-dialog-form').reset()
  showView('profile', { focus })
  loadSessions()
}

function leaveProfile({ notice, kind = 'success', email } = {}) {
  currentUser = null
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

// ---------------------------------------------------------------------------------------------
// Sessions: where the account is logged in

const sessionDateFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
})
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

const BROWSERS = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:HeadlessChrome|Chrome|Chromium|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+ .*\bSafari\//, 'Safari'],
]
const SYSTEMS = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(?:Macintosh|Mac OS X)\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
]

/** A short, readable name for a user agent: "Chrome on Linux", "Safari on iPhone", "curl". */
function describeUserAgent(userAgent) {
  const text = typeof userAgent === 'string' ? userAgent : ''
  const browser = BROWSERS.find(([pattern]) => pattern.test(text))?.[1]
  const system = SYSTEMS.find(([pattern]) => pattern.test(text))?.[1]
  // Not a browser: an app or a tool names itself first ("curl/8.5.0", "okhttp/4.12").
  const product = /^([A-Za-z][\w.-]{0,29})(?:\/|$)/.exec(text.trim())?.[1]
  const what = browser ?? (product && product !== 'Mozilla' ? product : undefined)
  if (what) return system ? `${what} on ${system}` : what
  if (system) return `A browser on ${system}`
  return 'Unknown device'
}

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

function clearSessions() {
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
async function loadSessions() {
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
  if (!button.isConnected && currentUser) byId('sessions-title').focus()
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
      setAlert('sessions-error', `The other sessions are still signed in: ${describeError(error)}`)
    }
  } finally {
    setBusy(button, false)
    // Hidden now that there is no other session: the heading takes the focus.
    if (button.hidden && currentUser && document.activeElement === document.body) {
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
    if (button.hidden && currentUser && document.activeElement === document.body) {
      byId('sessions-title').focus()
    }
  }
})

// Back on this tab after a while: show what changed elsewhere. If this session was ended from
// another device meanwhile, the request finds out and the log-in form is shown.
const SESSIONS_STALE_MS = 30_000
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible' || !currentUser) return
  if (Date.now() - sessionsLoadedAt > SESSIONS_STALE_MS) loadSessions()
})

// ---------------------------------------------------------------------------------------------
// Actions

handleForm(byId('login-form'), async ({ email, password }) => {
  const user = await api.logIn(email, password)
  byId('login-form').reset()
  enterProfile(user, { focus: true })
  notify(`Welcome back, ${user.name}.`)
})

handleForm(byId('register-form'), async ({ name, email, password }) => {
  const created = await api.register({ name, email, password })
  byId('register-form').reset()
  try {
    const user = await api.logIn(created.email, password)
    enterProfile(user, { focus: true })
    notify(`Your account is ready. Welcome, ${user.name}!`)
  } catch (error) {
    // The account exists; only the automatic log-in did not work out.
    history.replaceState(null, '', '#login')
    showSignedOut({ focus: true, email: created.email })
    notify(`Your account was created. ${describeError(error)} Please log in.`, 'info')
  }
})

byId('profile-email-input').addEventListener('input', syncProfilePassword)
// Before the form's own checks (registered first), in case the email changed without an
// input event: the current-password field must be there to be checked.
byId('profile-form').addEventListener('submit', syncProfilePassword)

handleForm(byId('profile-form'), async ({ name, email, currentPassword }) => {
  const changes = {}
  if (name.trim() !== currentUser.name) changes.name = name
  if (email.trim().toLowerCase() !== currentUser.email) {
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
  currentUser = user
  renderProfile(user)
  setFormStatus(form, 'Your profile has been saved.')
})

handleForm(byId('password-form'), async ({ currentPassword, newPassword }) => {
  const { email } = currentUser
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

const deleteDialog = byId('delete-dialog')
const deleteForm = byId('delete-dialog-form')

byId('delete-open').addEventListener('click', () => {
  deleteForm.reset()
  clearFormErrors(deleteForm)
  clearNotice()
  deleteDialog.showModal()
})

byId('delete-cancel').addEventListener('click', () => deleteDialog.close())

deleteDialog.addEventListener('close', () => {
  // The password typed there is not kept once the dialog is gone.
  deleteForm.reset()
  clearFormErrors(deleteForm)
  if (currentUser) byId('delete-open').focus()
})

handleForm(deleteForm, async ({ currentPassword }) => {
  await api.deleteMe(currentPassword)
  currentUser = null
  deleteDialog.close()
  leaveProfile({ notice: 'Your account has been deleted.' })
})

api.setSessionLostHandler(() => {
  if (!currentUser) return
  const { email } = currentUser
  if (deleteDialog.open) deleteDialog.close()
  leaveProfile({ email, kind: 'info', notice: 'Your session has ended. Please log in again.' })
})

window.addEventListener('hashchange', () => {
  if (currentUser) {
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
