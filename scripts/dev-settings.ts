/**
 * What `npm run dev` checks before it starts anything: a Worker started with a bad JWT_SECRET
 * answers every request with a 500 and says why only in its log, which a newcomer never reads.
 */
import fs from 'node:fs'
import { JwtSecret } from '../src/lib/jwt-secret'

/** A value from a dotenv file, as wrangler would read it (quotes removed); undefined if absent. */
function dotenvValue(file: string, name: string): string | undefined {
  if (!fs.existsSync(file)) return undefined
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/.exec(line)
    if (match?.[1] !== name) continue
    const raw = (match[2] ?? '').trim()
    const quoted = /^(['"`])(.*)\1$/.exec(raw)
    return quoted ? (quoted[2] ?? '') : raw.replace(/\s+#.*$/, '')
  }
  return undefined
}

/** Throws, with the reason and where the secret came from (never its value), when it is unusable. */
export function checkDevSecret(secrets: Record<string, string>, devVarsPath: string): void {
  const fromEnvironment = secrets.JWT_SECRET !== undefined
  const secret = fromEnvironment ? secrets.JWT_SECRET : dotenvValue(devVarsPath, 'JWT_SECRET')
  const result = JwtSecret.safeParse(secret)
  if (result.success) return
  const source = fromEnvironment ? 'the environment' : devVarsPath
  const reason = result.error.issues[0]?.message ?? 'is not usable'
  throw new Error(
    `JWT_SECRET (from ${source}) ${reason}. Delete .dev.vars to have a random one made, or set JWT_SECRET to at least 32 random bytes.`,
  )
}
