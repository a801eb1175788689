import { sql as drizzleSql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { api, freshAddress, registerUser } from '../../test/support/api'
import { holdRows, lockTag, onPostgres, POSTGRES_ONLY, untilQueued } from '../../test/support/locks'
import { lastMailTo, tokenIn } from '../../test/support/mail'

const confirm = (token: string, newPassword: string) =>
  api('/v1/auth/password-reset/confirm', { method: 'POST', body: { token, newPassword } })

describe('two confirms of one reset link', () => {
  // Both find the token unspent in their snapshots; the row lock on the token decides.
  it.skipIf(!onPostgres)(
    `let only the first to reach the token through ${POSTGRES_ONLY}`,
    async () => {
      const user = await registerUser()
      await api('/v1/auth/password-reset', {
        method: 'POST',
        body: { email: user.email },
        address: freshAddress(),
      })
      const token = tokenIn(await lastMailTo(user.email))
      const tag = lockTag()
      const holder = holdRows(
        drizzleSql`select id from email_tokens where user_id = ${user.userId} and kind = 'reset_password'`,
        tag,
      )
      await untilQueued(tag, 0)
      const first = confirm(token, 'First-Reset-1')
      await untilQueued(tag, 1)
      const second = confirm(token, 'Second-Reset-2')
      await untilQueued(tag, 2)
      await holder.release()
      expect([(await first).status, (await second).status]).toEqual([204, 400])
      const login = await api('/v1/users/login', {
        method: 'POST',
        body: { email: user.email, password: 'First-Reset-1' },
        address: freshAddress(),
      })
      expect(login.status).toBe(200)
    },
  )

  // The login checked the old password and holds the user row while it opens its session; the
  // confirm waits, then ends every session its later statement can see: the login's too.
  it.skipIf(!onPostgres)(`ends the session of a login that raced it ${POSTGRES_ONLY}`, async () => {
    const user = await registerUser()
    await api('/v1/auth/password-reset', {
      method: 'POST',
      body: { email: user.email },
      address: freshAddress(),
    })
    const token = tokenIn(await lastMailTo(user.email))
    const tag = lockTag()
    const holder = holdRows(drizzleSql`select id from users where id = ${user.userId}`, tag)
    await untilQueued(tag, 0)
    const login = api<{ data: { token: string; refreshToken: string } }>('/v1/users/login', {
      method: 'POST',
      body: { email: user.email, password: user.password },
      address: freshAddress(),
    })
    await untilQueued(tag, 1)
    const reset = confirm(token, 'After-Race-3')
    await untilQueued(tag, 2)
    await holder.release()
    const [loggedIn, confirmed] = [await login, await reset]
    expect([loggedIn.status, confirmed.status]).toEqual([200, 204])
    const refreshed = await api('/v1/auth/refresh', {
      method: 'POST',
      body: { refreshToken: loggedIn.body.data.refreshToken },
      address: freshAddress(),
    })
    expect(refreshed.status).toBe(401)
    expect((await api('/v1/users/me', { token: loggedIn.body.data.token })).status).toBe(401)
  })
})
