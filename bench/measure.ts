/**
 * One scenario's measurement: a warm-up run, then a measured run, with the database round trips
 * (at the local Neon endpoint) and the workerd CPU the measured run caused.
 */
import type { NeonLocal } from '../tools/neon-local/index'
import { cpuMilliseconds } from './cpu'
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
}

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
}

export interface RunContext {
  url: string
  local: NeonLocal | undefined
  workerd: number | undefined
  runTag: string
  nextJobId: () => number
  /** Where the next run through an account pool starts (see ACCOUNT_SLOT in seed.ts). */
  nextAccountOffset: (prefix: string) => number
}

/**
 * Waits until the endpoint has seen no request for `quietMs`: requests still running on the
 * server after the client stopped must count toward the run that sent them, not the next one.
 * A register or login spends most of its time in bcrypt before its query, so the quiet window
 * has to outlast the slowest request seen.
 */
async function quiesce(local: NeonLocal | undefined, quietMs: number): Promise<number | undefined> {
  if (!local) return undefined
  let last = local.stats().requests
  let quietSince = Date.now()
  const deadline = Date.now() + quietMs + 30_000
  while (Date.now() < deadline) {
    await sleep(100)
    const now = local.stats().requests
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
  const { url, local } = run
  const headers: Record<string, string> = {}
  if (scenario.body.kind !== 'none') headers['content-type'] = 'application/json'
  if (scenario.token) headers.authorization = `Bearer ${scenario.token}`
  const job = (durationSeconds: number): LoadJob => ({
    url,
    method: scenario.method,
    path: scenario.path,
    headers,
    body:
      scenario.body.kind === 'login-wrong-password'
        ? { ...scenario.body, offset: run.nextAccountOffset(scenario.body.prefix) }
        : scenario.body,
    freshAddress: scenario.freshAddress,
    jobId: run.nextJobId(),
    runTag: run.runTag,
    connections: scenario.connections,
    durationSeconds,
  })
  log(
    `${scenario.name}: ${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s measured`,
  )
  const warmup = settings.warmupSeconds > 0 ? await runLoad(job(settings.warmupSeconds)) : undefined
  const before = await quiesce(local, quietWindow(warmup))
  const cpuBefore = run.workerd === undefined ? undefined : cpuMilliseconds(run.workerd)
  const load = await runLoad(job(settings.durationSeconds))
  const after = await quiesce(local, quietWindow(load))
  const cpuAfter = run.workerd === undefined ? undefined : cpuMilliseconds(run.workerd)
  const expected = load.statuses[String(scenario.expectedStatus)] ?? 0
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
    workerCpuMsPerRequest:
      cpuBefore === undefined || cpuAfter === undefined || load.sent === 0
        ? null
        : (cpuAfter - cpuBefore) / load.sent,
  }
}
