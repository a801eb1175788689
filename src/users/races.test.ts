import { sql as drizzleSql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import {
  api,
  appDatabase,
  freshAddress,
  registerUser,
  STRONG_PASSWORD,
  sql,
  tokenVersionOf,
  uniqueEmail,
} from '../../test/support/api'
import {
  holdAfter,
  holdRows,
  lockTag,
  onPostgres,
  POSTGRES_ONLY,
  untilQueued,
} from '../../test/support/locks'
import { hashPassword } from '../lib/password'
import { changePassword } from './queries'

describe('two password changes made with one access token', () => {
  // Both were authenticated at the same token version; the update is conditional on it.
  it.skipIf(!onPostgres)(
    `let the first to reach the user row win and the second change nothing ${POSTGRES_ONLY}`,
    async () => {
      const user = await registerUser()
      const tokenVersion = await tokenVersionOf(user.userId)
      const [firstHash, secondHash] = await Promise.all([
        hashPassword('First-Pass-11', 4),
        hashPassword('Second-Pass-22', 4),
      ])
      const tag = lockTag()
      const holder = holdRows(drizzleSql`select id from users where id = ${user.userId}`, tag)
      await untilQueued(tag, 0)
      const change = (passwordHash: string) =>
        changePassword(appDatabase(), { userId: user.userId, tokenVersion, passwordHash })
      const first = change(firstHash)
      await untilQueued(tag, 1)
      const second = change(secondHash)
      await untilQueued(tag, 2)
      await holder.release()
      expect([await first, await second]).toEqual([true, false])
      const [row] = await sql<{ password_hash: string }>(
        'select password_hash from users where id = $1',
        [user.userId],
      )
      expect(row?.password_hash).toBe(firstHash)
      expect(await tokenVersionOf(user.userId)).toBe(tokenVersion + 1)
    },
  )
})

describe('two registrations of one email', () => {
  // The second insert waits on the unique index for the first's transaction to decide.
  it.skipIf(!onPostgres)(
    `give one account and one 409 when they queue on the email ${POSTGRES_ONLY}`,
    async () => {
      const email = uniqueEmail('queued')
      const tag = lockTag()
      // The holder inserts the email in an open transaction, and is rolled back on release.
      const holder = holdAfter(
        drizzleSql`insert into users (name, email, password_hash) values ('Holder', ${email}, 'x')`,
        tag,
      )
      await untilQueued(tag, 0)
      const register = (name: string) =>
        api('/v1/users', {
          method: 'POST',
          body: { name, email, password: STRONG_PASSWORD },
          address: freshAddress(),
        })
      const first = register('First')
      await untilQueued(tag, 1)
      const second = register('Second')
      await untilQueued(tag, 2)
      await holder.release()
      const statuses = [(await first).status, (await second).status]
      expect(statuses.sort()).toEqual([201, 409])
      const rows = await sql('select name from users where email = $1', [email])
      expect(rows).toHaveLength(1)
    },
  )
})
