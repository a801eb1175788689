/** Signed out: the log-in and create-account forms. */
import * as api from './api.js'
import { handleForm } from './forms.js'
import { describeError } from './messages.js'
import { byId, notify, showSignedOut } from './page.js'
import { enterProfile } from './profile.js'

export function wireSignInForms() {
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
      const confirm =
        user.emailVerified === false ? ' We emailed you a link to confirm your address.' : ''
      notify(`Your account is ready. Welcome, ${user.name}!${confirm}`)
    } catch (error) {
      // The account exists; only the automatic log-in did not work out.
      history.replaceState(null, '', '#login')
      showSignedOut({ focus: true, email: created.email })
      notify(`Your account was created. ${describeError(error)} Please log in.`, 'info')
    }
  })
}
