/// <reference path="../src/lib/wasm-modules.d.ts" />
/**
 * A bench-only Worker (never part of the app's bundle): password checks in workerd, through the
 * app's own password module, and through bcryptjs (what the app used before) for comparison.
 * bench/bcrypt.ts times them from outside, by the workerd process's CPU: inside, workerd's
 * clock stands still while code runs without I/O, as a synchronous WebAssembly call does.
 *
 *   GET /prepare?cost=12            makes the hashes the checks run against (not timed)
 *   GET /?check=wasm&cost=12&n=2    runs n checks → {"checks": 2}
 */
import bcryptjs from 'bcryptjs'
import { burnPasswordCheck, hashPassword, verifyPassword } from '../src/lib/password'

const PASSWORD = 'Sturdy-Pass-42'
const WRONG_PASSWORD = 'Wrong-Pass-1'

const stored = new Map<string, string>()

async function prepare(cost: number): Promise<void> {
  stored.set(`wasm:${cost}`, await hashPassword(PASSWORD, cost))
  stored.set(`bcryptjs:${cost}`, await bcryptjs.hash(PASSWORD, cost))
  stored.set(
    'scrypt',
    await hashPassword(PASSWORD, { passwordAlgorithm: 'scrypt', bcryptCost: cost }),
  )
}

function hashOf(key: string): string {
  const hash = stored.get(key)
  if (!hash) throw new Error(`no hash for ${key}: GET /prepare first`)
  return hash
}

/** Each check answers whether it came out as it must: a right password matches, a wrong one not. */
const CHECKS: Record<string, (cost: number) => Promise<boolean>> = {
  /** The app's verifyPassword on a bcrypt hash: hash-wasm's bcrypt. */
  wasm: (cost) => verifyPassword(PASSWORD, hashOf(`wasm:${cost}`)),
  bcryptjs: (cost) => bcryptjs.compare(PASSWORD, hashOf(`bcryptjs:${cost}`)),
  /** The app's verifyPassword on a scrypt hash (node:crypto, SCRYPT_PARAMS). */
  scrypt: () => verifyPassword(PASSWORD, hashOf('scrypt')),
  /** What a failed login costs under each PASSWORD_HASH (lib/password.ts: the decoy checks). */
  'failed-login-bcrypt': async (cost) =>
    !(await burnPasswordCheck(WRONG_PASSWORD, { passwordAlgorithm: 'bcrypt', bcryptCost: cost })),
  'failed-login-scrypt': async (cost) =>
    !(await burnPasswordCheck(WRONG_PASSWORD, { passwordAlgorithm: 'scrypt', bcryptCost: cost })),
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const cost = Number(url.searchParams.get('cost'))
    if (!Number.isInteger(cost) || cost < 4 || cost > 15) {
      return Response.json({ error: 'cost must be an integer from 4 to 15' }, { status: 400 })
    }
    if (url.pathname === '/prepare') {
      await prepare(cost)
      return Response.json({ prepared: [...stored.keys()] })
    }
    const check = CHECKS[url.searchParams.get('check') ?? '']
    const n = Number(url.searchParams.get('n'))
    if (!check || !Number.isInteger(n) || n < 1) {
      return Response.json(
        { error: `check must be one of ${Object.keys(CHECKS)}; n >= 1` },
        { status: 400 },
      )
    }
    for (let i = 0; i < n; i++) {
      if (!(await check(cost)))
        return Response.json({ error: 'a check came out wrong' }, { status: 500 })
    }
    return Response.json({ checks: n })
  },
}
