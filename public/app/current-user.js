/**
 * The signed-in user, or null. Its own module because the profile, the sessions card, the
 * delete dialog and app.js all read it, and an imported `let` cannot be assigned.
 */
let user = null

export const currentUser = () => user

export function setCurrentUser(next) {
  user = next
}
