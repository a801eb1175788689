/**
 * Requests as Cloudflare's asset router routes them. In the Workers test pool,
 * `exports.default.fetch` reaches the Worker only; in production, a path that no
 * `run_worker_first` pattern claims is answered from public/ with public/_headers applied, and
 * never reaches the Worker. This reads those patterns from wrangler.toml itself, so a test of a
 * static page also fails when the Worker is put in front of it.
 */
import { env, exports } from 'cloudflare:workers'
import wranglerToml from '../../wrangler.toml?raw'

/** run_worker_first's patterns: `*` matches any run of characters, `!` excludes. */
export function workerFirstPatterns(toml: string = wranglerToml): string[] {
  const list = /^\s*run_worker_first\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1]
  if (list === undefined) throw new Error('wrangler.toml has no run_worker_first list')
  return [...list.matchAll(/"([^"]*)"/g)].map((match) => match[1] ?? '')
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const toRegExp = (pattern: string) =>
  new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`)

/** Whether the Worker, rather than the static assets, answers `path`. */
export function reachesWorker(path: string, patterns = workerFirstPatterns()): boolean {
  const pathname = new URL(path, 'https://api.example.com').pathname
  const matches = (pattern: string) => toRegExp(pattern).test(pathname)
  const included = patterns.filter((p) => !p.startsWith('!')).some(matches)
  const excluded = patterns.filter((p) => p.startsWith('!')).some((p) => matches(p.slice(1)))
  return included && !excluded
}

/** GET `path` the way a browser on the deployed origin would be answered. */
export async function browse(path: string): Promise<Response> {
  const request = new Request(new URL(path, 'https://api.example.com'))
  if (reachesWorker(path)) return exports.default.fetch(request)
  return env.ASSETS.fetch(request)
}
