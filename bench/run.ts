/**
 * `npm run bench`: the app as `npm run dev` runs it (wrangler dev, the production driver, a
 * local Neon endpoint counting round trips), loaded route by route with autocannon; the bare
 * bcrypt verify in the same runtime; the bundle. Results go to bench/results/latest.{json,md}.
 * Settings from the environment: see settings.ts.
 *
 * The parts: app.ts starts the app, seed.ts makes its users, scenarios/ says what each load
 * sends, measure.ts runs one, load.ts drives autocannon, report.ts writes the results.
 */
import crypto from 'node:crypto'
import type { DevServer } from '../scripts/dev-server'
import { isNeonHost, isPostgresUrl, redactPassword } from '../tools/neon-local/index'
import { createScratchDatabase, type ScratchDatabase } from '../tools/neon-local/scratch-db'
import { startApp } from './app'
import { measureNativeVerify, measureWorkerdVerify } from './bcrypt'
import { measureBundle } from './bundle'
import { findUserWorkerd } from './cpu'
import { stopAllLoads } from './load'
import { oneConnection, type RunContext, runScenario, type ScenarioResult } from './measure'
import { buildReport, machine, writeReport } from './report'
import {
  checkLegacyHashes,
  type LoginSeeds,
  legacyCostFor,
  loginScenarios,
  seedLoginPools,
} from './scenarios/login'
import { passwordResetScenarios, ResetAccounts } from './scenarios/password-reset'
import { health, me } from './scenarios/reads'
import { register } from './scenarios/register'
import { ACCOUNT_SLOT, POOL_ACCOUNTS, seedUsers } from './seed'
import { log, settings, VERIFY_SAMPLES } from './settings'
import { makeTempDir } from './temp-dir'

// wrangler also runs in this process (the bcrypt Worker): no metrics, no network look-ups.
process.env.WRANGLER_SEND_METRICS ??= 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'

let interrupted = false

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined
  if (databaseUrl && (!isPostgresUrl(databaseUrl) || isNeonHost(databaseUrl))) {
    throw new Error(
      'DATABASE_URL must name a local or self-hosted PostgreSQL server: the bench counts round trips at a local Neon endpoint',
    )
  }
  const runTag = crypto.randomBytes(4).toString('hex')
  const tempDir = makeTempDir('bench-')
  let scratch: ScratchDatabase | undefined
  let dev: DevServer | undefined
  const onSignal = () => {
    if (interrupted) return
    interrupted = true
    log('stopping')
    stopAllLoads()
    dev?.stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  try {
    const info = machine()
    log(
      `${info.cores} cores, ${info.cpuModel}, Node ${info.node}; BCRYPT_COST=${settings.bcryptCost}`,
    )
    if (settings.bcryptCost < 10) log('BCRYPT_COST under 10 is for tests and benchmarks only')
    if (databaseUrl) {
      // The bench writes thousands of rows: a scratch database on that server, dropped after.
      scratch = await createScratchDatabase(databaseUrl, 'bench')
    }
    const app = await startApp({
      databaseUrl: scratch?.url,
      tempDir: tempDir.path,
      onStarting: (started) => {
        dev = started
      },
    })
    const { url, neonLocal } = app
    const database = scratch
      ? `PostgreSQL scratch database ${scratch.name} via neon-local`
      : `PGlite (temp directory) via neon-local`
    log(`app at ${url}; ${database}`)

    const seeds = await seedUsers(url, runTag, Math.max(2 * settings.connections, 4))
    // Neon hosts were refused above, so the database is always behind neon-local here.
    if (!neonLocal) throw new Error('the bench needs the local Neon endpoint')
    const logins: LoginSeeds = {
      emails: seeds.emails,
      ...(await seedLoginPools(neonLocal, runTag, settings.bcryptCost)),
    }
    const resetAccounts = await ResetAccounts.seed(neonLocal, runTag, settings.bcryptCost)
    let jobs = 0
    const poolRuns = new Map<string, number>()
    const run: RunContext = {
      url,
      local: neonLocal,
      workerd: findUserWorkerd(app.processGroup),
      runTag,
      nextJobId: () => ++jobs,
      nextAccountOffset: (prefix) => {
        const runs = poolRuns.get(prefix) ?? 0
        poolRuns.set(prefix, runs + 1)
        return (runs * ACCOUNT_SLOT) % POOL_ACCOUNTS
      },
    }
    const c = settings.connections
    const logInScenarios = loginScenarios(c, logins)
    const resetScenarios = passwordResetScenarios(c, resetAccounts)
    const all = [
      me(c, seeds.token),
      register(c),
      ...logInScenarios,
      ...resetScenarios,
      health(c),
      ...oneConnection([...logInScenarios, ...resetScenarios]),
    ]
    const only = settings.only
    const scenarios = only ? all.filter((s) => s.name.toLowerCase().includes(only)) : all
    if (scenarios.length === 0) throw new Error(`BENCH_ONLY=${only} names no scenario`)
    if (only) log(`BENCH_ONLY=${only}: ${scenarios.map((s) => s.name).join('; ')}`)

    const results: ScenarioResult[] = []
    for (const scenario of scenarios) {
      if (interrupted) break
      results.push(await runScenario(run, scenario))
    }
    if (interrupted) return
    await checkLegacyHashes(neonLocal, logins)
    await resetAccounts.check()

    // The database goes before wrangler is imported for the bcrypt Worker (see bcrypt.ts).
    app.dev.stop()
    await app.dev.exited
    dev = undefined
    await scratch?.drop()
    scratch = undefined
    if (interrupted) return

    log(`bcrypt verify at cost ${settings.bcryptCost}: workerd, then native`)
    const workerd = await measureWorkerdVerify(settings.bcryptCost, VERIFY_SAMPLES)
    const native = measureNativeVerify(settings.bcryptCost, VERIFY_SAMPLES)
    log('bundle')
    const bundle = await measureBundle()

    const report = buildReport({
      machine: info,
      settings: { ...settings, database, logLevel: 'warn' },
      results,
      workerd,
      native,
      legacyCost: legacyCostFor(settings.bcryptCost),
      bundle,
    })
    log(`written: ${writeReport(report)}/latest.json, latest.md`)
  } finally {
    stopAllLoads()
    if (dev) {
      dev.stop()
      await dev.exited.catch(() => undefined)
    }
    await scratch?.drop().catch(() => undefined)
    tempDir.remove()
  }
}

main().then(
  () => {
    if (interrupted) process.exitCode = 130
  },
  (error: unknown) => {
    if (interrupted) {
      // A load run cut short by Ctrl-C rejects; that is the stop, not a failure to report.
      log('stopped')
      process.exitCode = 130
      return
    }
    const message = error instanceof Error ? error.message : String(error)
    console.error(`[bench] ${redactPassword(message, process.env.DATABASE_URL?.trim())}`)
    process.exitCode = 1
  },
)
