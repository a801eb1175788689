import { sql as drizzleSql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { api, freshAddress, registerUser, sql } from '../../test/support/api'
import { holdRows, lockTag, onPostgres, POSTGRES_ONLY, untilQueued } from '../../test/support/locks'
import { sha256Hex } from '../lib/tokens'
import { ipv6Prefix64 } from '../middleware/client-address'

const login = (email: string, password: string, address: string) =>
  api('/v1/users/login', { method: 'POST', body: { email, password }, address })

describe('guesses that race past the email-and-network limit', () => {
  // Each guess reads the counter at 4, then waits for the row: all three were "not blocked"
  // when they looked. Reserving in the same statement, and refusing a try whose reservation
  // went past the limit, lets exactly one reach bcrypt.
  it.skipIf(!onPostgres)(
    `let exactly one of three queued guesses reach the check at 4 of 5 ${POSTGRES_ONLY}`,
    async () => {
      const user = await registerUser()
      const address = freshAddress()
      const key = `en:${await sha256Hex(user.email)}:${ipv6Prefix64(address)}`
      await sql(
        `insert into login_throttle (key, failures, window_start, window_seconds) values ($1, 4, now(), 900)`,
        [key],
      )
      const tag = lockTag()
      const holder = holdRows(drizzleSql`select key from login_throttle where key = ${key}`, tag)
      await untilQueued(tag, 0)
      const guesses = [1, 2, 3].map(() => login(user.email, 'Wrong-Pass-1', address))
      await untilQueued(tag, 3)
      await holder.release()
      const answers = await Promise.all(guesses)
      expect(answers.map((res) => res.status).sort()).toEqual([401, 429, 429])
    },
  )
})
