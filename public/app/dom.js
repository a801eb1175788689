/**
 * Builds elements from script, for screens that are not in index.html from the start (the
 * admin screens, built only for admins). Text is always set as text, never parsed as HTML.
 */

/** Set as attributes; everything else in `props` is set as a property (className, hidden…). */
const ATTRIBUTE = /^(?:aria-|data-)|^(?:for|role|autocomplete|inputmode)$/

/**
 * `el('p', { className: 'muted', 'aria-live': 'polite' }, 'text', otherNode)`. Children that
 * are null, undefined or false are left out, so a child can be written as a condition.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue
    if (ATTRIBUTE.test(key)) node.setAttribute(key, String(value))
    else node[key] = value
  }
  node.append(
    ...children.flat().filter((child) => child !== null && child !== undefined && child !== false),
  )
  return node
}

/**
 * A field as the app's forms have it: label, control, hint, and the error place forms.js fills
 * (`<control id>-error`). `action`, a button, sits on the control's line.
 */
export function field({ label, control, hint, action }) {
  const hintId = hint ? `${control.id}-hint` : undefined
  if (hintId) control.setAttribute('aria-describedby', hintId)
  return el(
    'div',
    { className: 'field' },
    el('label', { for: control.id }, label),
    action ? el('div', { className: 'field__row' }, control, action) : control,
    hint && el('p', { className: 'field__hint', id: hintId }, hint),
    el('p', { className: 'field__error', id: `${control.id}-error`, hidden: true }),
  )
}

/** A badge as the profile shows them: `badge('Admin', 'badge--admin')`. */
export const badge = (text, modifier) =>
  el('span', { className: modifier ? `badge ${modifier}` : 'badge' }, text)

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
})

/** A <time> showing a date (with the time too when `withTime`), the full moment in its title. */
export function timeElement(iso, { withTime = false } = {}) {
  const date = new Date(iso)
  return el(
    'time',
    { dateTime: iso, title: dateTimeFormat.format(date) },
    (withTime ? dateTimeFormat : dateFormat).format(date),
  )
}
