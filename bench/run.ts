/**
 * `npm run bench`: the app as `npm run dev` runs it (wrangler dev, the production driver, a
 * local Neon endpoint counting round trips), loaded route by route with autocannon; the bare
 * bcrypt verify in the same runtime; the bundle. Results go to bench/results/latest.{json,md}.
 *
 * Env: BENCH_DURATION (10 s per scenario), BENCH_WARMUP (3 s before each), BENCH_CONNECTIONS
 * (10), BCRYPT_COST (10), DATABASE_URL (a PostgreSQL server for a scratch database; unset: PGlite
 * in a temp directory).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { neon, neonConfig } from '@neondatabase/serverless'
import { hashSync } from '@node-rs/bcrypt'
import { type DevServer, startDevServer } from '../scripts/dev-server'
import { freePort } from '../scripts/free-port'
import { repoRoot } from '../scripts/paths'
import {
  isNeonHost,
  isPostgresUrl,
  type NeonLocal,
  redactPassword,
} from '../tools/neon-local/index'
import { createScratchDatabase, type ScratchDatabase } from '../tools/neon-local/scratch-db'
import { measureNativeVerify, measureWorkerdVerify, type VerifyTiming } from './bcrypt'
import {
  BUNDLE_GZIP_BUDGET_BYTES,
  type BundleReport,
  bundleTable,
  kib,
  measureBundle,
} from './bundle'
import { cpuMilliseconds, findUserWorkerd } from './cpu'
import { type BodyPlan, type LoadJob, type LoadResult, runLoad, stopAllLoads } from './load'
import { makeTempDir } from './temp-dir'

// wrangler also runs in this process (the bcrypt Worker): no metrics, no network look-ups.
process.env.WRANGLER_SEND_METRICS ??= 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'

const PASSWORD = 'Sturdy-Pass-42'
const WRONG_PASSWORD = 'Wrong-Pass-1'
// Accounts for the wrong-password logins; each run of that scenario starts WRONG_PASSWORD_SLOT
// accounts further on, so no account sees five failures (the throttle's limit) in one bench.
const WRONG_PASSWORD_ACCOUNTS = 20_000
const WRONG_PASSWORD_SLOT = 5_000
const VERIFY_SAMPLES = 30
const resultsDir = path.join(repoRoot, 'bench', 'results')
const log = (message: string) => console.log(`[bench] ${message}`)

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim()
  if (!raw) return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}`)
  }
  return value
}

const settings = {
  durationSeconds: intFromEnv('BENCH_DURATION', 10, 1, 600),
  warmupSeconds: intFromEnv('BENCH_WARMUP', 3, 0, 600),
  connections: intFromEnv('BENCH_CONNECTIONS', 10, 1, 1000),
  bcryptCost: intFromEnv('BCRYPT_COST', 10, 4, 15),
}

interface Scenario {
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

interface ScenarioResult {
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitUntilServing(url: string, dev: DevServer): Promise<void> {
  let exited = false
  const markExited = () => {
    exited = true
  }
  dev.exited.then(markExited, markExited)
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline && !exited) {
    try {
      if ((await fetch(`${url}/`)).ok) return
    } catch {
      // not listening yet
    }
    await sleep(250)
  }
  throw new Error(`the app did not answer at ${url}:\n${dev.recentOutput()}`)
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

async function call(
  url: string,
  route: string,
  init: { method?: string; body?: unknown; token?: string; address: string },
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'cf-connecting-ip': init.address }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  if (init.token) headers.authorization = `Bearer ${init.token}`
  const response = await fetch(`${url}${route}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  return { status: response.status, body: await response.json() }
}

/** Users for the login scenarios, and one logged-in user's token for /v1/users/me. */
async function seedUsers(url: string, runTag: string, count: number) {
  const emails = Array.from({ length: count }, (_, i) => `seed.${runTag}.${i}@example.com`)
  // Per-address registration limit: each seed registers from its own address (and /64).
  for (let i = 0; i < emails.length; i += 4) {
    await Promise.all(
      emails.slice(i, i + 4).map(async (email, j) => {
        const res = await call(url, '/v1/users', {
          method: 'POST',
          body: { name: 'Bench Seed', email, password: PASSWORD },
          address: `2001:db8:ffff:${(i + j).toString(16)}::1`,
        })
        if (res.status !== 201) throw new Error(`seeding ${email}: HTTP ${res.status}`)
      }),
    )
  }
  const login = await call(url, '/v1/users/login', {
    method: 'POST',
    body: { email: emails[0], password: PASSWORD },
    address: '2001:db8:ffff:ffff::1',
  })
  const token = (login.body as { data?: { token?: string } }).data?.token
  if (login.status !== 200 || !token) throw new Error(`seed login: HTTP ${login.status}`)
  return { emails, token }
}

/**
 * Accounts for the wrong-password logins, written straight to the database: through the API
 * each would cost a bcrypt hash. They share one hash (at the bench's cost), which is all a
 * failed login reads.
 */
async function seedWrongPasswordAccounts(local: NeonLocal, runTag: string) {
  neonConfig.fetchEndpoint = local.endpoint
  const sql = neon(local.connectionString)
  const prefix = `wrong.${runTag}.`
  await sql.query(
    `insert into users (name, email, password_hash)
     select 'Bench Wrong', $1::text || g || '@example.com', $2::text
     from generate_series(0, $3::int - 1) g`,
    [prefix, hashSync(PASSWORD, { cost: settings.bcryptCost }), WRONG_PASSWORD_ACCOUNTS],
  )
  return { prefix, count: WRONG_PASSWORD_ACCOUNTS }
}

interface RunContext {
  url: string
  local: NeonLocal | undefined
  workerd: number | undefined
  runTag: string
  nextJobId: () => number
  nextWrongPasswordOffset: () => number
}

async function runScenario(run: RunContext, scenario: Scenario): Promise<ScenarioResult> {
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
        ? { ...scenario.body, offset: run.nextWrongPasswordOffset() }
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

function machine() {
  const cpus = os.cpus()
  const version = (pkg: string) =>
    (
      JSON.parse(
        fs.readFileSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8'),
      ) as { version: string }
    ).version
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg().map((value) => Number(value.toFixed(2))),
    wrangler: version('wrangler'),
    workerd: version('workerd'),
    autocannon: version('autocannon'),
  }
}

function commandLine(): string {
  const env = ['BENCH_DURATION', 'BENCH_WARMUP', 'BENCH_CONNECTIONS', 'BCRYPT_COST']
    .filter((name) => process.env[name]?.trim())
    .map((name) => `${name}=${process.env[name]?.trim()}`)
  if (process.env.DATABASE_URL?.trim()) env.push('DATABASE_URL=<postgresql://…>')
  const command =
    process.env.npm_lifecycle_event === 'bench'
      ? 'npm run bench'
      : `node --import tsx ${path.relative(process.cwd(), process.argv[1] ?? 'bench/run.ts')}`
  return [...env, command].join(' ')
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1))
const ratio = (value: number) => `${value.toFixed(2)}×`

function statusMix(result: ScenarioResult): string {
  const entries = Object.entries(result.load.statuses).sort(([a], [b]) => a.localeCompare(b))
  const mix = entries.map(([status, count]) => `${count}×${status}`).join(', ')
  const failures = result.load.errors + result.load.timeouts
  return failures ? `${mix}; ${failures} errors/timeouts` : mix
}

function nonSuccessCell(result: ScenarioResult): string {
  const non2xx = Object.entries(result.load.statuses)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((total, [, count]) => total + count, 0)
  if (non2xx === 0) return '0'
  if (!String(result.expectedStatus).startsWith('2') && result.unexpected === 0) {
    return `${non2xx} (all ${result.expectedStatus}, expected)`
  }
  return `${non2xx} (${result.unexpected} unexpected)`
}

interface Report {
  generatedAt: string
  command: string
  machine: ReturnType<typeof machine>
  settings: typeof settings & { database: string; logLevel: string }
  scenarios: ScenarioResult[]
  bcrypt: {
    cost: number
    workerd: VerifyTiming
    native: VerifyTiming
    loginP50OverVerify: { loaded: number; single: number }
    unknownOverKnownP50: { loaded: number; single: number }
    /** Both answers are 401 after one round trip: what an attacker could compare. */
    unknownOverWrongPasswordP50: { loaded: number; single: number }
  }
  bundle: BundleReport & { gzipBudgetBytes: number }
}

function markdown(report: Report): string {
  const { machine: m, settings: s, bcrypt: b } = report
  const rows = report.scenarios.map((r) =>
    [
      r.name,
      `\`${r.route}\``,
      r.connections,
      r.load.requestsPerSecond.toFixed(1),
      ms(r.load.latencyMs.p50),
      ms(r.load.latencyMs.p99),
      r.load.completed,
      nonSuccessCell(r),
      r.roundTripsPerRequest === null ? 'n/a' : r.roundTripsPerRequest.toFixed(2),
      r.workerCpuMsPerRequest === null ? 'n/a' : r.workerCpuMsPerRequest.toFixed(2),
    ].join(' | '),
  )
  return [
    `Machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
    `wrangler ${m.wrangler} (workerd ${m.workerd}), autocannon ${m.autocannon}; database: ${s.database}.`,
    `Command: \`${report.command}\` — ${s.warmupSeconds} s warm-up then ${s.durationSeconds} s per scenario; BCRYPT_COST=${s.bcryptCost} (the default in wrangler.toml is 12; costs under 10 are for tests and benchmarks only).`,
    '',
    '| scenario | route | connections | req/s | p50 ms | p99 ms | responses | non-2xx | DB round trips / request | workerd CPU ms / request |',
    '|---|---|---:|---:|---:|---:|---:|---|---:|---:|',
    ...rows.map((row) => `| ${row} |`),
    '',
    'Round trips: requests at the local Neon endpoint per request sent. workerd CPU: user + system CPU of the workerd process that runs the Worker (its HTTP handling included), per request sent; it moves much less than latency when other processes share the machine.',
    '',
    `Status mix: ${report.scenarios.map((r) => `${r.name}: ${statusMix(r)}`).join('; ')}.`,
    '',
    `Bare bcrypt verify at cost ${b.cost}: ${ms(b.workerd.p50Ms)} ms p50 in ${b.workerd.runtime}; ${ms(b.native.p50Ms)} ms p50 in ${b.native.runtime} (${b.workerd.samples} samples each).`,
    `Login p50 / bare verify p50: ${ratio(b.loginP50OverVerify.single)} with 1 connection, ${ratio(b.loginP50OverVerify.loaded)} with ${s.connections} (requests queue for the one workerd thread).`,
    `Unknown-email login p50 / successful login p50: ${ratio(b.unknownOverKnownP50.single)} with 1 connection, ${ratio(b.unknownOverKnownP50.loaded)} with ${s.connections} (a success also makes a second round trip and signs tokens).`,
    `Unknown-email login p50 / wrong-password login p50 (both 401 after one round trip and one bcrypt verify): ${ratio(b.unknownOverWrongPasswordP50.single)} with 1 connection, ${ratio(b.unknownOverWrongPasswordP50.loaded)} with ${s.connections}.`,
    '',
    `Bundle: ${kib(report.bundle.bytes)} minified, ${kib(report.bundle.gzipBytes)} gzip (budget ${kib(report.bundle.gzipBudgetBytes)}), from \`${report.bundle.command}\`.`,
    '',
    bundleTable(report.bundle),
    '',
  ].join('\n')
}

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
    const port = await freePort()
    dev = startDevServer({
      databaseUrl: scratch?.url,
      pgliteDataDir: path.join(tempDir.path, 'pglite'),
      host: '127.0.0.1',
      port,
      vars: { BCRYPT_COST: String(settings.bcryptCost), CORS_ORIGINS: '' },
      secrets: { JWT_SECRET: crypto.randomBytes(32).toString('hex') },
      secretsEnvPath: path.join(tempDir.path, 'secrets.env'),
      // Two log lines per request printed by wrangler's Node process would compete with the app
      // for the two cores; the Worker still writes them, and errors are still shown.
      wranglerArgs: ['--log-level', 'warn'],
      output: 'capture',
      log,
    })
    const { url, neonLocal, processGroup } = await dev.started
    await waitUntilServing(url, dev)
    const database = scratch
      ? `PostgreSQL scratch database ${scratch.name} via neon-local`
      : `PGlite (temp directory) via neon-local`
    log(`app at ${url}; ${database}`)

    const seeds = await seedUsers(url, runTag, Math.max(2 * settings.connections, 4))
    // Neon hosts were refused above, so the database is always behind neon-local here.
    if (!neonLocal) throw new Error('the bench needs the local Neon endpoint')
    const wrong = await seedWrongPasswordAccounts(neonLocal, runTag)
    let jobs = 0
    let wrongPasswordRuns = 0
    const run: RunContext = {
      url,
      local: neonLocal,
      workerd: findUserWorkerd(processGroup),
      runTag,
      nextJobId: () => ++jobs,
      nextWrongPasswordOffset: () => (wrongPasswordRuns++ * WRONG_PASSWORD_SLOT) % wrong.count,
    }
    const c = settings.connections
    const scenarios: Scenario[] = [
      {
        name: 'me',
        method: 'GET',
        path: '/v1/users/me',
        body: { kind: 'none' },
        freshAddress: false,
        expectedStatus: 200,
        connections: c,
        token: seeds.token,
      },
      {
        name: 'register',
        method: 'POST',
        path: '/v1/users',
        body: { kind: 'register', password: PASSWORD },
        freshAddress: true,
        expectedStatus: 201,
        connections: c,
      },
      {
        name: 'login',
        method: 'POST',
        path: '/v1/users/login',
        body: { kind: 'login', emails: seeds.emails, password: PASSWORD },
        freshAddress: true,
        expectedStatus: 200,
        connections: c,
      },
      {
        name: 'login, unknown email',
        method: 'POST',
        path: '/v1/users/login',
        body: { kind: 'login-unknown', password: PASSWORD },
        freshAddress: true,
        expectedStatus: 401,
        connections: c,
      },
      {
        name: 'login, wrong password',
        method: 'POST',
        path: '/v1/users/login',
        body: { kind: 'login-wrong-password', ...wrong, offset: 0, password: WRONG_PASSWORD },
        freshAddress: true,
        expectedStatus: 401,
        connections: c,
      },
      {
        name: 'health',
        method: 'GET',
        path: '/health',
        body: { kind: 'none' },
        freshAddress: false,
        expectedStatus: 200,
        connections: c,
      },
    ]
    // The same logins one at a time: latency without queueing, for the bcrypt ratios.
    const single = scenarios
      .filter((s) => s.path === '/v1/users/login')
      .map((s) => ({ ...s, name: `${s.name} (1 connection)`, connections: 1 }))

    const results: ScenarioResult[] = []
    for (const scenario of [...scenarios, ...single]) {
      if (interrupted) break
      results.push(await runScenario(run, scenario))
    }
    if (interrupted) return

    // The database goes before wrangler is imported for the bcrypt Worker (see bcrypt.ts).
    dev.stop()
    await dev.exited
    dev = undefined
    await scratch?.drop()
    scratch = undefined
    if (interrupted) return

    log(`bcrypt verify at cost ${settings.bcryptCost}: workerd, then native`)
    const workerd = await measureWorkerdVerify(settings.bcryptCost, VERIFY_SAMPLES)
    const native = measureNativeVerify(settings.bcryptCost, VERIFY_SAMPLES)
    log('bundle')
    const bundle = await measureBundle()

    const p50 = (name: string) => results.find((r) => r.name === name)?.load.latencyMs.p50 ?? NaN
    const report: Report = {
      generatedAt: new Date().toISOString(),
      command: commandLine(),
      machine: info,
      settings: { ...settings, database, logLevel: 'warn' },
      scenarios: results,
      bcrypt: {
        cost: settings.bcryptCost,
        workerd,
        native,
        loginP50OverVerify: {
          loaded: p50('login') / workerd.p50Ms,
          single: p50('login (1 connection)') / workerd.p50Ms,
        },
        unknownOverKnownP50: {
          loaded: p50('login, unknown email') / p50('login'),
          single: p50('login, unknown email (1 connection)') / p50('login (1 connection)'),
        },
        unknownOverWrongPasswordP50: {
          loaded: p50('login, unknown email') / p50('login, wrong password'),
          single:
            p50('login, unknown email (1 connection)') /
            p50('login, wrong password (1 connection)'),
        },
      },
      bundle: { ...bundle, gzipBudgetBytes: BUNDLE_GZIP_BUDGET_BYTES },
    }
    const text = markdown(report)
    fs.mkdirSync(resultsDir, { recursive: true })
    fs.writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`)
    fs.writeFileSync(path.join(resultsDir, 'latest.md'), text)
    console.log(`\n${text}`)
    log(`written: ${path.relative(process.cwd(), resultsDir)}/latest.json, latest.md`)
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
