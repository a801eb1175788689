import { Hono } from 'hono'
import { releaseAttemptQueries } from '../auth/queries'
import { beginThrottledCheck } from '../auth/session'
import type { AppEnv } from '../env'
import { forbidden, notFound, unauthorized, validationError } from '../lib/errors'
import { hashPassword, verifyPassword } from '../lib/password'
import { toBase64Url } from '../lib/tokens'
import { validate } from '../lib/validation'
import { requireAdmin, requireAuth } from '../middleware/auth'
import { clientAddress } from '../middleware/client-address'
import { requireMediaType } from '../middleware/media-type'
import { loginHandlers, meHandlers, registerHandlers } from './handlers'
import {
  changePassword,
  deleteUserWithAudit,
  findUserById,
  listUsers,
  type UserChanges,
  updateUser,
} from './queries'
import {
  ChangePasswordBody,
  CONTROL_CHARACTERS,
  ListUsersQuery,
  toUser,
  UpdateMeBody,
  UpdateUserBody,
} from './schemas'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A malformed id names no user: 404, like an unknown one. */
const parseUserId = (raw: string) => {
  if (!UUID.test(raw)) throw notFound('User not found')
  return raw.toLowerCase()
}

const encodeCursor = (email: string) => toBase64Url(new TextEncoder().encode(email))

const decodeCursor = (cursor: string): string => {
  let email: string
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))
    email = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    )
  } catch {
    email = '\u0000'
  }
  if (CONTROL_CHARACTERS.test(email)) {
    throw validationError([{ field: 'cursor', message: 'is not a valid cursor' }])
  }
  return email
}

export const usersRoutes = new Hono<AppEnv>()
  .use(requireMediaType('json'))
  .post('/', ...registerHandlers)
  .post('/login', ...loginHandlers)
  .get('/me', ...meHandlers)
  .on(['PATCH', 'PUT'], '/me', requireAuth(), validate('json', UpdateMeBody), async (c) => {
    const user = await updateUser(c.var.db, c.var.auth.user.id, c.req.valid('json'))
    if (!user) throw notFound('User not found')
    return c.json({ success: true, message: 'Profile updated', data: toUser(user) })
  })
  .post('/me/password', requireAuth(), validate('json', ChangePasswordBody), async (c) => {
    const { currentPassword, newPassword } = c.req.valid('json')
    const { user } = c.var.auth
    // A stolen access token must not become a way to guess the password without limit: this
    // check counts against the same throttle as a login.
    const { keys } = await beginThrottledCheck(c, user.email)
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      throw validationError(
        [{ field: 'currentPassword', message: 'is not your current password' }],
        'The current password is not correct',
      )
    }
    const passwordHash = await hashPassword(newPassword, c.var.config.bcryptCost)
    const changed = await changePassword(
      c.var.db,
      { userId: user.id, tokenVersion: user.tokenVersion, passwordHash },
      releaseAttemptQueries(c.var.db, keys),
    )
    if (!changed) throw unauthorized('The access token has been revoked')
    c.var.log.info('password changed', { userId: user.id })
    return c.body(null, 204)
  })
  .delete('/me', requireAuth(), async (c) => {
    const { user } = c.var.auth
    await deleteUserWithAudit(c.var.db, {
      targetId: user.id,
      actorId: user.id,
      clientAddress: clientAddress(c),
      requestId: c.var.requestId,
    })
    c.var.log.info('user deleted', { userId: user.id, actorId: user.id })
    return c.body(null, 204)
  })
  .get('/', requireAuth(), requireAdmin(), validate('query', ListUsersQuery), async (c) => {
    const { limit, cursor, q } = c.req.valid('query')
    const page = await listUsers(c.var.db, {
      limit,
      afterEmail: cursor === undefined ? undefined : decodeCursor(cursor),
      prefix: q || undefined,
    })
    const last = page.rows.at(-1)
    return c.json({
      success: true,
      data: {
        items: page.rows.map(toUser),
        nextCursor: page.hasMore && last ? encodeCursor(last.email) : null,
      },
    })
  })
  .get('/:userId', requireAuth(), async (c) => {
    const userId = parseUserId(c.req.param('userId'))
    const { user: caller } = c.var.auth
    if (caller.role !== 'admin' && caller.id !== userId) throw forbidden()
    const user = caller.id === userId ? caller : await findUserById(c.var.db, userId)
    if (!user) throw notFound('User not found')
    return c.json({ success: true, data: toUser(user) })
  })
  .on(['PATCH', 'PUT'], '/:userId', requireAuth(), validate('json', UpdateUserBody), async (c) => {
    const userId = parseUserId(c.req.param('userId'))
    const { user: caller } = c.var.auth
    const changes: UserChanges = c.req.valid('json')
    if (caller.role !== 'admin') {
      if (caller.id !== userId) throw forbidden()
      if (changes.role !== undefined) throw forbidden('Only an admin may change a role')
    }
    const user = await updateUser(c.var.db, userId, changes)
    if (!user) throw notFound('User not found')
    if (changes.role !== undefined) {
      c.var.log.info('role set', { userId, actorId: caller.id, role: changes.role })
    }
    return c.json({ success: true, message: 'User updated', data: toUser(user) })
  })
  .delete('/:userId', requireAuth(), async (c) => {
    const userId = parseUserId(c.req.param('userId'))
    const { user: caller } = c.var.auth
    if (caller.role !== 'admin' && caller.id !== userId) throw forbidden()
    const deleted = await deleteUserWithAudit(c.var.db, {
      targetId: userId,
      actorId: caller.id,
      clientAddress: clientAddress(c),
      requestId: c.var.requestId,
    })
    if (!deleted) throw notFound('User not found')
    c.var.log.info('user deleted', { userId, actorId: caller.id })
    return c.body(null, 204)
  })

/** The original FastAPI service's paths, kept so its clients keep working. */
export const legacyUsersRoutes = new Hono<AppEnv>()
  .use(requireMediaType('json'))
  .post('/register', ...registerHandlers)
  .post('/login', ...loginHandlers)
  .get('/me', ...meHandlers)
