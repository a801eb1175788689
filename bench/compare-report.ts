/** The comparison with the old service: medians per stack, the ratios, and their Markdown. */
import os from 'node:os'
import { type Comparison, OLD_METER, type StackName } from './compare'
import { WORKER_METER } from './measure'

export interface ComparedFigures {
  cost: number
  scenario: string
  stack: StackName
  runs: number
  requestsPerSecond: number
  requestsPerSecondRange: [number, number]
  p50Ms: number
  p99Ms: number
  /** Median CPU per request by process; null where it could not be read. */
  cpuMs: Record<string, number | null>
  /** Answers with another status than the scenario's, over all its runs. */
  unexpected: number
}

export interface ComparedRatios {
  scenario: string
  cost: number
  /** product ÷ old service */
  requestsPerSecond: number
  p99: number
  appCpu: number
}

/**
 * One bcrypt hash at cost 4 as a share of (cost 12 − cost 4): 2^c rounds of two key expansions
 * (1042 Blowfish blocks) plus 713 blocks whatever the cost.
 */
export const COST4_HASH_SHARE = (713 + 1042 * 16) / (1042 * (4096 - 16))

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

export function summarizeComparison(comparison: Comparison): ComparedFigures[] {
  const groups = new Map<string, Comparison['runs']>()
  for (const run of comparison.runs) {
    const key = `${run.cost}\u0000${run.result.name}\u0000${run.stack}`
    groups.set(key, [...(groups.get(key) ?? []), run])
  }
  return [...groups.values()].map((runs) => {
    const first = runs[0] as Comparison['runs'][number]
    const rps = runs.map((run) => run.result.load.requestsPerSecond)
    const labels = Object.keys(first.result.cpuMsPerRequest)
    const cpuMs: Record<string, number | null> = {}
    for (const label of labels) {
      const values = runs
        .map((run) => run.result.cpuMsPerRequest[label])
        .filter((value): value is number => typeof value === 'number')
      cpuMs[label] = values.length ? median(values) : null
    }
    return {
      cost: first.cost,
      scenario: first.result.name,
      stack: first.stack,
      runs: runs.length,
      requestsPerSecond: median(rps),
      requestsPerSecondRange: [Math.min(...rps), Math.max(...rps)],
      p50Ms: median(runs.map((run) => run.result.load.latencyMs.p50)),
      p99Ms: median(runs.map((run) => run.result.load.latencyMs.p99)),
      cpuMs,
      unexpected: runs.reduce((total, run) => total + run.result.unexpected, 0),
    }
  })
}

const appCpuOf = (figures: ComparedFigures | undefined) =>
  figures?.cpuMs[figures.stack === 'product' ? WORKER_METER : OLD_METER] ?? Number.NaN

function find(all: ComparedFigures[], scenario: string, cost: number, stack: StackName) {
  return all.find((f) => f.scenario === scenario && f.cost === cost && f.stack === stack)
}

export function ratiosOf(all: ComparedFigures[]): ComparedRatios[] {
  const ratios: ComparedRatios[] = []
  for (const product of all.filter((f) => f.stack === 'product')) {
    const old = find(all, product.scenario, product.cost, 'old service')
    if (!old) continue
    ratios.push({
      scenario: product.scenario,
      cost: product.cost,
      requestsPerSecond: product.requestsPerSecond / old.requestsPerSecond,
      p99: product.p99Ms / old.p99Ms,
      appCpu: appCpuOf(product) / appCpuOf(old),
    })
  }
  return ratios
}

/**
 * A stack's own CPU per request on a route at cost 4 less one cost-4 hash, the hash's CPU read
 * off the same route at cost 12 in the same run; undefined without both.
 */
export function withoutHash(all: ComparedFigures[], route: string, stack: StackName) {
  const low = appCpuOf(find(all, `${route} (cost 4)`, 4, stack))
  const high = appCpuOf(find(all, `${route} (cost 12)`, 12, stack))
  if (!Number.isFinite(low) || !Number.isFinite(high)) return undefined
  const hash = COST4_HASH_SHARE * (high - low)
  return { total: low, hash, rest: low - hash }
}

const ms = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? 'n/a'
    : value >= 100
      ? value.toFixed(0)
      : value >= 10
        ? value.toFixed(1)
        : value.toFixed(2)
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a')
const verdict = (met: boolean) => (met ? '**met**' : '**not met**')

/**
 * The req/s this machine's CPU allows a stack, from its figures: no process but PostgreSQL's
 * (a backend per connection) runs on more than one core (workerd runs a Worker on one thread,
 * Python holds its GIL, neon-local is one event loop), and all of them together, the load
 * generator included, have the machine's cores.
 */
export function ceiling(f: ComparedFigures, cores = os.cpus().length): number {
  const figures = Object.entries(f.cpuMs).filter((e): e is [string, number] => e[1] !== null)
  const single = figures.filter(([label]) => !label.startsWith('PostgreSQL')).map(([, v]) => v)
  const total = figures.reduce((sum, [, v]) => sum + v, 0)
  return Math.min(1000 / Math.max(...single), (1000 * cores) / total)
}

export function comparisonMarkdown(comparison: Comparison): string {
  if (comparison.skipped) return `Old service not run: ${comparison.skipped}.`
  const all = summarizeComparison(comparison)
  if (all.length === 0) return 'Old service: no comparison scenario selected.'
  const cell = (f: ComparedFigures, label: string) => ms(f.cpuMs[label])
  const rows = all.map((f) =>
    [
      f.scenario.replace(/ \(cost \d+\)$/, ''),
      f.cost,
      f.stack,
      `${f.requestsPerSecond.toFixed(0)} (${f.requestsPerSecondRange.map((v) => v.toFixed(0)).join('–')})`,
      ms(f.p50Ms),
      ms(f.p99Ms),
      ms(appCpuOf(f)),
      f.stack === 'product' ? cell(f, 'neon-local (Node)') : '—',
      cell(f, 'PostgreSQL (all its processes)'),
      cell(f, 'load generator (bench process)'),
      ms(ceiling(f)),
      f.unexpected,
    ].join(' | '),
  )
  const ratios = ratiosOf(all)
  const ratioRows = ratios.map(
    (r) =>
      `| ${r.scenario} | ${x(r.requestsPerSecond)} | ${x(r.p99)} | ${x(r.appCpu)} | ${verdict(r.requestsPerSecond >= 3 && r.p99 <= 1)} |`,
  )
  const goals: string[] = []
  const meRatio = ratios.find((r) => r.scenario === 'me (cost 4)')?.appCpu
  if (meRatio !== undefined) {
    goals.push(
      `- \`/me\`: the Worker's own CPU per request is ${x(meRatio)} the old service's (goal ≤ 0.33×): ${verdict(meRatio <= 1 / 3)}.`,
    )
  }
  const product = withoutHash(all, 'register', 'product')
  const old = withoutHash(all, 'register', 'old service')
  if (product && old) {
    const ratio = product.rest / old.rest
    goals.push(
      `- register without the hash: the Worker ${ms(product.rest)} ms (${ms(product.total)} less a cost-4 hash of ${ms(product.hash)}), the old service ${ms(old.rest)} ms (${ms(old.total)} less ${ms(old.hash)}): ${x(ratio)} (goal ≤ 0.33×): ${verdict(ratio <= 1 / 3)}. The hash is read off the same route at cost 12 in this run (a cost-4 hash is ${(100 * COST4_HASH_SHARE).toFixed(2)}% of the difference).`,
    )
  }
  return [
    `Both stacks on the same PostgreSQL, ${comparison.repeats} runs each, interleaved and alternated; medians (req/s: median and range).`,
    '',
    '| route | bcrypt cost | stack | req/s | p50 ms | p99 ms | own CPU ms/req (workerd or Python) | neon-local CPU ms/req | PostgreSQL CPU ms/req | load generator CPU ms/req | CPU ceiling, req/s | unexpected answers |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) => `| ${row} |`),
    '',
    'Ratios, product ÷ old service (medians):',
    '',
    '| route | req/s | p99 | own CPU per request | 3× the req/s at a p99 no worse |',
    '|---|---:|---:|---:|---|',
    ...ratioRows,
    '',
    ...goals,
    '',
    `CPU ceiling: the req/s these CPU figures allow on ${os.cpus().length} cores, the lower of 1000 ÷ the busiest single-threaded process and 1000 × cores ÷ all processes together, the load generator included. Where the product's is set by neon-local, PostgreSQL or the load generator rather than by workerd, they are its bottleneck here. Python's bcrypt lets go of the GIL while it hashes, so the old service's ceiling at cost 12 is understated. Other work on the machine (the load average above) takes its share of the cores from both stacks.`,
  ].join('\n')
}
