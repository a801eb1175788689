/**
 * The bench's users: a few registered through the API (for the successful logins and `/me`),
 * and pools of accounts written straight to the database for the wrong-password logins and the
 * password resets.
 */
import { neon, neonConfig } from '@neondatabase/serverless'
import { hashSync } from '@node-rs/bcrypt'
import { PASSWORD } from './settings'

/** A Neon endpoint to write to directly: neon-local's address and connection string. */
export type NeonLocal = { endpoint: string; connectionString: string }

/**
 * Accounts per pool for the wrong-password logins; each run through a pool starts ACCOUNT_SLOT
 * accounts further on, so no account sees five failures (the throttle's limit per email and
 * network) nor a hundred (its limit per email) in one bench.
 */
export const POOL_ACCOUNTS = 20_000
export const ACCOUNT_SLOT = 5_000

/** Accounts `${prefix}${i}@example.com`, i < count, all with one password hash. */
export interface AccountPool {
  prefix: string
  count: number
}

export async function call(
  url: string,
  route: string,
  init: { method?: string; body?: unknown; token?: string; address: string },
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'cf-connecting-ip': init.address }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  if (init.token) headers.authorization = `Bearer ${init.token}`
  const response = await fetch(`${url}${route}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  return { status: response.status, body: await response.json() }
}

/** Users for the login scenarios, and one logged-in user's token for /v1/users/me. */
export async function seedUsers(url: string, runTag: string, count: number) {
  const emails = Array.from({ length: count }, (_, i) => `seed.${runTag}.${i}@example.com`)
  // Per-address registration limit: each seed registers from its own address (and /64).
  for (let i = 0; i < emails.length; i += 4) {
    await Promise.all(
      emails.slice(i, i + 4).map(async (email, j) => {
        const res = await call(url, '/v1/users', {
          method: 'POST',
          body: { name: 'Bench Seed', email, password: PASSWORD },
          address: `2001:db8:ffff:${(i + j).toString(16)}::1`,
        })
        if (res.status !== 201) throw new Error(`seeding ${email}: HTTP ${res.status}`)
      }),
    )
  }
  const login = await call(url, '/v1/users/login', {
    method: 'POST',
    body: { email: emails[0], password: PASSWORD },
    address: '2001:db8:ffff:ffff::1',
  })
  const token = (login.body as { data?: { token?: string } }).data?.token
  if (login.status !== 200 || !token) throw new Error(`seed login: HTTP ${login.status}`)
  return { emails, token }
}

function sqlAt(local: NeonLocal) {
  neonConfig.fetchEndpoint = local.endpoint
  return neon(local.connectionString)
}

/**
 * A pool of accounts for wrong-password logins, written straight to the database: through the
 * API each would cost a bcrypt hash, and a user moved from the old service arrives this way,
 * with its old hash. They share one hash of PASSWORD at `cost`, which is all a failed login
 * reads. `from` and `count` (0 and POOL_ACCOUNTS) add accounts `from` to `from + count - 1`,
 * to grow a pool; the pool returned runs from 0 to there.
 */
export async function seedAccountPool(
  local: NeonLocal,
  options: { prefix: string; name: string; cost: number; from?: number; count?: number },
): Promise<AccountPool> {
  const from = options.from ?? 0
  const count = options.count ?? POOL_ACCOUNTS
  await sqlAt(local).query(
    `insert into users (name, email, password_hash)
     select $1::text, $2::text || g || '@example.com', $3::text
     from generate_series($4::int, $4::int + $5::int - 1) g`,
    [options.name, options.prefix, hashSync(PASSWORD, { cost: options.cost }), from, count],
  )
  return { prefix: options.prefix, count: from + count }
}

/** How many of a pool's hashes are no longer at `cost` (a wrong password must not rehash). */
export async function hashesNotAtCost(
  local: NeonLocal,
  pool: AccountPool,
  cost: number,
): Promise<number> {
  const pattern = `$2_$${String(cost).padStart(2, '0')}$%`
  const rows = await sqlAt(local).query(
    `select count(*)::int as moved from users
     where starts_with(email, $1::text) and password_hash not like $2::text`,
    [pool.prefix, pattern],
  )
  return Number((rows[0] as { moved: number } | undefined)?.moved ?? Number.NaN)
}

/**
 * What reset requests wrote for the accounts whose email starts with `prefix`: their reset
 * tokens, and the emails addressed to such an address (an unknown email writes neither).
 */
export async function resetWritesFor(
  local: NeonLocal,
  prefix: string,
): Promise<{ tokens: number; emails: number }> {
  const rows = await sqlAt(local).query(
    `select
       (select count(*)::int from email_tokens t join users u on u.id = t.user_id
        where t.kind = 'reset_password' and starts_with(u.email, $1::text)) as tokens,
       (select count(*)::int from email_outbox where starts_with(to_address, $1::text)) as emails`,
    [prefix],
  )
  const row = rows[0] as { tokens: number; emails: number } | undefined
  return { tokens: Number(row?.tokens ?? Number.NaN), emails: Number(row?.emails ?? Number.NaN) }
}
