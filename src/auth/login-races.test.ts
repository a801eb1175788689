import { sql as drizzleSql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import {
  api,
  appDatabase,
  freshAddress,
  registerUser,
  sql,
  tokenVersionOf,
} from '../../test/support/api'
import { holdRows, lockTag, onPostgres, POSTGRES_ONLY, untilQueued } from '../../test/support/locks'
import { hashPassword } from '../lib/password'
import { changePassword, deleteUserWithAudit } from '../users/queries'

type LoginAnswer = { code: string; data: { token: string; refreshToken: string } }

const changes = {
  'a password change': async (userId: string) =>
    changePassword(appDatabase(), {
      userId,
      tokenVersion: await tokenVersionOf(userId),
      passwordHash: await hashPassword('Changed-Pass-77', 4),
    }),
  'a deletion': async (userId: string) =>
    deleteUserWithAudit(appDatabase(), {
      targetId: userId,
      actorId: userId,
      clientAddress: '2001:db8::1',
      requestId: 'login-race-test',
      clientRequestId: undefined,
    }),
}

describe('a login whose account changes while its password is being checked', () => {
  // The login checked the old password; the change either waits for it to open its session and
  // then ends that session, or commits first and the login opens nothing. Both orders, forced:
  // the user row is held while the two queue on it.
  for (const [kind, change] of Object.entries(changes)) {
    for (const first of ['login', 'change'] as const) {
      it.skipIf(!onPostgres)(
        `leaves no session from the old password when ${kind} and the login queue, ${first} first ${POSTGRES_ONLY}`,
        async () => {
          const user = await registerUser()
          const tag = lockTag()
          const holder = holdRows(drizzleSql`select id from users where id = ${user.userId}`, tag)
          await untilQueued(tag, 0)
          const start = {
            login: () =>
              api<LoginAnswer>('/v1/users/login', {
                method: 'POST',
                body: { email: user.email, password: user.password },
                address: freshAddress(),
              }),
            change: () => change(user.userId),
          }
          const firstCall = start[first]()
          await untilQueued(tag, 1)
          const secondCall = start[first === 'login' ? 'change' : 'login']()
          await untilQueued(tag, 2)
          await holder.release()
          const [a, b] = await Promise.all([firstCall, secondCall])
          const login = (first === 'login' ? a : b) as Awaited<ReturnType<typeof start.login>>
          // The login that went first was answered, with a session the change then ended.
          expect(login.status).toBe(first === 'login' ? 200 : 401)
          if (login.status === 200) {
            expect((await api('/v1/users/me', { token: login.body.data.token })).status).toBe(401)
          }
          const live = await sql('select 1 from sessions where user_id = $1 and ended_at is null', [
            user.userId,
          ])
          expect(live).toHaveLength(0)
        },
      )
    }
  }
})
