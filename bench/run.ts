/**
 * `npm run bench`: the production bundle (what `wrangler deploy --dry-run` builds) served by
 * workerd itself, through the production driver to neon-local (a process of its own, counting
 * round trips) and PostgreSQL, loaded route by route with autocannon; then side by side with the
 * old FastAPI service on the same PostgreSQL; the Worker's startup CPU; the bare bcrypt verify;
 * the bundle. Every figure comes with the CPU per request of each process on the path, from
 * /proc. Results go to bench/results/latest.{json,md}. Settings from the environment: see
 * settings.ts.
 *
 * The parts: stack/ starts the processes, seed.ts makes users, scenarios/ says what each load
 * sends, measure.ts runs one, load.ts drives autocannon, compare.ts runs the old service beside
 * the product, startup.ts times module evaluation, report.ts and compare-report.ts write it up.
 */
import crypto from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { isNeonHost, isPostgresUrl, redactPassword } from '../tools/neon-local/index'
import { measureNativeVerify, measureWorkerdVerify } from './bcrypt'
import { buildBundle, describeBundle } from './bundle'
import { type Comparison, compareWithOldService } from './compare'
import { ownProcessMeter } from './cpu'
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
import { openBenchPostgres } from './stack/postgres'
import { type ProductionStack, startProductionStack } from './stack/production'
import { readWorkerSettings } from './stack/workerd'
import { measureStartup } from './startup'
import { makeTempDir } from './temp-dir'

// wrangler also runs in this process (the bcrypt Worker): no metrics, no network look-ups.
process.env.WRANGLER_SEND_METRICS ??= 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'

let interrupted = false
const stops: (() => Promise<void>)[] = []

/** The product's own scenarios, as `npm run bench` has always run them. */
function productScenarios(token: string, logins: LoginSeeds, resets: ResetAccounts) {
  const c = settings.connections
  const logInScenarios = loginScenarios(c, logins)
  const resetScenarios = passwordResetScenarios(c, resets)
  return [
    me(c, token),
    register(c),
    ...logInScenarios,
    ...resetScenarios,
    health(c),
    ...oneConnection([...logInScenarios, ...resetScenarios]),
  ]
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined
  if (databaseUrl && (!isPostgresUrl(databaseUrl) || isNeonHost(databaseUrl))) {
    throw new Error(
      'DATABASE_URL must name a local or self-hosted PostgreSQL server: the bench counts round trips at a local Neon endpoint',
    )
  }
  const runTag = crypto.randomBytes(4).toString('hex')
  const tempDir = makeTempDir('bench-')
  const only = settings.only
  const selected = (name: string) => !only || name.toLowerCase().includes(only)
  const info = machine()
  log(
    `${info.cores} cores, ${info.cpuModel}, Node ${info.node}; load ${info.loadAverageAtStart.join(' ')}`,
  )
  const postgres = await openBenchPostgres(databaseUrl, log)
  stops.push(() => postgres.close())
  let product: ProductionStack | undefined
  try {
    log('building the production bundle (wrangler deploy --dry-run --minify --outdir)')
    const built = await buildBundle(path.join(tempDir.path, 'bundle'))
    const bundle = describeBundle(built)
    const workerSettings = await readWorkerSettings()
    const appDatabase = postgres.serverUrl ? await postgres.database('bench_app') : undefined
    product = await startProductionStack({
      bundleDir: built.outdir,
      settings: workerSettings,
      databaseUrl: appDatabase?.url,
      postgresMeter: postgres.meter,
      workDir: tempDir.path,
      vars: { BCRYPT_COST: String(settings.bcryptCost), CORS_ORIGINS: '' },
    })
    stops.unshift(() => product?.stop() ?? Promise.resolve())
    const { neonLocal } = product
    log(`product at ${product.url}: workerd, neon-local, ${postgres.description}`)

    const loadMeter = ownProcessMeter('load generator (bench process)')
    let jobs = 0
    const nextJobId = () => ++jobs
    const results: ScenarioResult[] = []
    const seeds = await seedUsers(product.url, runTag, Math.max(2 * settings.connections, 4))
    const logins: LoginSeeds = {
      emails: seeds.emails,
      ...(await seedLoginPools(neonLocal, runTag, settings.bcryptCost)),
    }
    const resetAccounts = await ResetAccounts.seed(neonLocal, runTag, settings.bcryptCost)
    const poolRuns = new Map<string, number>()
    const run: RunContext = {
      url: product.url,
      roundTrips: async () => (await neonLocal.stats()).requests,
      meters: [...product.meters(), loadMeter],
      runTag,
      nextJobId,
      nextAccountOffset: (prefix) => {
        const runs = poolRuns.get(prefix) ?? 0
        poolRuns.set(prefix, runs + 1)
        return (runs * ACCOUNT_SLOT) % POOL_ACCOUNTS
      },
    }
    const scenarios = productScenarios(seeds.token, logins, resetAccounts).filter((s) =>
      selected(s.name),
    )
    log(`BCRYPT_COST=${settings.bcryptCost}: ${scenarios.length} scenarios of the product`)
    for (const scenario of scenarios) {
      if (interrupted) return
      results.push(await runScenario(run, scenario))
    }
    await checkLegacyHashes(neonLocal, logins)
    await resetAccounts.check()

    let comparison: Comparison | undefined
    if (settings.compare && !interrupted) {
      comparison = await compareWithOldService({
        product,
        postgres,
        runTag,
        nextJobId,
        loadMeter,
        selected,
        interrupted: () => interrupted,
      })
    }
    if (results.length === 0 && !comparison?.runs.length) {
      throw new Error(`BENCH_ONLY=${only} names no scenario`)
    }
    await product.stop()
    product = undefined
    if (interrupted) return
    const startup = await measureStartup({
      bundleDir: built.outdir,
      settings: workerSettings,
      workDir: tempDir.path,
    })
    const loadAverageAtEnd = os.loadavg().map((value) => Number(value.toFixed(2)))
    // The database goes before wrangler is imported for the bcrypt Worker (see bcrypt.ts).
    await postgres.close()
    stops.length = 0
    if (interrupted) return

    log(`bcrypt verify at cost ${settings.bcryptCost}: workerd, then native`)
    const workerd = await measureWorkerdVerify(settings.bcryptCost, VERIFY_SAMPLES)
    const native = measureNativeVerify(settings.bcryptCost, VERIFY_SAMPLES)

    const report = buildReport({
      machine: { ...info, loadAverageAtEnd },
      settings: { ...settings, database: postgres.description, logLevel: 'info (the default)' },
      results,
      comparison,
      startup,
      workerd,
      native,
      legacyCost: legacyCostFor(settings.bcryptCost),
      bundle,
    })
    log(`written: ${writeReport(report)}/latest.json, latest.md`)
  } finally {
    stopAllLoads()
    for (const stop of stops) await stop().catch(() => undefined)
    tempDir.remove()
  }
}

const onSignal = () => {
  if (interrupted) return
  interrupted = true
  log('stopping')
  stopAllLoads()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

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
