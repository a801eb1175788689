/**
 * The browser app: log in, create an account, see, edit and delete the profile, log out.
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
}

function enterProfile(user, { focus = false } = {}) {
  currentUser = user
  clearAddressHash()
  renderProfile(user)
  for (const form of ['profile-form', 'password-form']) clearFormErrors(byId(form))
  byId('password-form').reset()
  setAlert('delete-dialog-error', '')
  showView('profile', { focus })
}

function leaveProfile({ notice, kind = 'success', email } = {}) {
  currentUser = null
  api.forgetSession()
  byId('login-form').reset()
  byId('register-form').reset()
  clearFormErrors(byId('login-form'))
  clearFormErrors(byId('register-form'))
  clearAddressHash()
  showSignedOut({ focus: true, email })
  if (notice) notify(notice, kind)
}

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

handleForm(byId('profile-form'), async ({ name, email }) => {
  const changes = {}
  if (name.trim() !== currentUser.name) changes.name = name
  if (email.trim().toLowerCase() !== currentUser.email) changes.email = email
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

byId('delete-open').addEventListener('click', () => {
  setAlert('delete-dialog-error', '')
  clearNotice()
  deleteDialog.showModal()
})

deleteDialog.addEventListener('close', () => {
  if (currentUser) byId('delete-open').focus()
})

byId('delete-confirm').addEventListener('click', async (event) => {
  const button = event.currentTarget
  if (button.disabled) return
  setAlert('delete-dialog-error', '')
  setBusy(button, true)
  try {
    await api.deleteMe()
    currentUser = null
    deleteDialog.close()
    leaveProfile({ notice: 'Your account has been deleted.' })
  } catch (error) {
    if (error instanceof ApiError && error.code === 'session_ended') deleteDialog.close()
    else setAlert('delete-dialog-error', describeError(error))
  } finally {
    setBusy(button, false)
  }
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
