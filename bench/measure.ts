/**
 * One scenario's measurement: a warm-up run, then a measured run, with the database round trips
 * (at the local Neon endpoint) and the CPU of each process on the path that the measured run
 * caused.
 */
import type { CpuMeter } from './cpu'
import { type BodyPlan, type LoadJob, type LoadResult, runLoad } from './load'
import { log, settings, sleep } from './settings'

export interface Scenario {
  name: string
  method: 'GET' | 'POST'
  path: string
  body: BodyPlan
  freshAddress: boolean
  /** The status every response should have; others are counted as unexpected. */
  expectedStatus: number
  connections: number
  token?: string
  /** Where a `password-reset` body's accounts come from. */
  accounts?: AccountSource
}

/** Accounts no earlier run asked for, for a route that limits requests per email. */
export interface AccountSource {
  /** Where a run of `seconds` with `connections` starts, with enough fresh accounts after it. */
  reserve(seconds: number, connections: number): Promise<number>
  /** What the run that started there built, sent and got back. */
  used(load: LoadResult, seconds: number): void
}

/** The same scenarios one connection at a time: latency without queueing, for the ratios. */
export const oneConnection = (scenarios: Scenario[]): Scenario[] =>
  scenarios.map((s) => ({ ...s, name: `${s.name} (1 connection)`, connections: 1 }))

export interface ScenarioResult {
  name: string
  route: string
  connections: number
  expectedStatus: number
  load: LoadResult
  unexpected: number
  /**
   * Endpoint requests caused by the measured run per request it sent (the server finishes the
   * few still in flight when the clock stops, and they are counted); null without neon-local.
   */
  roundTripsPerRequest: number | null
  /** CPU of the workerd running the Worker per request sent; null where /proc is not readable. */
  workerCpuMsPerRequest: number | null
  /** CPU per request sent of each process on the path, by its meter's label. */
  cpuMsPerRequest: Record<string, number | null>
}

/** The meter whose figure is the Worker's own CPU. */
export const WORKER_METER = 'app workerd'

export interface RunContext {
  url: string
  /** Requests neon-local has served so far; undefined for a stack without it. */
  roundTrips: (() => Promise<number>) | undefined
  meters: CpuMeter[]
  runTag: string
  nextJobId: () => number
  /** Where the next run through an account pool starts (see ACCOUNT_SLOT in seed.ts). */
  nextAccountOffset: (prefix: string) => number
}

/**
 * Waits until the endpoint has seen no request for `quietMs`: requests still running on the
 * server after the client stopped must count toward the run that sent them, not the next one.
 * A register or login spends most of its time in bcrypt before its query, so the quiet window
 * has to outlast the slowest request seen. A stack without a counter gets the quiet window.
 */
async function quiesce(
  roundTrips: (() => Promise<number>) | undefined,
  quietMs: number,
): Promise<number | undefined> {
  if (!roundTrips) {
    await sleep(quietMs)
    return undefined
  }
  let last = await roundTrips()
  let quietSince = Date.now()
  const deadline = Date.now() + quietMs + 30_000
  while (Date.now() < deadline) {
    await sleep(100)
    const now = await roundTrips()
    if (now !== last) {
      last = now
      quietSince = Date.now()
    } else if (Date.now() - quietSince >= quietMs) {
      break
    }
  }
  return last
}

const quietWindow = (load: LoadResult | undefined) =>
  Math.max(500, 1.5 * (load?.latencyMs.max ?? 0))

export async function runScenario(run: RunContext, scenario: Scenario): Promise<ScenarioResult> {
  const { url } = run
  const headers: Record<string, string> = {}
  if (scenario.body.kind !== 'none') headers['content-type'] = 'application/json'
  if (scenario.token) headers.authorization = `Bearer ${scenario.token}`
  const bodyFor = async (durationSeconds: number): Promise<BodyPlan> => {
    const { body, accounts } = scenario
    switch (body.kind) {
      case 'login-wrong-password':
        return { ...body, offset: run.nextAccountOffset(body.prefix) }
      case 'password-reset':
        if (!accounts) throw new Error(`${scenario.name}: a password-reset body needs accounts`)
        return { ...body, offset: await accounts.reserve(durationSeconds, scenario.connections) }
      default:
        return body
    }
  }
  const jobFor = async (durationSeconds: number): Promise<LoadJob> => ({
    url,
    method: scenario.method,
    path: scenario.path,
    headers,
    body: await bodyFor(durationSeconds),
    freshAddress: scenario.freshAddress,
    jobId: run.nextJobId(),
    runTag: run.runTag,
    connections: scenario.connections,
    durationSeconds,
  })
  const loadOf = async (job: LoadJob): Promise<LoadResult> => {
    const result = await runLoad(job)
    scenario.accounts?.used(result, job.durationSeconds)
    return result
  }
  log(
    `${scenario.name}: ${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s measured`,
  )
  const warmup =
    settings.warmupSeconds > 0 ? await loadOf(await jobFor(settings.warmupSeconds)) : undefined
  // Made before the counts start: a reservation may write more accounts.
  const measured = await jobFor(settings.durationSeconds)
  const before = await quiesce(run.roundTrips, quietWindow(warmup))
  const cpuBefore = run.meters.map((meter) => meter.read())
  const load = await loadOf(measured)
  const after = await quiesce(run.roundTrips, quietWindow(load))
  const cpuAfter = run.meters.map((meter) => meter.read())
  const expected = load.statuses[String(scenario.expectedStatus)] ?? 0
  const cpuMsPerRequest: Record<string, number | null> = {}
  run.meters.forEach((meter, index) => {
    const [start, end] = [cpuBefore[index], cpuAfter[index]]
    cpuMsPerRequest[meter.label] =
      start === undefined || end === undefined || load.sent === 0 ? null : (end - start) / load.sent
  })
  return {
    name: scenario.name,
    route: `${scenario.method} ${scenario.path}`,
    connections: scenario.connections,
    expectedStatus: scenario.expectedStatus,
    load,
    unexpected: load.completed - expected,
    roundTripsPerRequest:
      before === undefined || after === undefined || load.sent === 0
        ? null
        : (after - before) / load.sent,
    workerCpuMsPerRequest: cpuMsPerRequest[WORKER_METER] ?? null,
    cpuMsPerRequest,
  }
}
