/**
 * The product and the service it replaces, side by side in one run, on the same PostgreSQL:
 * `/me`, register and login, at bcrypt cost 4 (the throughput of everything but the hash) and
 * at 12 (the hash, the old service's and the product's default). Each scenario runs
 * BENCH_REPEATS times per stack, the two stacks interleaved and their order alternated, and the
 * medians are reported with the CPU per request of every process on each path.
 */
import { type CpuMeter, processMeter } from './cpu'
import { type RunContext, runScenario, type Scenario, type ScenarioResult } from './measure'
import { me } from './scenarios/reads'
import { register } from './scenarios/register'
import { seedUsers } from './seed'
import { log, PASSWORD, settings } from './settings'
import { oldServiceMissing, startOldService } from './stack/old-service'
import type { BenchPostgres } from './stack/postgres'
import type { ProductionStack } from './stack/production'

/** Cost 4: what the stacks cost around the hash; 12: the hash, both services' default. */
export const COMPARE_COSTS = [4, 12] as const

export type StackName = 'product' | 'old service'

export interface ComparedRun {
  cost: number
  stack: StackName
  result: ScenarioResult
}

export interface Comparison {
  repeats: number
  runs: ComparedRun[]
  /** Why the old service did not run, when it did not. */
  skipped: string | undefined
}

/** The label of the old service's own process among the meters. */
export const OLD_METER = 'old service (Python)'

/**
 * Accounts the logins take turns on: at cost 4 enough that no account reaches the product's
 * 50 live sessions in a bench (a login beyond them ends the oldest, work a real sign-in rarely
 * does); at cost 12, where each registration costs a hash, as many as the connections twice.
 * The token for `/me` belongs to one more account that never logs in again, so no login ends
 * its session.
 */
const loginAccounts = (cost: number) => (cost === 4 ? 400 : Math.max(2 * settings.connections, 4))

function scenariosFor(cost: number, token: string, emails: string[]): Scenario[] {
  const c = settings.connections
  const login: Scenario = {
    name: 'login',
    method: 'POST',
    path: '/v1/users/login',
    body: { kind: 'login', emails, password: PASSWORD },
    freshAddress: true,
    expectedStatus: 200,
    connections: c,
  }
  const routes = cost === 4 ? [me(c, token), register(c), login] : [register(c), login]
  return routes.map((scenario) => ({ ...scenario, name: `${scenario.name} (cost ${cost})` }))
}

export async function compareWithOldService(options: {
  product: ProductionStack
  postgres: BenchPostgres
  runTag: string
  nextJobId: () => number
  loadMeter: CpuMeter
  /** Whether a scenario (by name) is to run: BENCH_ONLY. */
  selected: (name: string) => boolean
  interrupted: () => boolean
}): Promise<Comparison> {
  const { product, postgres } = options
  const comparison: Comparison = { repeats: settings.repeats, runs: [], skipped: undefined }
  const missing = postgres.serverUrl
    ? await oldServiceMissing()
    : 'the old service needs a PostgreSQL server (PGlite serves only neon-local): install postgresql for initdb, or set DATABASE_URL'
  if (missing) {
    comparison.skipped = missing
    log(`old service skipped: ${missing}`)
    return comparison
  }
  const oldDatabase = await postgres.database('bench_old')
  const context = (url: string, meters: CpuMeter[], roundTrips?: () => Promise<number>) =>
    ({
      url,
      roundTrips,
      meters: [...meters, options.loadMeter],
      runTag: options.runTag,
      nextJobId: options.nextJobId,
      nextAccountOffset: () => 0,
    }) satisfies RunContext
  for (const cost of COMPARE_COSTS) {
    const planned = scenariosFor(cost, '', []).filter((s) => options.selected(s.name))
    if (planned.length === 0 || options.interrupted()) continue
    log(
      `comparison at bcrypt cost ${cost}: the product's workerd restarted, the old service started`,
    )
    await product.restart({ BCRYPT_COST: String(cost) })
    const old = await startOldService({ databaseUrl: oldDatabase.url, bcryptCost: cost })
    try {
      const tag = `${options.runTag}-c${cost}`
      const seeds = loginAccounts(cost) + 1
      log(`${seeds} accounts on each stack`)
      const productSeeds = await seedUsers(product.url, tag, seeds)
      const oldSeeds = await seedUsers(old.url, tag, seeds)
      const stacks = [
        {
          name: 'product' as const,
          scenarios: scenariosFor(cost, productSeeds.token, productSeeds.emails.slice(1)),
          run: context(product.url, product.meters(), async () => {
            return (await product.neonLocal.stats()).requests
          }),
        },
        {
          name: 'old service' as const,
          scenarios: scenariosFor(cost, oldSeeds.token, oldSeeds.emails.slice(1)),
          run: context(old.url, [
            processMeter(OLD_METER, old.child.pid),
            ...(postgres.meter ? [postgres.meter] : []),
          ]),
        },
      ]
      for (let repeat = 0; repeat < settings.repeats; repeat++) {
        for (const [index, name] of planned.map((s) => s.name).entries()) {
          const order = (repeat + index) % 2 === 0 ? stacks : [...stacks].reverse()
          for (const stack of order) {
            if (options.interrupted()) return comparison
            const scenario = stack.scenarios.find((s) => s.name === name)
            if (!scenario) continue
            const result = await runScenario(stack.run, {
              ...scenario,
              name: `${name}, ${stack.name}`,
            })
            comparison.runs.push({ cost, stack: stack.name, result: { ...result, name } })
          }
        }
      }
    } finally {
      await old.stop()
    }
  }
  return comparison
}
