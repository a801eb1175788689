/** Registration: a new email per request, from a new address per request (its per-address limit). */
import type { Scenario } from '../measure'
import { PASSWORD } from '../settings'

export const register = (connections: number): Scenario => ({
  name: 'register',
  method: 'POST',
  path: '/v1/users',
  body: { kind: 'register', password: PASSWORD },
  freshAddress: true,
  expectedStatus: 201,
  connections,
})
