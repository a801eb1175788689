/** The bench's report: the machine, the settings, the table, the ratios; JSON and Markdown. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { repoRoot } from '../scripts/paths'
import type { VerifyTiming } from './bcrypt'
import { BUNDLE_GZIP_BUDGET_BYTES, type BundleReport, bundleTable, kib } from './bundle'
import type { Comparison } from './compare'
import { comparisonMarkdown, ratiosOf, summarizeComparison } from './compare-report'
import type { ScenarioResult } from './measure'
import { KNOWN as RESET_KNOWN, UNKNOWN as RESET_UNKNOWN } from './scenarios/password-reset'
import { resultsDir, type Settings } from './settings'
import { type StartupReport, startupMarkdown } from './startup'

export function machine() {
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
    /** Filled in when the runs are done. */
    loadAverageAtEnd: [] as number[],
    wrangler: version('wrangler'),
    workerd: version('workerd'),
    autocannon: version('autocannon'),
  }
}

function commandLine(): string {
  const env = [
    'BENCH_DURATION',
    'BENCH_WARMUP',
    'BENCH_CONNECTIONS',
    'BCRYPT_COST',
    'BENCH_REPEATS',
    'BENCH_COMPARE',
    'BENCH_ONLY',
  ]
    .filter((name) => process.env[name]?.trim())
    .map((name) => `${name}=${process.env[name]?.trim()}`)
  if (process.env.DATABASE_URL?.trim()) env.push('DATABASE_URL=<postgresql://…>')
  const command =
    process.env.npm_lifecycle_event === 'bench'
      ? 'npm run bench'
      : `node --import tsx ${path.relative(process.cwd(), process.argv[1] ?? 'bench/run.ts')}`
  return [...env, command].join(' ')
}

/** A ratio with 10 connections (`loaded`) and with one (`single`). */
type Pair = { loaded: number; single: number }

export interface Report {
  generatedAt: string
  command: string
  machine: ReturnType<typeof machine>
  settings: Settings & { database: string; logLevel: string }
  scenarios: ScenarioResult[]
  /** The old service beside the product: every run, their medians and the ratios. */
  comparison:
    | (Comparison & {
        figures: ReturnType<typeof summarizeComparison>
        ratios: ReturnType<typeof ratiosOf>
      })
    | undefined
  startup: StartupReport
  bcrypt: {
    cost: number
    workerd: VerifyTiming
    native: VerifyTiming
    loginP50OverVerify: Pair
    unknownOverKnownP50: Pair
    /** Both answers are 401 after the same round trips: what an attacker could compare. */
    unknownOverWrongPasswordP50: Pair
    /**
     * A wrong password against a hash at `legacyCost` (topped up to `cost`) over an unknown
     * email, by p50 and by workerd CPU per request; null when the bench's cost has no lower one.
     */
    legacyOverUnknown: { legacyCost: number; p50: Pair; cpuPerRequest: Pair } | null
  }
  /**
   * A reset request for an unknown email over one for an account's email, by p50 and by workerd
   * CPU per request: both answer 202 with the same body after the same round trips.
   */
  passwordReset: { unknownOverKnown: { p50: Pair; cpuPerRequest: Pair } }
  bundle: BundleReport & { gzipBudgetBytes: number }
}

export function buildReport(input: {
  machine: ReturnType<typeof machine>
  settings: Report['settings']
  results: ScenarioResult[]
  comparison: Comparison | undefined
  startup: StartupReport
  workerd: VerifyTiming
  native: VerifyTiming
  legacyCost: number | undefined
  bundle: BundleReport
}): Report {
  const { results, workerd } = input
  const find = (name: string) => results.find((r) => r.name === name)
  const p50 = (name: string) => find(name)?.load.latencyMs.p50 ?? Number.NaN
  const cpu = (name: string) => find(name)?.workerCpuMsPerRequest ?? Number.NaN
  const pair = (of: (name: string) => number, top: string, bottom: string): Pair => ({
    loaded: of(top) / of(bottom),
    single: of(`${top} (1 connection)`) / of(`${bottom} (1 connection)`),
  })
  const unknown = 'login, unknown email'
  const legacy = 'login, wrong password, legacy-cost hash'
  return {
    generatedAt: new Date().toISOString(),
    command: commandLine(),
    machine: input.machine,
    settings: input.settings,
    scenarios: results,
    comparison: input.comparison && {
      ...input.comparison,
      figures: summarizeComparison(input.comparison),
      ratios: ratiosOf(summarizeComparison(input.comparison)),
    },
    startup: input.startup,
    bcrypt: {
      cost: input.settings.bcryptCost,
      workerd,
      native: input.native,
      loginP50OverVerify: {
        loaded: p50('login') / workerd.p50Ms,
        single: p50('login (1 connection)') / workerd.p50Ms,
      },
      unknownOverKnownP50: pair(p50, unknown, 'login'),
      unknownOverWrongPasswordP50: pair(p50, unknown, 'login, wrong password'),
      legacyOverUnknown:
        input.legacyCost === undefined
          ? null
          : {
              legacyCost: input.legacyCost,
              p50: pair(p50, legacy, unknown),
              cpuPerRequest: pair(cpu, legacy, unknown),
            },
    },
    passwordReset: {
      unknownOverKnown: {
        p50: pair(p50, RESET_UNKNOWN, RESET_KNOWN),
        cpuPerRequest: pair(cpu, RESET_UNKNOWN, RESET_KNOWN),
      },
    },
    bundle: { ...input.bundle, gzipBudgetBytes: BUNDLE_GZIP_BUDGET_BYTES },
  }
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

const CPU_COLUMNS = [
  'app workerd',
  'neon-local (Node)',
  'PostgreSQL (all its processes)',
  'load generator (bench process)',
]
const cpuCell = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : value.toFixed(2)

export function markdown(report: Report): string {
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
      ...CPU_COLUMNS.map((label) => cpuCell(r.cpuMsPerRequest[label])),
    ].join(' | '),
  )
  const legacy = b.legacyOverUnknown
  const reset = report.passwordReset.unknownOverKnown
  const cpuOf = (name: string) => {
    const value = report.scenarios.find((r) => r.name === name)?.workerCpuMsPerRequest
    return value === null || value === undefined ? 'n/a' : `${value.toFixed(2)} ms`
  }
  const resetCpu = (suffix: string) =>
    `${cpuOf(`${RESET_UNKNOWN}${suffix}`)} vs ${cpuOf(`${RESET_KNOWN}${suffix}`)}`
  return [
    `Machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; load average (1/5/15 min) ${m.loadAverageAtStart.join(' / ')} at start, ${m.loadAverageAtEnd.join(' / ')} at the end.`,
    `wrangler ${m.wrangler} (workerd ${m.workerd}), autocannon ${m.autocannon}; database: ${s.database}; LOG_LEVEL ${s.logLevel}.`,
    `Command: \`${report.command}\` — ${s.warmupSeconds} s warm-up then ${s.durationSeconds} s per run; ${s.connections} connections.`,
    '',
    `## The product: the production bundle in workerd (BCRYPT_COST=${s.bcryptCost})`,
    '',
    `No wrangler, no inspector: the bundle \`wrangler deploy --dry-run --outdir\` writes, served by \`workerd serve\` with a config generated from wrangler.toml, through the Neon HTTP driver to neon-local (its own Node process) and PostgreSQL. The default cost in wrangler.toml is 12; costs under 10 are for tests and benchmarks only.`,
    '',
    '| scenario | route | connections | req/s | p50 ms | p99 ms | responses | non-2xx | DB round trips / request | workerd CPU ms/req | neon-local CPU ms/req | PostgreSQL CPU ms/req | load generator CPU ms/req |',
    '|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|',
    ...rows.map((row) => `| ${row} |`),
    '',
    'Round trips: requests at the local Neon endpoint per request sent. CPU: user + system CPU per request sent of each process on the path, from /proc: the workerd that runs the Worker (its HTTP handling included), neon-local, every process of PostgreSQL (n/a on a shared server), and the bench process that runs autocannon. It moves much less than latency when other processes share the machine.',
    '',
    `Status mix: ${report.scenarios.map((r) => `${r.name}: ${statusMix(r)}`).join('; ')}.`,
    '',
    '## Beside the old service (FastAPI, SQLAlchemy, Python bcrypt)',
    '',
    report.comparison ? comparisonMarkdown(report.comparison) : 'Old service: BENCH_COMPARE=0.',
    '',
    '## Startup',
    '',
    startupMarkdown(report.startup),
    '',
    '## bcrypt and timing',
    '',
    `Bare bcrypt verify at cost ${b.cost}: ${ms(b.workerd.p50Ms)} ms p50 in ${b.workerd.runtime}; ${ms(b.native.p50Ms)} ms p50 in ${b.native.runtime} (${b.workerd.samples} samples each).`,
    `Login p50 / bare verify p50: ${ratio(b.loginP50OverVerify.single)} with 1 connection, ${ratio(b.loginP50OverVerify.loaded)} with ${s.connections} (requests queue for the one workerd thread).`,
    `Unknown-email login p50 / successful login p50: ${ratio(b.unknownOverKnownP50.single)} with 1 connection, ${ratio(b.unknownOverKnownP50.loaded)} with ${s.connections} (a success also signs tokens and opens a session).`,
    `Unknown-email login p50 / wrong-password login p50 (both 401 after the same round trips and one bcrypt check at cost ${b.cost}): ${ratio(b.unknownOverWrongPasswordP50.single)} with 1 connection, ${ratio(b.unknownOverWrongPasswordP50.loaded)} with ${s.connections}.`,
    legacy
      ? `Legacy-cost wrong password / unknown email (a hash at cost ${legacy.legacyCost}, topped up to ${b.cost}): p50 ${ratio(legacy.p50.single)} with 1 connection, ${ratio(legacy.p50.loaded)} with ${s.connections}; workerd CPU per request ${ratio(legacy.cpuPerRequest.single)} with 1 connection, ${ratio(legacy.cpuPerRequest.loaded)} with ${s.connections}.`
      : `No legacy-cost scenario: BCRYPT_COST=${b.cost} has no lower bcrypt cost.`,
    `Password reset, unknown ÷ known email (both 202 with the same body; only a known one writes a token and its email, in the statement both run): p50 ${ratio(reset.p50.single)} with 1 connection, ${ratio(reset.p50.loaded)} with ${s.connections}; workerd CPU per request ${ratio(reset.cpuPerRequest.single)} (${resetCpu(' (1 connection)')}) with 1 connection, ${ratio(reset.cpuPerRequest.loaded)} (${resetCpu('')}) with ${s.connections}.`,
    '',
    '## Bundle',
    '',
    `Bundle: ${kib(report.bundle.bytes)} minified, ${kib(report.bundle.gzipBytes)} gzip (budget ${kib(report.bundle.gzipBudgetBytes)}), from \`${report.bundle.command}\`.`,
    '',
    bundleTable(report.bundle),
    '',
  ].join('\n')
}

/** Writes bench/results/latest.{json,md} and prints the Markdown. */
export function writeReport(report: Report): string {
  const text = markdown(report)
  fs.mkdirSync(resultsDir, { recursive: true })
  fs.writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`)
  fs.writeFileSync(path.join(resultsDir, 'latest.md'), text)
  console.log(`\n${text}`)
  return path.relative(process.cwd(), resultsDir)
}
