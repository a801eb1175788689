/** The cheap reads: one authenticated (`/me`), one not (`/health`); neither touches bcrypt. */
import type { Scenario } from '../measure'

export const me = (connections: number, token: string): Scenario => ({
  name: 'me',
  method: 'GET',
  path: '/v1/users/me',
  body: { kind: 'none' },
  freshAddress: false,
  expectedStatus: 200,
  connections,
  token,
})

export const health = (connections: number): Scenario => ({
  name: 'health',
  method: 'GET',
  path: '/health',
  body: { kind: 'none' },
  freshAddress: false,
  expectedStatus: 200,
  connections,
})
