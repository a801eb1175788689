/**
 * The signed-in user, or null. Its own module because the profile, the sessions card, the
 * delete dialog and app.js all read it, and an imported `let` cannot be assigned.
 */
let user = null
const listeners = []

export const currentUser = () => user

export function setCurrentUser(next) {
  user = next
  for (const listener of listeners) listener(next)
}

/**
 * Calls `listener` with the user whenever it is set (null when signed out), so the admin
 * screens appear and go with an admin's session without the profile knowing of them.
 */
export function onCurrentUserChange(listener) {
  listeners.push(listener)
}
