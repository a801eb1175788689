/**
 * `npm run bench:profile`: where the CPU goes on one route, in a run apart from the bench (an
 * inspector attached slows workerd down, so no figure from here belongs in the bench's table).
 * The Worker (a non-minified production build, so names read) is profiled through workerd's
 * inspector, neon-local with `node --cpu-prof`, both under the same load. The profiles go to
 * bench/results/profiles/ (open them in Chrome DevTools), and their summaries are printed.
 *
 * Env: BENCH_PROFILE_ROUTE (me, the default; register; login), BENCH_DURATION (10 s),
 * BENCH_CONNECTIONS (10), DATABASE_URL (as for the bench; else a private cluster or PGlite).
 * Runs under `node --experimental-websocket` (Node 20's WebSocket, for the inspector).
 */
import fs from 'node:fs'
import path from 'node:path'
import { freePort } from '../scripts/free-port'
import { buildBundle } from './bundle'
import { profileWhile } from './inspector'
import { runLoad } from './load'
import { bundleSources, type CpuProfile, sourceGroup, summarizeProfile } from './profile-summary'
import { seedUsers } from './seed'
import { log, PASSWORD, resultsDir, settings } from './settings'
import { startNeonLocalProcess } from './stack/neon-local'
import { openBenchPostgres } from './stack/postgres'
import { readWorkerSettings, startWorkerd } from './stack/workerd'
import { makeTempDir } from './temp-dir'

const route = process.env.BENCH_PROFILE_ROUTE?.trim() || 'me'

async function main(): Promise<void> {
  const temp = makeTempDir('bench-profile-')
  const profiles = path.join(resultsDir, 'profiles')
  fs.mkdirSync(profiles, { recursive: true })
  const postgres = await openBenchPostgres(process.env.DATABASE_URL?.trim() || undefined, log)
  try {
    const database = postgres.serverUrl ? await postgres.database('bench_profile') : undefined
    const built = await buildBundle(path.join(temp.path, 'bundle'), { minify: false })
    const neonProfiles = path.join(temp.path, 'neon-local-profile')
    const neonLocal = await startNeonLocalProcess({
      databaseUrl: database?.url,
      workDir: path.join(temp.path, 'neon-local'),
      cpuProfileDir: neonProfiles,
    })
    const inspectorPort = await freePort()
    const workerd = await startWorkerd({
      bundleDir: built.outdir,
      settings: await readWorkerSettings(),
      vars: { BCRYPT_COST: '4', CORS_ORIGINS: '', NEON_FETCH_ENDPOINT: neonLocal.endpoint },
      secrets: { DATABASE_URL: neonLocal.connectionString, JWT_SECRET: 'p'.repeat(64) },
      workDir: path.join(temp.path, 'workerd'),
      inspectorPort,
    })
    try {
      const seeds = await seedUsers(workerd.url, 'profile', 4)
      const jobs = {
        me: { method: 'GET', path: '/v1/users/me', body: { kind: 'none' } },
        register: {
          method: 'POST',
          path: '/v1/users',
          body: { kind: 'register', password: PASSWORD },
        },
        login: {
          method: 'POST',
          path: '/v1/users/login',
          body: { kind: 'login', emails: seeds.emails, password: PASSWORD },
        },
      } as const
      const job = jobs[route as keyof typeof jobs]
      if (!job)
        throw new Error(`BENCH_PROFILE_ROUTE must be one of ${Object.keys(jobs).join(', ')}`)
      const load = (seconds: number, jobId: number) =>
        runLoad({
          url: workerd.url,
          ...job,
          headers: {
            ...(route === 'me' ? { authorization: `Bearer ${seeds.token}` } : {}),
            ...(job.body.kind === 'none' ? {} : { 'content-type': 'application/json' }),
          },
          freshAddress: route !== 'me',
          jobId,
          runTag: 'profile',
          connections: settings.connections,
          durationSeconds: seconds,
        })
      log(`${route}: warm-up, then ${settings.durationSeconds} s profiled`)
      await load(Math.max(1, settings.warmupSeconds), 1)
      const { profile, result } = await profileWhile(inspectorPort, () =>
        load(settings.durationSeconds, 2),
      )
      log(
        `${result.completed} responses, ${result.requestsPerSecond.toFixed(0)}/s (inspector attached)`,
      )
      const workerFile = path.join(profiles, `worker-${route}.cpuprofile`)
      fs.writeFileSync(workerFile, JSON.stringify(profile))
      const sourceOf = bundleSources(fs.readFileSync(path.join(built.outdir, 'index.js'), 'utf8'))
      console.log(`\nWorker (${workerFile}):\n`)
      console.log(
        summarizeProfile(profile, {
          sourceOf: (frame) =>
            frame.url.endsWith('index.js') ? sourceOf(frame.lineNumber) : sourceGroup(frame.url),
        }),
      )
    } finally {
      await workerd.stop()
      await neonLocal.stop()
    }
    const [neonFile] = fs.existsSync(neonProfiles) ? fs.readdirSync(neonProfiles) : []
    if (neonFile) {
      const target = path.join(profiles, `neon-local-${route}.cpuprofile`)
      fs.copyFileSync(path.join(neonProfiles, neonFile), target)
      const profile = JSON.parse(fs.readFileSync(target, 'utf8')) as CpuProfile
      console.log(`\nneon-local, its whole life (${target}):\n`)
      console.log(summarizeProfile(profile))
    }
  } finally {
    await postgres.close()
    temp.remove()
  }
}

main().catch((error: unknown) => {
  console.error(`[bench:profile] ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
