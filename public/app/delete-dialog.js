/** The dialog that deletes the account, after the person confirms with their password. */
import * as api from './api.js'
import { currentUser, setCurrentUser } from './current-user.js'
import { clearFormErrors, handleForm } from './forms.js'
import { byId, clearNotice } from './page.js'
import { leaveProfile } from './profile.js'

const deleteDialog = byId('delete-dialog')
const deleteForm = byId('delete-dialog-form')

/** Closes the dialog if it is open, as when the session ends under it. */
export function closeDeleteDialog() {
  if (deleteDialog.open) deleteDialog.close()
}

export function wireDeleteDialog() {
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
    if (currentUser()) byId('delete-open').focus()
  })

  handleForm(deleteForm, async ({ currentPassword }) => {
    await api.deleteMe(currentPassword)
    setCurrentUser(null)
    deleteDialog.close()
    leaveProfile({ notice: 'Your account has been deleted.' })
  })
}
