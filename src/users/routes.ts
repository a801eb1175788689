import type { Context } from 'hono'
import { Hono } from 'hono'
import { asBatch } from '../db/client'
import type { UserRow } from '../db/schema'
import { linkBase, newEmailToken, sendAfterAnswer } from '../email/delivery'
import { emailChangedNotice, verificationEmail } from '../email/templates'
import type { AppEnv } from '../env'
import { forbidden, notFound, unauthorized, validationError } from '../lib/errors'
import { parsePathId } from '../lib/ids'
import { hashPassword } from '../lib/password'
import { toBase64Url } from '../lib/tokens'
import { validate } from '../lib/validation'
import { requireAdmin, requireAuth } from '../middleware/auth'
import { clientAddress } from '../middleware/client-address'
import { requireMediaType } from '../middleware/media-type'
import { meHandlers, registerHandlers } from './handlers'
import {
  describeChangePassword,
  describeDeleteMe,
  describeDeleteUser,
  describeGetUser,
  describeLegacyMe,
  describeLegacyRegister,
  describeListUsers,
  describeMe,
  describeRegister,
  describeUpdateMe,
  describeUpdateUser,
} from './openapi'
import {
  type Alongside,
  changePassword,
  deleteUserWithAudit,
  type EmailChangeMail,
  findUserById,
  listUsers,
  type UserChanges,
  updateUser,
} from './queries'
import { confirmCurrentPassword } from './reauth'
import {
  ChangePasswordBody,
  CONTROL_CHARACTERS,
  DeleteAccountBody,
  ListUsersQuery,
  toUser,
  UpdateMeBody,
  UpdateUserBody,
} from './schemas'

const USER_NOT_FOUND = 'User not found'

/**
 * A change to one's own account. Changing the email needs the current password (a stolen
 * access token must not be able to take the account over); one that is sent is always
 * checked, so a wrong one never passes silently.
 */
async function updateOwnAccount(
  c: Context<AppEnv>,
  caller: UserRow,
  body: UserChanges & { currentPassword?: string | undefined },
) {
  const { currentPassword, ...changes } = body
  const changesEmail = changes.email !== undefined && changes.email !== caller.email
  const release: Alongside =
    changesEmail || currentPassword !== undefined
      ? await confirmCurrentPassword(c, caller, currentPassword)
      : []
  let user: UserRow | undefined
  try {
    user = await applyChanges(c, caller.id, changes, release)
  } catch (error) {
    // The failed batch took the give-back with it: a right password must not stay counted.
    if (release.length > 0) await c.var.db.batch(asBatch(release))
    throw error
  }
  if (!user) throw notFound(USER_NOT_FOUND)
  return user
}

/**
 * Applies the changes; a new email gets its verification link, and the old address a notice,
 * written with the change and sent after the answer.
 */
async function applyChanges(
  c: Context<AppEnv>,
  userId: string,
  changes: UserChanges,
  alongside: Alongside = [],
): Promise<UserRow | undefined> {
  let mail: EmailChangeMail | undefined
  if (changes.email !== undefined) {
    const { token, tokenHash } = await newEmailToken()
    mail = {
      tokenHash,
      verification: verificationEmail(changes.email, linkBase(c), token),
      // Addressed in the statement, which knows the old address.
      notice: emailChangedNotice('', changes.email),
    }
  }
  const updated = await updateUser(c.var.db, userId, changes, { alongside, mail })
  if (!updated) return undefined
  sendAfterAnswer(c, updated.outboxIds)
  return updated.user
}

/** Deletes one's own account, with the current password; 204. */
async function deleteOwnAccount(c: Context<AppEnv>, caller: UserRow, currentPassword?: string) {
  const release = await confirmCurrentPassword(c, caller, currentPassword)
  await deleteUserWithAudit(
    c.var.db,
    {
      targetId: caller.id,
      actorId: caller.id,
      clientAddress: clientAddress(c),
      requestId: c.var.requestId,
      clientRequestId: c.var.clientRequestId,
    },
    release,
  )
  c.var.log.info('user deleted', { userId: caller.id, actorId: caller.id })
  return c.body(null, 204)
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
  .post('/', describeRegister, ...registerHandlers)
  .get('/me', describeMe, ...meHandlers)
  .on(
    ['PATCH', 'PUT'],
    '/me',
    describeUpdateMe,
    requireAuth(),
    validate('json', UpdateMeBody),
    async (c) => {
      const user = await updateOwnAccount(c, c.var.auth.user, c.req.valid('json'))
      return c.json({ success: true, message: 'Profile updated', data: toUser(user) })
    },
  )
  .post(
    '/me/password',
    describeChangePassword,
    requireAuth(),
    validate('json', ChangePasswordBody),
    async (c) => {
      const { currentPassword, newPassword } = c.req.valid('json')
      const { user } = c.var.auth
      const release = await confirmCurrentPassword(c, user, currentPassword)
      const passwordHash = await hashPassword(newPassword, c.var.config)
      const changed = await changePassword(
        c.var.db,
        { userId: user.id, tokenVersion: user.tokenVersion, passwordHash },
        release,
      )
      if (!changed) throw unauthorized('The session has ended')
      c.var.log.info('password changed', { userId: user.id })
      return c.body(null, 204)
    },
  )
  .delete('/me', describeDeleteMe, requireAuth(), validate('json', DeleteAccountBody), (c) =>
    deleteOwnAccount(c, c.var.auth.user, c.req.valid('json').currentPassword),
  )
  .get(
    '/',
    describeListUsers,
    requireAuth(),
    requireAdmin(),
    validate('query', ListUsersQuery),
    async (c) => {
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
    },
  )
  .get('/:userId', describeGetUser, requireAuth(), async (c) => {
    const userId = parsePathId(c.req.param('userId'), USER_NOT_FOUND)
    const { user: caller } = c.var.auth
    if (caller.role !== 'admin' && caller.id !== userId) throw forbidden()
    const user = caller.id === userId ? caller : await findUserById(c.var.db, userId)
    if (!user) throw notFound(USER_NOT_FOUND)
    return c.json({ success: true, data: toUser(user) })
  })
  .on(
    ['PATCH', 'PUT'],
    '/:userId',
    describeUpdateUser,
    requireAuth(),
    validate('json', UpdateUserBody),
    async (c) => {
      const userId = parsePathId(c.req.param('userId'), USER_NOT_FOUND)
      const { user: caller } = c.var.auth
      const { currentPassword, ...changes } = c.req.valid('json')
      if (caller.role !== 'admin') {
        if (caller.id !== userId) throw forbidden()
        if (changes.role !== undefined) throw forbidden('Only an admin may change a role')
      }
      // An admin acting on someone else needs no password (and one sent is not theirs to check).
      const user =
        caller.id === userId
          ? await updateOwnAccount(c, caller, { ...changes, currentPassword })
          : await applyChanges(c, userId, changes)
      if (!user) throw notFound(USER_NOT_FOUND)
      if (changes.role !== undefined) {
        c.var.log.info('role set', { userId, actorId: caller.id, role: changes.role })
      }
      return c.json({ success: true, message: 'User updated', data: toUser(user) })
    },
  )
  .delete(
    '/:userId',
    requireAuth(),
    validate('json', DeleteAccountBody),
    describeDeleteUser,
    async (c) => {
      const userId = parsePathId(c.req.param('userId'), USER_NOT_FOUND)
      const { user: caller } = c.var.auth
      if (caller.id === userId)
        return deleteOwnAccount(c, caller, c.req.valid('json').currentPassword)
      if (caller.role !== 'admin') throw forbidden()
      const deleted = await deleteUserWithAudit(c.var.db, {
        targetId: userId,
        actorId: caller.id,
        clientAddress: clientAddress(c),
        requestId: c.var.requestId,
        clientRequestId: c.var.clientRequestId,
      })
      if (!deleted) throw notFound(USER_NOT_FOUND)
      c.var.log.info('user deleted', { userId, actorId: caller.id })
      return c.body(null, 204)
    },
  )

/** The original FastAPI service's paths, kept so its clients keep working. */
export const legacyUsersRoutes = new Hono<AppEnv>()
  .use(requireMediaType('json'))
  .post('/register', describeLegacyRegister, ...registerHandlers)
  .get('/me', describeLegacyMe, ...meHandlers)
