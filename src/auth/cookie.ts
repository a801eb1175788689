import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from '../env'

/**
 * The browser app keeps its refresh token where page scripts cannot read it: an HttpOnly,
 * Secure, SameSite=Strict cookie that is only sent to /v1/auth. It opts in with this header,
 * which a cross-site form cannot send and a cross-origin script cannot send without a CORS
 * preflight that the API refuses. Mobile clients never send it and keep the JSON fields.
 */
export const COOKIE_TRANSPORT_HEADER = 'X-Refresh-Token-Transport'
const COOKIE_NAME = 'refresh_token'
const COOKIE_PATH = '/v1/auth'

export const wantsCookie = (c: Context<AppEnv>) =>
  c.req.header(COOKIE_TRANSPORT_HEADER)?.toLowerCase() === 'cookie'

export const readRefreshCookie = (c: Context<AppEnv>): string | undefined =>
  wantsCookie(c) ? getCookie(c, COOKIE_NAME) : undefined

export function setRefreshCookie(c: Context<AppEnv>, token: string): void {
  setCookie(c, COOKIE_NAME, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    path: COOKIE_PATH,
    maxAge: c.var.config.refreshTokenTtlSeconds,
  })
}

export function clearRefreshCookie(c: Context<AppEnv>): void {
  deleteCookie(c, COOKIE_NAME, {
    path: COOKIE_PATH,
    secure: true,
    httpOnly: true,
    sameSite: 'Strict',
  })
}
