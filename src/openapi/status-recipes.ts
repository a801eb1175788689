import { neonConfig } from '@neondatabase/serverless'
import {
  type ApiResponse,
  api,
  apiWithSettings,
  freshAddress,
  type Json,
  makeAdmin,
  type RegisteredUser,
  registerUser,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../../test/support/api'
import { lastMailTo, tokenIn } from '../../test/support/mail'

/**
 * Requests that provoke one documented answer each, keyed `METHOD /path status` as in the
 * OpenAPI document; statuses.test.ts runs them. Each sets up what it needs and comes from an
 * address of its own, so per-address limits never mix.
 */
type Drive = () => Promise<ApiResponse<Json>>

const WRONG = 'Wrong-Pass-17'

type Options = NonNullable<Parameters<typeof api>[1]>
const call = (path: string, options: Options) => api(path, { address: freshAddress(), ...options })
const post = (path: string, body: unknown, options: Options = {}) =>
  call(path, { method: 'POST', body, ...options })
const tokenForm = (email: string, password: string, address = freshAddress()) =>
  api('/v1/auth/token', {
    method: 'POST',
    raw: new URLSearchParams({ username: email, password }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    address,
  })

/**
 * Repeats a request until it is refused with 429, at most `most` times. Limits of the Rate
 * Limiting binding forget everything when their minute turns, so `most` allows two windows.
 */
async function untilLimited(most: number, attempt: () => Promise<ApiResponse<Json>>) {
  let last = await attempt()
  for (let tries = 1; tries < most && last.status !== 429; tries++) last = await attempt()
  return last
}

const admin = async () => makeAdmin(await registerUser())
const newUserBody = () => ({
  name: 'Status',
  email: uniqueEmail('status'),
  password: STRONG_PASSWORD,
})

function loginRecipes(path: string): Record<string, Drive> {
  return {
    [`POST ${path} 200`]: async () => {
      const user = await registerUser()
      return post(path, { email: user.email, password: user.password })
    },
    [`POST ${path} 401`]: async () =>
      post(path, { email: (await registerUser()).email, password: WRONG }),
    [`POST ${path} 403`]: async () => {
      const user = await registerUser()
      const verifying = await apiWithSettings({ REQUIRE_EMAIL_VERIFICATION: 'true' })
      return verifying(path, {
        method: 'POST',
        body: { email: user.email, password: user.password },
      })
    },
    [`POST ${path} 429`]: async () => {
      const { email } = await registerUser()
      const address = freshAddress()
      return untilLimited(8, () => post(path, { email, password: WRONG }, { address }))
    },
  }
}

function registerRecipes(path: string): Record<string, Drive> {
  return {
    [`POST ${path} 201`]: () => post(path, newUserBody()),
    [`POST ${path} 409`]: async () =>
      post(path, { ...newUserBody(), email: (await registerUser()).email }),
    [`POST ${path} 429`]: () => {
      const address = freshAddress()
      return untilLimited(25, () => post(path, newUserBody(), { address }))
    },
  }
}

const meRecipe =
  (path: string): Drive =>
  async () =>
    call(path, { token: (await registerUser()).token })

/** A change of one's own account that needs the password, with a wrong one until 429. */
const wrongPasswordUntilLimited =
  (method: string, path: (user: RegisteredUser) => string, body: Json): Drive =>
  async () => {
    const user = await registerUser()
    return untilLimited(8, () =>
      call(path(user), { method, token: user.token, body: { ...body, currentPassword: WRONG } }),
    )
  }

function profileRecipes(method: string): Record<string, Drive> {
  const byId = (user: RegisteredUser) => `/v1/users/${user.userId}`
  return {
    [`${method} /v1/users/me 200`]: async () =>
      call('/v1/users/me', {
        method,
        token: (await registerUser()).token,
        body: { name: 'Renamed' },
      }),
    [`${method} /v1/users/me 409`]: async () => {
      const [user, other] = await Promise.all([registerUser(), registerUser()])
      const body = { email: other.email, currentPassword: user.password }
      return call('/v1/users/me', { method, token: user.token, body })
    },
    [`${method} /v1/users/me 429`]: wrongPasswordUntilLimited(method, () => '/v1/users/me', {
      email: uniqueEmail('moved'),
    }),
    [`${method} /v1/users/{userId} 200`]: async () => {
      const user = await registerUser()
      return call(byId(user), { method, token: user.token, body: { name: 'Renamed' } })
    },
    [`${method} /v1/users/{userId} 403`]: async () => {
      const [user, other] = await Promise.all([registerUser(), registerUser()])
      return call(byId(other), { method, token: user.token, body: { name: 'Not yours' } })
    },
    [`${method} /v1/users/{userId} 404`]: async () =>
      call(`/v1/users/${crypto.randomUUID()}`, {
        method,
        token: (await admin()).token,
        body: { name: 'Nobody' },
      }),
    [`${method} /v1/users/{userId} 409`]: async () => {
      const [user, other] = await Promise.all([registerUser(), registerUser()])
      const body = { email: other.email, currentPassword: user.password }
      return call(byId(user), { method, token: user.token, body })
    },
    [`${method} /v1/users/{userId} 429`]: wrongPasswordUntilLimited(method, byId, {
      email: uniqueEmail('moved'),
    }),
  }
}

export const recipes: Record<string, Drive> = {
  'GET / 200': () => call('/', {}),
  'GET /openapi.json 200': () => call('/openapi.json', {}),
  'GET /health 200': () => call('/health', {}),
  'GET /health 503': async () => {
    // Nothing listens on the discard port; the driver's endpoint is the isolate's: put it back.
    const working = neonConfig.fetchEndpoint
    try {
      const down = await apiWithSettings({ NEON_FETCH_ENDPOINT: 'http://127.0.0.1:9/sql' })
      return await down('/health')
    } finally {
      neonConfig.fetchEndpoint = working
    }
  },
  ...loginRecipes('/v1/users/login'),
  ...loginRecipes('/api/users/login'),
  'POST /v1/auth/token 200': async () => {
    const user = await registerUser()
    return tokenForm(user.email, user.password)
  },
  'POST /v1/auth/token 401': async () => tokenForm((await registerUser()).email, WRONG),
  'POST /v1/auth/token 403': async () => {
    const user = await registerUser()
    const verifying = await apiWithSettings({ REQUIRE_EMAIL_VERIFICATION: 'true' })
    return verifying('/v1/auth/token', {
      method: 'POST',
      raw: new URLSearchParams({ username: user.email, password: user.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
  },
  'POST /v1/auth/token 429': async () => {
    const { email } = await registerUser()
    const address = freshAddress()
    return untilLimited(8, () => tokenForm(email, WRONG, address))
  },
  ...registerRecipes('/v1/users'),
  ...registerRecipes('/api/users/register'),
  'GET /v1/users/me 200': meRecipe('/v1/users/me'),
  'GET /api/users/me 200': meRecipe('/api/users/me'),
  ...profileRecipes('PATCH'),
  ...profileRecipes('PUT'),
  'DELETE /v1/users/me 204': async () => {
    const user = await registerUser()
    return call('/v1/users/me', {
      method: 'DELETE',
      token: user.token,
      body: { currentPassword: user.password },
    })
  },
  'DELETE /v1/users/me 429': wrongPasswordUntilLimited('DELETE', () => '/v1/users/me', {}),
  'POST /v1/users/me/password 204': async () => {
    const user = await registerUser()
    const body = { currentPassword: user.password, newPassword: 'Another-Pass-43' }
    return post('/v1/users/me/password', body, { token: user.token })
  },
  'POST /v1/users/me/password 429': wrongPasswordUntilLimited(
    'POST',
    () => '/v1/users/me/password',
    {
      newPassword: 'Another-Pass-43',
    },
  ),
  'GET /v1/users 200': async () => call('/v1/users?limit=2', { token: (await admin()).token }),
  'GET /v1/users 403': async () => call('/v1/users', { token: (await registerUser()).token }),
  'GET /v1/users 422': async () => call('/v1/users?limit=0', { token: (await admin()).token }),
  'GET /v1/users/{userId} 200': async () => {
    const user = await registerUser()
    return call(`/v1/users/${user.userId}`, { token: user.token })
  },
  'GET /v1/users/{userId} 403': async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    return call(`/v1/users/${other.userId}`, { token: user.token })
  },
  'GET /v1/users/{userId} 404': async () =>
    call(`/v1/users/${crypto.randomUUID()}`, { token: (await admin()).token }),
  'DELETE /v1/users/{userId} 204': async () => {
    const [boss, user] = await Promise.all([admin(), registerUser()])
    return call(`/v1/users/${user.userId}`, { method: 'DELETE', token: boss.token })
  },
  'DELETE /v1/users/{userId} 403': async () => {
    const [user, other] = await Promise.all([registerUser(), registerUser()])
    return call(`/v1/users/${other.userId}`, { method: 'DELETE', token: user.token })
  },
  'DELETE /v1/users/{userId} 404': async () =>
    call(`/v1/users/${crypto.randomUUID()}`, { method: 'DELETE', token: (await admin()).token }),
  'DELETE /v1/users/{userId} 429': wrongPasswordUntilLimited(
    'DELETE',
    (user) => `/v1/users/${user.userId}`,
    {},
  ),
  ...moreRecipes(),
}

/** Sessions, tokens and email. */
function moreRecipes(): Record<string, Drive> {
  const verificationEmail = (token: string) =>
    call('/v1/users/me/verification-email', { method: 'POST', token })
  return {
    'POST /v1/users/me/verification-email 202': async () =>
      verificationEmail((await registerUser()).token),
    'POST /v1/users/me/verification-email 429': async () => {
      const { token } = await registerUser()
      return untilLimited(3, () => verificationEmail(token))
    },
    'GET /v1/auth/sessions 200': async () =>
      call('/v1/auth/sessions', { token: (await registerUser()).token }),
    'DELETE /v1/auth/sessions/{sessionId} 204': async () => {
      const user = await registerUser()
      return call(`/v1/auth/sessions/${user.sessionId}`, { method: 'DELETE', token: user.token })
    },
    'DELETE /v1/auth/sessions/{sessionId} 404': async () =>
      call(`/v1/auth/sessions/${crypto.randomUUID()}`, {
        method: 'DELETE',
        token: (await registerUser()).token,
      }),
    'POST /v1/auth/refresh 200': async () =>
      post('/v1/auth/refresh', { refreshToken: (await registerUser()).refreshToken }),
    'POST /v1/auth/refresh 401': () => post('/v1/auth/refresh', { refreshToken: 'not-a-token' }),
    // The limit is checked before the body: an empty token is refused (422) at no cost, but counts.
    'POST /v1/auth/refresh 429': () => {
      const address = freshAddress()
      return untilLimited(65, () => post('/v1/auth/refresh', { refreshToken: '' }, { address }))
    },
    'POST /v1/auth/logout 204': async () =>
      post('/v1/auth/logout', {}, { token: (await registerUser()).token }),
    'POST /v1/auth/verify-email 200': async () => {
      const user = await registerUser()
      return post('/v1/auth/verify-email', { token: tokenIn(await lastMailTo(user.email)) })
    },
    'POST /v1/auth/password-reset 202': async () =>
      post('/v1/auth/password-reset', { email: (await registerUser()).email }),
    'POST /v1/auth/password-reset 429': () => {
      const email = uniqueEmail('reset')
      return untilLimited(5, () => post('/v1/auth/password-reset', { email }))
    },
    'POST /v1/auth/password-reset/confirm 204': async () => {
      const user = await registerUser()
      await post('/v1/auth/password-reset', { email: user.email })
      const token = tokenIn(await lastMailTo(user.email))
      return post('/v1/auth/password-reset/confirm', { token, newPassword: 'Another-Pass-43' })
    },
    // As for refresh: an invalid body costs no bcrypt work and no query, but counts.
    'POST /v1/auth/password-reset/confirm 429': () => {
      const address = freshAddress()
      const body = { token: 0, newPassword: '' }
      return untilLimited(125, () => post('/v1/auth/password-reset/confirm', body, { address }))
    },
  }
}
