import { sql as drizzleSql } from 'drizzle-orm'
import { describe, expect, inject, it } from 'vitest'
import {
  api,
  appDatabase,
  freshAddress,
  type RegisteredUser,
  registerUser,
  sql,
} from '../../test/support/api'

type Pair = { data: { token: string; refreshToken: string } }

const onPostgres = inject('databaseBackend') === 'postgresql'
const POSTGRES_ONLY = '(PostgreSQL only: the embedded PGlite runs one statement at a time)'

const me = (token: string) => api('/v1/users/me', { token })
const refresh = (refreshToken: string) =>
  api<Pair>('/v1/auth/refresh', { method: 'POST', body: { refreshToken }, address: freshAddress() })
const logout = (token: string, scope = 'current') =>
  api('/v1/auth/logout', { method: 'POST', token, body: { scope } })
const logIn = (user: RegisteredUser) =>
  api<Pair>('/v1/users/login', {
    method: 'POST',
    body: { email: user.email, password: user.password },
    address: freshAddress(),
  })

/** After a refresh and a logout of one session have both answered, nothing of it works. */
async function expectNothingOfTheSessionWorks(
  user: RegisteredUser,
  rotated: Awaited<ReturnType<typeof refresh>>,
) {
  expect((await me(user.token)).status).toBe(401)
  expect((await refresh(user.refreshToken)).status).toBe(401)
  if (rotated.status === 200) {
    expect((await me(rotated.body.data.token)).status).toBe(401)
    expect((await refresh(rotated.body.data.refreshToken)).status).toBe(401)
  } else {
    expect(rotated.status).toBe(401)
  }
}

/**
 * Holds the session row locked in a transaction of its own, as a refresh or a logout in flight
 * would; requests started meanwhile queue on the lock. Its statement carries `tag`, so the
 * test can find it, and what waits behind it, in pg_stat_activity.
 */
function holdSessionRow(sessionId: string, tag: string): Promise<unknown> {
  const db = appDatabase()
  return db.batch([
    db.execute(drizzleSql`select id from sessions where id = ${sessionId} for no key update`),
    db.execute(drizzleSql.raw(`select pg_sleep(2) /* ${tag} */`)),
  ])
}

/** Backends waiting, directly or behind another waiter, on the transaction tagged `tag`. */
async function waitersBehind(tag: string): Promise<number> {
  const [row] = await sql<{ waiting: number }>(
    `with recursive holder as (
       select pid from pg_stat_activity where query like '%' || $1 || '%' and pid <> pg_backend_pid()
     ), queue(pid) as (
       select pid from holder
       union
       select w.pid from pg_stat_activity w join queue q on q.pid = any(pg_blocking_pids(w.pid))
     )
     -- -1 while the holder has not reached its tagged statement: nothing is queued yet.
     select count(*)::int - 1 as waiting from queue where exists (select 1 from holder)`,
    [tag],
  )
  return Number(row?.waiting ?? 0)
}

/**
 * Polls until the tagged transaction holds its lock (its tagged statement runs) and `count`
 * requests wait behind it; fails after 1.5 s.
 */
async function untilQueued(tag: string, count: number): Promise<void> {
  const deadline = Date.now() + 1500
  while ((await waitersBehind(tag)) < count) {
    if (Date.now() > deadline) throw new Error(`${count} request(s) never queued behind ${tag}`)
    await pause(20)
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a refresh racing a logout of the same session', () => {
  it('leaves no working token of that session, however they interleave', async () => {
    for (let round = 0; round < 8; round += 1) {
      const user = await registerUser()
      const [rotated, out] = await Promise.all([refresh(user.refreshToken), logout(user.token)])
      expect(out.status).toBe(204)
      await expectNothingOfTheSessionWorks(user, rotated)
    }
  })

  for (const first of ['refresh', 'logout'] as const) {
    it.skipIf(!onPostgres)(
      `leaves no working token when the ${first} takes the session row first ${POSTGRES_ONLY}`,
      async () => {
        const user = await registerUser()
        const tag = `holder-${crypto.randomUUID()}`
        const holder = holdSessionRow(user.sessionId, tag)
        await untilQueued(tag, 0)
        const start = {
          refresh: () => refresh(user.refreshToken),
          logout: () => logout(user.token),
        }
        const second = first === 'refresh' ? 'logout' : 'refresh'
        // The second starts only once the first waits on the lock: the order is forced, not hoped.
        const firstCall = start[first]()
        await untilQueued(tag, 1)
        const secondCall = start[second]()
        await untilQueued(tag, 2)
        const [, a, b] = await Promise.all([holder, firstCall, secondCall])
        const rotated = (first === 'refresh' ? a : b) as Awaited<ReturnType<typeof refresh>>
        // Which one had the session row first shows in the refresh's answer.
        expect(rotated.status).toBe(first === 'refresh' ? 200 : 401)
        await expectNothingOfTheSessionWorks(user, rotated)
      },
    )
  }
})

describe('logins racing "sign out everywhere"', () => {
  // The guarantee: every session opened before the sign-out ran ends; a login still in flight
  // either ends with them or counts as a sign-in after it. Never half: its access and refresh
  // tokens work or fail together.
  it('never leaves a login half ended', async () => {
    for (let round = 0; round < 3; round += 1) {
      const user = await registerUser()
      const [out, ...logins] = await Promise.all([
        logout(user.token, 'all'),
        logIn(user),
        logIn(user),
        logIn(user),
      ])
      expect(out.status).toBe(204)
      expect((await me(user.token)).status).toBe(401)
      for (const login of logins) {
        expect(login.status).toBe(200)
        const access = (await me(login.body.data.token)).status
        const renewed = (await refresh(login.body.data.refreshToken)).status
        expect([200, 401]).toContain(access)
        expect(renewed === 200 ? 200 : 401).toBe(access)
      }
    }
  })

  it('ends every login that answered before the sign-out was sent', async () => {
    const user = await registerUser()
    const logins = await Promise.all([logIn(user), logIn(user)])
    expect((await logout(user.token, 'all')).status).toBe(204)
    for (const login of logins) {
      expect((await me(login.body.data.token)).status).toBe(401)
      expect((await refresh(login.body.data.refreshToken)).status).toBe(401)
    }
  })
})
