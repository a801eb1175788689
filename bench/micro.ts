/**
 * `npm run bench:micro`: the Worker's own JavaScript per request, route by route, measured
 * inside workerd with the database's answers replayed (see micro-worker.ts): workerd's CPU from
 * /proc over thousands of requests in one invocation, so the figure is precise to a microsecond
 * or two, and free of the network, the HTTP server and the database. For finding what to take
 * off the per-request path; the bench's table measures the whole stack.
 *
 * Env: BENCH_MICRO_REQUESTS (5000 per route and round), BENCH_MICRO_ROUNDS (5, interleaved,
 * the median reported), BENCH_MICRO_ROUTES (comma-separated paths, each with @<LOG_LEVEL> to run it
 * at another level; default below),
 * BENCH_MICRO_PROFILE=1 (then a CPU profile of each route's loop through workerd's inspector,
 * a non-minified build, written to bench/results/profiles/ and summarized; its figures are not
 * the bench's, an inspector slows workerd down).
 */
import fs from 'node:fs'
import path from 'node:path'
import { freePort } from '../scripts/free-port'
import { repoRoot } from '../scripts/paths'
import { buildBundle } from './bundle'
import { cpuMilliseconds } from './cpu'
import { profileWhile } from './inspector'
import { bundleSources, sourceGroup, summarizeProfile } from './profile-summary'
import { seedUsers } from './seed'
import { log, resultsDir } from './settings'
import { startNeonLocalProcess } from './stack/neon-local'
import { openBenchPostgres } from './stack/postgres'
import { readWorkerSettings, startWorkerd } from './stack/workerd'
import { makeTempDir } from './temp-dir'

const requests = Number(process.env.BENCH_MICRO_REQUESTS ?? 5000)
const rounds = Number(process.env.BENCH_MICRO_ROUNDS ?? 5)
const routes = (
  process.env.BENCH_MICRO_ROUTES ?? '/,/nope,/health,/v1/users/me,/v1/users/me@debug'
).split(',')
const profiling = process.env.BENCH_MICRO_PROFILE === '1'

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

async function main(): Promise<void> {
  const temp = makeTempDir('bench-micro-')
  const postgres = await openBenchPostgres(process.env.DATABASE_URL?.trim() || undefined, log)
  try {
    const settings = await readWorkerSettings()
    const config = path.join(temp.path, 'wrangler.toml')
    fs.writeFileSync(
      config,
      [
        'name = "bench-micro"',
        `main = ${JSON.stringify(path.join(repoRoot, 'bench', 'micro-worker.ts'))}`,
        `compatibility_date = "${settings.compatibilityDate}"`,
        `compatibility_flags = ${JSON.stringify(settings.compatibilityFlags)}`,
        '',
      ].join('\n'),
    )
    const built = await buildBundle(path.join(temp.path, 'bundle'), { config, minify: !profiling })
    log('built')
    const database = postgres.serverUrl ? await postgres.database('bench_micro') : undefined
    const neonLocal = await startNeonLocalProcess({
      databaseUrl: database?.url,
      workDir: path.join(temp.path, 'neon-local'),
    })
    log('neon-local up')
    const workerd = await startWorkerd({
      bundleDir: built.outdir,
      settings,
      vars: { BCRYPT_COST: '4', CORS_ORIGINS: '', NEON_FETCH_ENDPOINT: neonLocal.endpoint },
      secrets: { DATABASE_URL: neonLocal.connectionString, JWT_SECRET: 'm'.repeat(64) },
      workDir: path.join(temp.path, 'workerd'),
      inspectorPort: profiling ? await freePort() : undefined,
    }).catch(async (error: unknown) => {
      await neonLocal.stop()
      throw error
    })
    log('workerd up')
    try {
      const { token } = await seedUsers(workerd.url, 'micro', 1)
      const perRequest = new Map<string, number[]>(routes.map((route) => [route, []]))
      const run = async (route: string, n: number) => {
        const [target = route, level] = route.split('@')
        const query = `path=${encodeURIComponent(target)}&n=${n}${level ? `&logLevel=${level}` : ''}`
        const url = `${workerd.url}/__micro?${query}`
        const send = () => fetch(url, { headers: { authorization: `Bearer ${token}` } })
        // A kept-alive connection workerd has just closed fails before the request is sent:
        // once more on a fresh one.
        const response = await send().catch(send)
        if (!response.ok) throw new Error(`${route}: HTTP ${response.status}`)
        return (await response.json()) as { statuses: Record<string, number> }
      }
      for (const route of routes)
        log(`${route}: ${JSON.stringify((await run(route, 200)).statuses)}`)
      if (profiling) {
        const code = fs.readFileSync(path.join(built.outdir, 'micro-worker.js'), 'utf8')
        const lineSource = bundleSources(code)
        const sourceOf = (frame: { url: string; lineNumber: number }) =>
          frame.url.endsWith('micro-worker.js')
            ? lineSource(frame.lineNumber)
            : sourceGroup(frame.url)
        for (const route of routes) {
          const { profile } = await profileWhile(workerd.inspectorPort ?? 0, () =>
            run(route, requests),
          )
          const file = path.join(
            resultsDir,
            'profiles',
            `micro${route.replaceAll('/', '_')}.cpuprofile`,
          )
          fs.mkdirSync(path.dirname(file), { recursive: true })
          fs.writeFileSync(file, JSON.stringify(profile))
          console.log(`\n${route}, ${requests} requests (${file}):\n`)
          console.log(summarizeProfile(profile, { sourceOf, top: 25 }))
        }
        return
      }
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 ? [...routes].reverse() : routes
        for (const route of order) {
          const before = cpuMilliseconds(workerd.child.pid) ?? Number.NaN
          await run(route, requests)
          const after = cpuMilliseconds(workerd.child.pid) ?? Number.NaN
          perRequest.get(route)?.push((1000 * (after - before)) / requests)
        }
      }
      console.log(
        `\nWorker JavaScript per request, replayed database (${rounds} rounds of ${requests}):\n`,
      )
      console.log('| route | µs CPU per request (median) | rounds |')
      console.log('|---|---:|---|')
      for (const [route, values] of perRequest) {
        console.log(
          `| ${route} | ${median(values).toFixed(1)} | ${values.map((v) => v.toFixed(0)).join(', ')} |`,
        )
      }
    } finally {
      await workerd.stop()
      await neonLocal.stop()
    }
  } finally {
    await postgres.close()
    temp.remove()
  }
}

main().catch((error: unknown) => {
  console.error(`[bench:micro] ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
