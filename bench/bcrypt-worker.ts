/**
 * A bench-only Worker (never part of the app's bundle): the app's own bcrypt calls in workerd,
 * timed one by one. GET /?cost=10&n=30 → {"milliseconds": [...]}.
 */
import { hashPassword, verifyPassword } from '../src/lib/password'

const PASSWORD = 'Sturdy-Pass-42'

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const cost = Number(url.searchParams.get('cost'))
    const n = Number(url.searchParams.get('n'))
    if (!Number.isInteger(cost) || !Number.isInteger(n) || n < 1) {
      return Response.json({ error: 'cost and n must be integers, n >= 1' }, { status: 400 })
    }
    const hash = await hashPassword(PASSWORD, cost)
    const milliseconds: number[] = []
    for (let i = 0; i < n; i++) {
      // bcryptjs yields between rounds; workerd's clock moves across those yields in local runs.
      const started = performance.now()
      await verifyPassword(PASSWORD, hash)
      milliseconds.push(performance.now() - started)
    }
    return Response.json({ milliseconds })
  },
}
