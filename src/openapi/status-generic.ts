import { neonConfig } from '@neondatabase/serverless'
import {
  type ApiResponse,
  api,
  apiWithSettings,
  freshAddress,
  type Json,
  registerUser,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../../test/support/api'
import { MAX_BODY_BYTES } from '../app'

/**
 * The answers a route gives before (or beside) its handler, provoked the same way on every
 * route that documents them: bodies that are malformed, too large, of another media type or
 * invalid; a missing bearer token; a misconfigured service; an unreachable database.
 */

export type Operation = {
  summary?: string
  security?: unknown
  requestBody?: { content?: Record<string, unknown> }
  responses: Record<
    string,
    { description?: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }
  >
}
export type Case = {
  key: string
  method: string
  path: string
  status: string
  operation: Operation
}
type Drive = () => Promise<ApiResponse<Json>>
type Call = (path: string, options: NonNullable<Parameters<typeof api>[1]>) => Drive

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const JSON_TYPE = { 'content-type': 'application/json' }

/** Requests the routes without a bearer token accept, as far as their validators go. */
const VALID_PUBLIC_BODIES: Record<string, () => { body?: Json; raw?: string }> = {
  'POST /v1/users': () => ({
    body: { name: 'Down', email: uniqueEmail('down'), password: STRONG_PASSWORD },
  }),
  'POST /api/users/register': () => VALID_PUBLIC_BODIES['POST /v1/users']?.() ?? {},
  'POST /v1/users/login': () => ({ body: { email: uniqueEmail('down'), password: 'Any-Pass-1' } }),
  'POST /api/users/login': () => VALID_PUBLIC_BODIES['POST /v1/users/login']?.() ?? {},
  'POST /v1/auth/token': () => ({
    raw: new URLSearchParams({ username: uniqueEmail('down'), password: 'Any-Pass-1' }).toString(),
  }),
  'POST /v1/auth/refresh': () => ({ body: { refreshToken: 'spent-or-not' } }),
  'POST /v1/auth/verify-email': () => ({ body: { token: 'from-a-link' } }),
  'POST /v1/auth/password-reset': () => ({ body: { email: uniqueEmail('down') } }),
  'POST /v1/auth/password-reset/confirm': () => ({
    body: { token: 'from-a-link', newPassword: 'Another-Pass-43' },
  }),
}

async function withDatabaseDown(run: (call: typeof api) => Promise<ApiResponse<Json>>) {
  // Nothing listens on the discard port; the driver's endpoint is the isolate's: put it back.
  const working = neonConfig.fetchEndpoint
  try {
    return await run(await apiWithSettings({ NEON_FETCH_ENDPOINT: 'http://127.0.0.1:9/sql' }))
  } finally {
    neonConfig.fetchEndpoint = working
  }
}

export function generic({ method, path, status, operation }: Case): Drive | undefined {
  const mediaTypes = Object.keys(operation.requestBody?.content ?? {})
  const takesJson = mediaTypes.includes('application/json')
  const takesForm = mediaTypes.includes('application/x-www-form-urlencoded')
  const bearer = Boolean(operation.security)
  // The caller is registered first, with the database up; each case has an address of its own.
  const call: Call = (concrete, options) => async () => {
    const caller = bearer || path.includes('{userId}') ? await registerUser() : undefined
    const target = concrete
      .replace('{userId}', caller?.userId ?? crypto.randomUUID())
      .replace('{sessionId}', crypto.randomUUID())
    return api(target, { method, token: caller?.token, address: freshAddress(), ...options })
  }
  switch (status) {
    case '401':
      return bearer ? call(path, { token: undefined }) : undefined
    case '400':
      return takesJson ? call(path, { raw: '{"name": ', headers: JSON_TYPE }) : undefined
    case '413':
      return takesJson || takesForm
        ? call(path, { raw: `{"name":"${'x'.repeat(MAX_BODY_BYTES)}"}`, headers: JSON_TYPE })
        : undefined
    case '415':
      return takesJson || takesForm
        ? call(path, { raw: 'name=Ada', headers: { 'content-type': 'text/plain' } })
        : undefined
    case '422':
      if (takesJson) return call(path, { body: { notAField: true } })
      return takesForm ? call(path, { raw: 'grant_type=code', headers: FORM }) : undefined
    case '500':
      return async () => {
        const misconfigured = await apiWithSettings({ JWT_SECRET: 'too-short-secret' })
        return misconfigured(path.replace(/\{\w+\}/g, crypto.randomUUID()), { method })
      }
    case '503':
      return databaseDown({ method, path, bearer, takesForm })
    default:
      return undefined
  }
}

/** A request the route would serve, sent while the database cannot be reached. */
function databaseDown(route: {
  method: string
  path: string
  bearer: boolean
  takesForm: boolean
}): Drive | undefined {
  const { method, path, bearer, takesForm } = route
  const publicBody = VALID_PUBLIC_BODIES[`${method} ${path}`]
  if (!bearer && !publicBody) return undefined
  return async () => {
    const caller = bearer ? await registerUser() : undefined
    const target = path
      .replace('{userId}', caller?.userId ?? '')
      .replace('{sessionId}', crypto.randomUUID())
    const { body, raw } = publicBody?.() ?? {}
    return withDatabaseDown((down) =>
      down(target, {
        method,
        token: caller?.token,
        address: freshAddress(),
        body,
        raw,
        headers: raw && takesForm ? FORM : undefined,
      }),
    )
  }
}
