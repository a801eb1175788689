// The admin routes: the user list, one user, a role change and a deletion. The API refuses them
// (403) to anyone but an admin whatever the page shows; they share api.js's session handling.
import { authed } from './api.js'

const userPath = (userId) => `/v1/users/${encodeURIComponent(userId)}`

/**
 * One page of users, ordered by email: `q` keeps those whose email or name starts with it;
 * `cursor` is the `nextCursor` of the page before (opaque). Resolves with `{items, nextCursor}`,
 * `nextCursor` null on the last page.
 */
export async function listUsers({ q = '', cursor = null, limit }) {
  const query = new URLSearchParams({ limit: String(limit) })
  if (q) query.set('q', q)
  if (cursor) query.set('cursor', cursor)
  const data = await authed('GET', `/v1/users?${query}`)
  return {
    items: Array.isArray(data?.items) ? data.items : [],
    nextCursor: typeof data?.nextCursor === 'string' ? data.nextCursor : null,
  }
}

/** One user; 404 when there is no such user (deleted meanwhile, or a mistyped address). */
export const getUser = (userId) => authed('GET', userPath(userId))

/**
 * Sets a user's role; resolves with the user as saved. A new role ends every session of that
 * user, so their next login carries it.
 */
export const setRole = (userId, role) => authed('PATCH', userPath(userId), { body: { role } })

/**
 * Deletes another user's account (204; audit-logged with this admin as the actor). An admin
 * needs no password for someone else's account; one's own goes through the profile.
 */
export async function deleteUser(userId) {
  await authed('DELETE', userPath(userId))
}
