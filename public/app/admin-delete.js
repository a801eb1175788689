/**
 * Deleting another user's account, from their details: a dialog asks first, with Cancel as the
 * first button and the focus, so that Enter alone deletes nothing. An admin needs no password
 * for someone else's account (the API's rule); the dialog names whose account goes.
 */
import * as adminApi from './admin-api.js'
import { ApiError } from './api.js'
import { el } from './dom.js'
import { clearFormErrors, handleForm } from './forms.js'
import { byId, notify } from './page.js'

/** The user the open dialog would delete. */
let target = null

export function buildUserDeleteDialog() {
  const cancel = el(
    'button',
    {
      type: 'button',
      className: 'button button--quiet',
      id: 'user-delete-cancel',
      autofocus: true,
    },
    'Cancel',
  )
  const form = el(
    'form',
    {
      className: 'dialog__body form--dialog',
      id: 'user-delete',
      noValidate: true,
      'data-busy-text': 'Deleting…',
    },
    el(
      'h2',
      { id: 'user-delete-dialog-title', className: 'dialog__title' },
      'Delete this account?',
    ),
    el(
      'p',
      { id: 'user-delete-dialog-text' },
      'The account of ',
      el('strong', { id: 'user-delete-dialog-who' }),
      ' will be removed and they will be logged out everywhere. This cannot be undone.',
    ),
    el('div', { className: 'form-alert', id: 'user-delete-error', role: 'alert' }),
    el(
      'div',
      { className: 'dialog__actions' },
      cancel,
      el(
        'button',
        { type: 'submit', className: 'button button--danger' },
        'Yes, delete this account',
      ),
    ),
  )
  const dialog = el(
    'dialog',
    {
      className: 'dialog',
      id: 'user-delete-dialog',
      'aria-labelledby': 'user-delete-dialog-title',
      'aria-describedby': 'user-delete-dialog-text',
    },
    form,
  )
  cancel.addEventListener('click', () => dialog.close())
  dialog.addEventListener('close', () => {
    clearFormErrors(form)
    const opener = byId('user-delete-open')
    if (target && opener && !opener.closest('[hidden]')) opener.focus()
    target = null
  })
  handleForm(form, deleteTarget)
  return dialog
}

async function deleteTarget() {
  const user = target
  if (!user) return
  let gone = true
  try {
    await adminApi.deleteUser(user.userId)
  } catch (error) {
    // Deleted meanwhile (by another admin, or by its owner): what was asked for is done.
    if (!(error instanceof ApiError && error.status === 404)) throw error
    gone = false
  }
  target = null
  byId('user-delete-dialog').close()
  // Back to the list, in place of the details of an account that is no more (hashchange opens
  // the list; the notice stays, as the list does not clear it).
  location.replace('#users')
  notify(
    gone
      ? `The account of ${user.name} (${user.email}) has been deleted.`
      : `The account of ${user.name} (${user.email}) had already been deleted.`,
    gone ? 'success' : 'info',
  )
}

/** Asks whether to delete `user`'s account. */
export function openUserDelete(user) {
  const dialog = byId('user-delete-dialog')
  target = user
  byId('user-delete-dialog-who').textContent = `${user.name} (${user.email})`
  clearFormErrors(byId('user-delete'))
  dialog.showModal()
}

/** Closes the dialog if it is open, as when the session ends under it. */
export function closeUserDelete() {
  const dialog = byId('user-delete-dialog')
  target = null
  if (dialog?.open) dialog.close()
}
