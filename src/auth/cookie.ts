import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from '../env'

/**
 * The browser app keeps its refresh token where page scripts cannot read it: an HttpOnly,
 * Secure, SameSite=Strict cookie. It opts in with this header, which a cross-site form cannot
 * send and a cross-origin script cannot send without a CORS preflight that the API refuses.
 * Mobile clients never send it and keep the JSON fields.
 *
 * The `__Host-` prefix makes the browser accept the cookie only from this very host, Secure,
 * with `Path=/` and no `Domain`: a sibling subdomain cannot plant one to sign the app into an
 * account of its choosing.
 */
export const COOKIE_TRANSPORT_HEADER = 'X-Refresh-Token-Transport'
// Sent as `__Host-refresh_token`: hono adds the prefix and the attributes it requires.
const COOKIE_NAME = 'refresh_token'
const COOKIE_OPTIONS = {
  httpOnly: true,
  secure: true,
  sameSite: 'Strict',
  path: '/',
  prefix: 'host',
} as const
/**
 * The cookie of earlier versions: unprefixed, so anyone on a sibling subdomain could have set
 * it. It is never read, only removed; its browser is asked to log in once more.
 */
const LEGACY_COOKIE = { name: 'refresh_token', path: '/v1/auth' } as const

export const wantsCookie = (c: Context<AppEnv>) =>
  c.req.header(COOKIE_TRANSPORT_HEADER)?.toLowerCase() === 'cookie'

/** The refresh token from the cookie, when the app asked for cookie transport. */
export function readRefreshCookie(c: Context<AppEnv>): string | undefined {
  if (!wantsCookie(c)) return undefined
  if (getCookie(c, LEGACY_COOKIE.name) !== undefined) {
    deleteCookie(c, LEGACY_COOKIE.name, { path: LEGACY_COOKIE.path, secure: true })
  }
  return getCookie(c, COOKIE_NAME, 'host')
}

export function setRefreshCookie(c: Context<AppEnv>, token: string): void {
  setCookie(c, COOKIE_NAME, token, {
    ...COOKIE_OPTIONS,
    maxAge: c.var.config.refreshTokenTtlSeconds,
  })
}

export function clearRefreshCookie(c: Context<AppEnv>): void {
  deleteCookie(c, COOKIE_NAME, COOKIE_OPTIONS)
}
