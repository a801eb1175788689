/**
 * Forms: the browser's own checks, field errors next to their fields, the alert above a form,
 * its status next to the button, and the busy state while a request is out.
 */
import { ApiError } from './api.js'
import { describeError, sentence } from './messages.js'
import { byId, clearNotice } from './page.js'

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

export function clearFieldError(input) {
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
export function setAlert(id, message) {
  byId(id).textContent = message
}

const setFormAlert = (form, message) => setAlert(`${form.id}-error`, message)

function fieldsOf(form) {
  return [...form.elements].filter((element) => element instanceof HTMLInputElement)
}

/** A form's own success message, next to its button (a live region too). */
export function setFormStatus(form, message, kind = 'success') {
  const status = byId(`${form.id}-status`)
  if (!status) return
  status.textContent = message
  status.className = `form-status form-status--${kind}`
}

export function clearFormErrors(form) {
  setFormStatus(form, '')
  setFormAlert(form, '')
  for (const input of fieldsOf(form)) clearFieldError(input)
}

/** A field that repeats another (`data-same-as="<id>"`) and differs from it. */
function differsFromTwin(input) {
  const twin = input.dataset.sameAs && byId(input.dataset.sameAs)
  return Boolean(twin) && input.value !== twin.value
}

/**
 * The browser's own checks (required, type=email, minlength), and a repeated password that
 * differs, shown like the API's errors.
 */
function checkLocally(form) {
  const invalid = fieldsOf(form).filter((input) => !input.checkValidity() || differsFromTwin(input))
  for (const input of invalid) {
    const { validity } = input
    let message = 'Check this field.'
    if (validity.valueMissing) {
      message = input.dataset.missing ?? `Enter your ${labelFor(input).toLowerCase()}.`
    } else if (validity.typeMismatch) message = 'Enter an email address like name@example.com.'
    else if (validity.tooShort) message = `Use at least ${input.minLength} characters.`
    else if (validity.tooLong) message = `Use at most ${input.maxLength} characters.`
    else if (differsFromTwin(input)) message = 'The two passwords do not match.'
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

export function setBusy(button, busy) {
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
export function handleForm(form, action) {
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
