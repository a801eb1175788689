/**
 * The API client: same-origin requests, the response envelope, and the session.
 *
 * Session handling (a security requirement): the access token lives only in this module's
 * memory, never in localStorage, sessionStorage, cookies or the DOM. The refresh token is an
 * HttpOnly cookie that the API sets and reads when a request carries
 * `X-Refresh-Token-Transport: cookie`; page scripts never see it.
 */

const COOKIE_TRANSPORT = { 'X-Refresh-Token-Transport': 'cookie' }
/** Refresh this long before the access token runs out (at most a tenth of its lifetime). */
const REFRESH_MARGIN_SECONDS = 60
/** After a refresh that failed for a reason other than 401 (offline, 5xx), try again this soon. */
const REFRESH_RETRY_SECONDS = 30
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** A failed request: the API's envelope, or a network failure (status 0). */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status; 0 when the server could not be reached
   * @param {string} message
   * @param {{code?: string, errors?: {field: string, message: string}[], retryAfter?: number}} [details]
   */
  constructor(status, message, details = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = details.code ?? ''
    this.errors = Array.isArray(details.errors) ? details.errors : []
    this.retryAfter = details.retryAfter
  }
}

let accessToken = null
let refreshTimer
let refreshInFlight = null
let onSessionLost = () => {}

/** Called when the session ends without the person asking (the refresh token was refused). */
export function setSessionLostHandler(handler) {
  onSessionLost = handler
}

function parseRetryAfter(value) {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

async function readEnvelope(response) {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return null
  try {
    return await response.json()
  } catch {
    return null
  }
}

/**
 * One request; resolves with the envelope's `data` (the whole envelope with `envelope: true`;
 * undefined for 204), rejects with ApiError.
 */
export async function send(
  method,
  path,
  { body, headers = {}, auth = false, envelope = false } = {},
) {
  const init = {
    method,
    headers: { Accept: 'application/json', ...headers },
    credentials: 'same-origin',
    cache: 'no-store',
  }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (auth && accessToken) init.headers.Authorization = `Bearer ${accessToken}`

  let response
  try {
    response = await fetch(path, init)
  } catch {
    throw new ApiError(0, 'The server could not be reached.', { code: 'network_error' })
  }
  if (response.status === 204) return undefined
  const answer = await readEnvelope(response)
  if (response.ok) return envelope ? (answer ?? {}) : answer?.data
  throw new ApiError(
    response.status,
    typeof answer?.message === 'string' ? answer.message : response.statusText,
    {
      code: answer?.code,
      errors: answer?.errors,
      retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
    },
  )
}

function scheduleRefresh(expiresInSeconds) {
  clearTimeout(refreshTimer)
  const lifetime = Number(expiresInSeconds)
  if (!Number.isFinite(lifetime) || lifetime <= 0) return
  const margin = Math.min(REFRESH_MARGIN_SECONDS, lifetime / 10)
  refreshTimer = setTimeout(timedRefresh, Math.min((lifetime - margin) * 1000, MAX_TIMER_MS))
}

async function timedRefresh() {
  try {
    if (!(await refresh())) onSessionLost()
  } catch {
    // Offline or the server is having a moment: the token is still good for a while.
    clearTimeout(refreshTimer)
    refreshTimer = setTimeout(timedRefresh, REFRESH_RETRY_SECONDS * 1000)
  }
}

function startSession(data) {
  // In cookie mode the body carries no refresh token; if a server ever sent one anyway, it is
  // dropped here rather than kept anywhere a script could read it.
  accessToken = data.token
  scheduleRefresh(data.expiresIn)
  return data.user
}

/** Forgets the session on this page (the cookie is the server's to clear). */
export function forgetSession() {
  accessToken = null
  clearTimeout(refreshTimer)
}

const sendRefresh = () => send('POST', '/v1/auth/refresh', { body: {}, headers: COOKIE_TRANSPORT })

/**
 * Runs `task` while holding a lock shared by every tab of this origin, where the browser has
 * the Web Locks API. Tabs share one refresh cookie and the API spends it on every use: two tabs
 * refreshing at once would race, and the loser would look signed out. In turn, each tab sends
 * the cookie the previous one left.
 */
function acrossTabs(name, task) {
  return navigator.locks ? navigator.locks.request(name, task) : task()
}

/**
 * Trades the refresh cookie for a new access token. Resolves with the user, or null when there
 * is no session to continue (401); rejects with ApiError for anything else. Concurrent callers
 * share one request, because the API spends the refresh token on every use.
 */
export function refresh() {
  if (!refreshInFlight) {
    refreshInFlight = (async () => {
      try {
        return startSession(await acrossTabs('refresh-token', sendRefresh))
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          forgetSession()
          return null
        }
        throw error
      } finally {
        refreshInFlight = null
      }
    })()
  }
  return refreshInFlight
}

/**
 * A request with the access token; on a 401, refreshes once and tries once more. When the
 * session cannot be continued, the session-lost handler runs (unless `quiet`) and the promise
 * rejects with code `session_ended`.
 */
export async function authed(method, path, { quiet = false, ...options } = {}) {
  const ended = () => {
    forgetSession()
    if (!quiet) onSessionLost()
    return new ApiError(401, 'Your session has ended. Please log in again.', {
      code: 'session_ended',
    })
  }
  if (!accessToken && !(await refresh())) throw ended()
  try {
    return await send(method, path, { ...options, auth: true })
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error
  }
  if (!(await refresh())) throw ended()
  try {
    return await send(method, path, { ...options, auth: true })
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw ended()
    throw error
  }
}

/** On page load: the user when the refresh cookie still holds a session, else null. */
export const restoreSession = () => refresh()

export async function logIn(email, password) {
  const data = await send('POST', '/v1/users/login', {
    body: { email, password },
    headers: COOKIE_TRANSPORT,
  })
  return startSession(data)
}

/** Creates the account (201) and returns the new user; the caller logs in next. */
export const register = ({ name, email, password }) =>
  send('POST', '/v1/users', { body: { name, email, password } })

export const getMe = () => authed('GET', '/v1/users/me')

/**
 * A partial update of name and email. Changing the email needs `currentPassword` in the same
 * body (422 on `currentPassword` when it is missing or wrong, and nothing changes).
 */
export const updateMe = (changes) => authed('PATCH', '/v1/users/me', { body: changes })

/** 204. The API then revokes every token of the user, this page's included. */
export async function changePassword(currentPassword, newPassword) {
  await authed('POST', '/v1/users/me/password', { body: { currentPassword, newPassword } })
  // The session is gone on the server; a timed refresh now would only report it lost.
  forgetSession()
}

/**
 * Deletes the caller's account; the API asks for the current password (422 on
 * `currentPassword` when it is missing or wrong, and nothing is deleted).
 */
export async function deleteMe(currentPassword) {
  await authed('DELETE', '/v1/users/me', { body: { currentPassword } })
  forgetSession()
}

/** The caller's live sessions, newest first; the one of this page has `current: true`. */
export async function listSessions() {
  const data = await authed('GET', '/v1/auth/sessions')
  return Array.isArray(data?.items) ? data.items : []
}

/**
 * Ends one of the caller's other sessions. Resolves true when it ended, false when the API
 * did not know it (404: it had ended already, or was never the caller's).
 */
export async function endSession(sessionId) {
  try {
    await authed('DELETE', `/v1/auth/sessions/${encodeURIComponent(sessionId)}`)
    return true
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false
    throw error
  }
}

/**
 * Ends every session but this page's. Sent without cookie transport: the cookie belongs to
 * this session, which stays, so the API must neither read nor clear it.
 */
export async function logOutOthers() {
  await authed('POST', '/v1/auth/logout', { body: { scope: 'others' } })
}

/** Ends this session: revokes the refresh token behind the cookie and clears the cookie. */
export async function logOut() {
  try {
    await authed('POST', '/v1/auth/logout', {
      body: { scope: 'current' },
      headers: COOKIE_TRANSPORT,
      quiet: true,
    })
  } catch (error) {
    // Already over on the server: that is what logging out wanted.
    if (!(error instanceof ApiError && error.code === 'session_ended')) throw error
  }
  forgetSession()
}
