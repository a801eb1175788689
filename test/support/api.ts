import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { exports } from 'cloudflare:workers'
import { decode, sign } from 'hono/jwt'
import { type Database, getDatabase } from '../../src/db/client'
import { loadConfig } from '../../src/env'

export type Json = Record<string, unknown>

export type ApiResponse<T = Json> = {
  status: number
  headers: Headers
  body: T
  text: string
}

type RequestOptions = {
  method?: string
  body?: unknown
  token?: string
  headers?: Record<string, string>
  /** A raw body sent as is (for malformed JSON, wrong media types, forms). */
  raw?: BodyInit
  address?: string
}

/**
 * A client address in a random /64 (limits count per /64) of the IPv6 documentation prefix:
 * 2^32 of them, so per-address limits in one test never touch another's, whichever isolate or
 * test file it runs in.
 */
export const freshAddress = () => {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint16Array(2))
  return `2001:db8:${a.toString(16)}:${b.toString(16)}::1`
}

const defaultAddress = freshAddress()

function buildRequest(path: string, options: RequestOptions, fallbackAddress: string): Request {
  const headers = new Headers(options.headers)
  if (!headers.has('cf-connecting-ip'))
    headers.set('cf-connecting-ip', options.address ?? fallbackAddress)
  if (options.token) headers.set('authorization', `Bearer ${options.token}`)
  let body: BodyInit | undefined = options.raw
  if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  }
  return new Request(`https://api.example.com${path}`, {
    method: options.method ?? 'GET',
    headers,
    body,
  })
}

async function readResponse<T>(response: Response): Promise<ApiResponse<T>> {
  const text = await response.text()
  let parsed: unknown = null
  if (text && response.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text)
  return { status: response.status, headers: response.headers, body: parsed as T, text }
}

/** Calls the Worker's real fetch handler, as a client on the internet would. */
export async function api<T = Json>(
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  return readResponse<T>(await exports.default.fetch(buildRequest(path, options, defaultAddress)))
}

let emailCounter = 0
/** A unique email per call, so tests sharing one database never collide. */
export function uniqueEmail(prefix = 'user'): string {
  emailCounter += 1
  return `${prefix}.${crypto.randomUUID().slice(0, 8)}.${emailCounter}@example.com`
}

export const STRONG_PASSWORD = 'Sturdy-Pass-42'

export type RegisteredUser = {
  userId: string
  email: string
  name: string
  password: string
  token: string
  refreshToken: string
  /** The login's session: the access token's `sid`. */
  sessionId: string
}

/** The session (`sid`) an access token belongs to. */
export const sessionIdOf = (token: string): string =>
  String((decode(token).payload as { sid?: unknown }).sid)

export async function registerUser(
  overrides: { name?: string; email?: string; password?: string } = {},
): Promise<RegisteredUser> {
  const name = overrides.name ?? 'Test User'
  const email = overrides.email ?? uniqueEmail()
  const password = overrides.password ?? STRONG_PASSWORD
  const address = freshAddress()
  const created = await api<{ data: { userId: string } }>('/v1/users', {
    method: 'POST',
    body: { name, email, password },
    address,
  })
  if (created.status !== 201) throw new Error(`register failed: ${created.status} ${created.text}`)
  const login = await api<{ data: { token: string; refreshToken: string } }>('/v1/users/login', {
    method: 'POST',
    body: { email, password },
    address,
  })
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`)
  return {
    userId: created.body.data.userId,
    email,
    name,
    password,
    token: login.body.data.token,
    refreshToken: login.body.data.refreshToken,
    sessionId: sessionIdOf(login.body.data.token),
  }
}

/** Promotes a user the way the README tells operators to: one SQL statement. */
export async function makeAdmin(user: RegisteredUser): Promise<RegisteredUser> {
  await sql(`update users set role = 'admin' where email = $1`, [user.email])
  // A fresh login so the token's role claim matches (the API trusts the database anyway).
  const login = await api<{ data: { token: string; refreshToken: string } }>('/v1/users/login', {
    method: 'POST',
    body: { email: user.email, password: user.password },
    address: freshAddress(),
  })
  return {
    ...user,
    token: login.body.data.token,
    refreshToken: login.body.data.refreshToken,
    sessionId: sessionIdOf(login.body.data.token),
  }
}

/**
 * Runs SQL through the same Neon HTTP endpoint the app uses, for arranging and inspecting
 * state that no route exposes (audit log, stored hashes).
 */
export async function sql<Row = Json>(query: string, params: unknown[] = []): Promise<Row[]> {
  const { neon, neonConfig } = await import('@neondatabase/serverless')
  neonConfig.fetchEndpoint = env.NEON_FETCH_ENDPOINT
  const run = neon(env.DATABASE_URL, { fullResults: true })
  const result = await run.query(query, params)
  return result.rows as Row[]
}

/** The app's own database client, for calling query functions directly. */
export const appDatabase = (): Database => getDatabase(loadConfig(env))

/** The user's token version as stored: what a token must carry to be accepted. */
export async function tokenVersionOf(userId: string): Promise<number> {
  const [row] = await sql<{ token_version: number }>(
    'select token_version from users where id = $1',
    [userId],
  )
  return Number(row?.token_version)
}

/** Signs arbitrary claims with the Worker's key, for tokens the API must refuse. */
export async function forgeToken(claims: Json, secret: string = env.JWT_SECRET): Promise<string> {
  return sign(claims, secret, 'HS256')
}

/**
 * A client of the app as it runs with other settings (`SESSION_MAX_AGE: '2s'`, say): the same
 * routes, driver and database, through `createApp()` with the Worker's env and these on top.
 */
export async function apiWithSettings(
  settings: Partial<Record<keyof typeof env, string>>,
): Promise<typeof api> {
  const { createApp } = await import('../../src/app')
  const app = createApp()
  const configured = { ...env, ...settings }
  return async <T = Json>(path: string, options: RequestOptions = {}) => {
    const ctx = createExecutionContext()
    const response = await app.fetch(buildRequest(path, options, defaultAddress), configured, ctx)
    await waitOnExecutionContext(ctx)
    return readResponse<T>(response)
  }
}

/**
 * Runs requests against the app with its own connection string and counts round trips. The tag
 * is the user name, by which neon-local counts; the password is the endpoint's secret, which it
 * requires and leaves out of its counts.
 */
export async function countRoundTrips(
  run: (call: typeof api) => Promise<unknown>,
): Promise<number> {
  const tag = `rt_${crypto.randomUUID().replaceAll('-', '')}`
  const secret = new URL(env.DATABASE_URL).password
  const call = await apiWithSettings({
    DATABASE_URL: `postgresql://${tag}:${secret}@localhost/app`,
  })
  await run((path, options = {}) => call(path, { address: freshAddress(), ...options }))
  const statsResponse = await fetch(new URL('/_neon_local/stats', env.NEON_FETCH_ENDPOINT), {
    headers: { 'Neon-Connection-String': env.DATABASE_URL },
  })
  if (!statsResponse.ok) throw new Error(`neon-local stats: HTTP ${statsResponse.status}`)
  const stats = (await statsResponse.json()) as {
    byConnection: Record<string, number>
  }
  return Object.entries(stats.byConnection)
    .filter(([connection]) => connection.includes(tag))
    .reduce((sum, [, count]) => sum + count, 0)
}
