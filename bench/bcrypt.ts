/**
 * The bare cost of one password check: in workerd (the runtime that serves logins) the app's
 * WebAssembly bcrypt, bcryptjs (what it used before), the app's scrypt, and the whole work of a
 * failed login under each PASSWORD_HASH; in Node the native @node-rs/bcrypt as the reference.
 *
 * Measured as CPU time, read from /proc for workerd and from process.cpuUsage() for Node: CPU
 * barely moves when other processes share the machine, unlike wall time, and workerd's own clock
 * stands still inside synchronous code. Rounds are interleaved (every check once per round, in
 * a rotating order) and each figure is the median of its rounds.
 *
 *   npm run bench:hash                  cost 12, 7 rounds
 *   BCRYPT_COST=10 BENCH_ROUNDS=5 npm run bench:hash
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashSync, verifySync } from '@node-rs/bcrypt'
import { repoRoot } from '../scripts/paths'
import { vendorBcryptWasm } from '../scripts/vendor-bcrypt-wasm'
import { makeTempDir } from './temp-dir'

export interface VerifyTiming {
  runtime: string
  samples: number
  p50Ms: number
  meanMs: number
}

const PASSWORD = 'Sturdy-Pass-42'
/** What bench/bcrypt-worker.ts runs, and how the table names it. */
export const WORKERD_CHECKS = {
  wasm: 'workerd, hash-wasm bcrypt (the app’s verifyPassword)',
  bcryptjs: 'workerd, bcryptjs 3 (before)',
  scrypt: 'workerd, node:crypto scrypt N=2^14 r=8 p=5 (PASSWORD_HASH=scrypt)',
  'failed-login-bcrypt': 'workerd, a failed login’s work, PASSWORD_HASH=bcrypt',
  'failed-login-scrypt': 'workerd, a failed login’s work, PASSWORD_HASH=scrypt',
} as const
export type WorkerdCheck = keyof typeof WORKERD_CHECKS
const NATIVE = 'Node, @node-rs/bcrypt (native)'

export function summarize(runtime: string, milliseconds: number[]): VerifyTiming {
  const sorted = [...milliseconds].sort((a, b) => a - b)
  return {
    runtime,
    samples: sorted.length,
    p50Ms: sorted[Math.ceil(sorted.length / 2) - 1] ?? 0,
    meanMs: sorted.reduce((total, value) => total + value, 0) / Math.max(1, sorted.length),
  }
}

function readCompatibility(): { date: string; flags: string } {
  const toml = fs.readFileSync(path.join(repoRoot, 'wrangler.toml'), 'utf8')
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1]
  const flags = /^compatibility_flags\s*=\s*(\[[^\]]*\])/m.exec(toml)?.[1]
  if (!date || !flags) throw new Error('wrangler.toml has no compatibility_date or _flags')
  return { date, flags }
}

// USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux that Node supports.
const TICKS_PER_SECOND = 100

/** /proc/<pid>/stat as fields: the command name (which may contain spaces), then the rest. */
function statFields(pid: string): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return [
      text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
      ...text.slice(text.lastIndexOf(')') + 2).split(' '),
    ]
  } catch {
    return undefined
  }
}

/** User plus system CPU milliseconds of every workerd this process started (wrangler starts two). */
function workerdCpuMilliseconds(): number {
  let total = 0
  let found = false
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    // [name, state, ppid, ..., utime (index 12), stime (13)]
    const fields = statFields(pid)
    if (!fields?.[0]?.startsWith('workerd') || Number(fields[2]) !== process.pid) continue
    found = true
    total += ((Number(fields[12]) + Number(fields[13])) * 1000) / TICKS_PER_SECOND
  }
  if (!found) throw new Error('no workerd child process to measure (Linux only)')
  return total
}

function nodeCpuMilliseconds(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/** Checks per sample: enough CPU per sample that /proc's 10 ms ticks hardly show. */
const checksPerSample = (cost: number) => Math.max(1, 2 ** (13 - cost))

/** A Worker running bench/bcrypt-worker.ts with the app's compatibility, and a way to time it. */
async function startCheckWorker(cost: number) {
  vendorBcryptWasm()
  // Imported only now: wrangler's module answers SIGINT with process.exit(), which would cut
  // the bench's own clean-up short while the app is still running.
  const { unstable_startWorker } = await import('wrangler')
  // A config of its own in a temp dir: the project's wrangler.toml would bring the app's
  // bindings, assets and .dev.vars along.
  const dir = makeTempDir('bcrypt-bench-')
  const { date, flags } = readCompatibility()
  const configPath = path.join(dir.path, 'wrangler.toml')
  fs.writeFileSync(
    configPath,
    [
      'name = "bcrypt-bench"',
      `main = ${JSON.stringify(path.join(repoRoot, 'bench', 'bcrypt-worker.ts'))}`,
      `compatibility_date = "${date}"`,
      `compatibility_flags = ${flags}`,
      '',
    ].join('\n'),
  )
  // While bundling, wrangler may warn that node:crypto needs nodejs_compat: the flag is set, and
  // the scrypt checks, which would fail without it, show it works.
  const worker = await unstable_startWorker({
    config: configPath,
    dev: {
      server: { hostname: '127.0.0.1', port: 0 },
      inspector: false,
      watch: false,
      persist: false,
      logLevel: 'warn',
    },
  })
  await worker.ready
  const url = await worker.url
  const get = async (query: string) => {
    const response = await fetch(new URL(query, url))
    if (!response.ok)
      throw new Error(`bcrypt worker: HTTP ${response.status} ${await response.text()}`)
    await response.arrayBuffer()
  }
  await get(`/prepare?cost=${cost}`)
  return {
    /** CPU milliseconds per check, over one sample of several checks. */
    async sample(check: WorkerdCheck): Promise<number> {
      const n = checksPerSample(cost)
      const before = workerdCpuMilliseconds()
      await get(`/?check=${check}&cost=${cost}&n=${n}`)
      return (workerdCpuMilliseconds() - before) / n
    },
    async close() {
      await worker.dispose()
      dir.remove()
    },
  }
}

function nativeSampler(cost: number): () => number {
  const hash = hashSync(PASSWORD, { cost })
  return () => {
    const n = checksPerSample(cost)
    const before = nodeCpuMilliseconds()
    for (let i = 0; i < n; i++) if (!verifySync(PASSWORD, hash)) throw new Error('native: no match')
    return (nodeCpuMilliseconds() - before) / n
  }
}

/** Every check, `rounds` times, interleaved: CPU milliseconds per check, medians of the rounds. */
export async function measureHashCosts(cost: number, rounds: number): Promise<VerifyTiming[]> {
  const worker = await startCheckWorker(cost)
  try {
    const native = nativeSampler(cost)
    const checks = Object.keys(WORKERD_CHECKS) as WorkerdCheck[]
    const samples = new Map<string, number[]>()
    const record = (name: string, ms: number) =>
      samples.set(name, [...(samples.get(name) ?? []), ms])
    // A warm-up round: V8 moves WebAssembly to its optimizing compiler after the first calls.
    for (const check of checks) await worker.sample(check)
    native()
    for (let round = 0; round < rounds; round++) {
      const order = [
        ...checks.slice(round % checks.length),
        ...checks.slice(0, round % checks.length),
      ]
      record(NATIVE, native())
      for (const check of order) record(WORKERD_CHECKS[check], await worker.sample(check))
    }
    return [NATIVE, ...checks.map((check) => WORKERD_CHECKS[check])].map((name) =>
      summarize(name, samples.get(name) ?? []),
    )
  } finally {
    await worker.close()
  }
}

/** The app's bcrypt in workerd, as `npm run bench` reports it (CPU per check, median). */
export async function measureWorkerdVerify(cost: number, samples: number): Promise<VerifyTiming> {
  const worker = await startCheckWorker(cost)
  try {
    await worker.sample('wasm')
    const milliseconds: number[] = []
    for (let i = 0; i < samples; i++) milliseconds.push(await worker.sample('wasm'))
    return summarize(`${WORKERD_CHECKS.wasm}, CPU`, milliseconds)
  } finally {
    await worker.close()
  }
}

export function measureNativeVerify(cost: number, samples: number): VerifyTiming {
  const sample = nativeSampler(cost)
  sample()
  return summarize(`${NATIVE}, CPU`, Array.from({ length: samples }, sample))
}

function table(cost: number, rounds: number, timings: VerifyTiming[]): string {
  const native = timings[0]?.p50Ms ?? Number.NaN
  const rows = timings.map(
    ({ runtime, p50Ms }) =>
      `| ${runtime} | ${p50Ms.toFixed(0)} | ${(p50Ms / native).toFixed(2)}x |`,
  )
  const cpus = os.cpus()
  return [
    `Password checks at BCRYPT_COST=${cost}: CPU ms per check, median of ${rounds} interleaved rounds`,
    `(${cpus.length} cores, ${cpus[0]?.model ?? 'unknown CPU'}, load average ${os.loadavg()[0]?.toFixed(1)} at the end, Node ${process.version}).`,
    '',
    '| check | CPU ms | / native |',
    '|---|---:|---:|',
    ...rows,
  ].join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.env.WRANGLER_SEND_METRICS ??= 'false'
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'
  const cost = Number(process.env.BCRYPT_COST?.trim() || 12)
  const rounds = Number(process.env.BENCH_ROUNDS?.trim() || 7)
  if (!Number.isInteger(cost) || cost < 4 || cost > 15) throw new Error('BCRYPT_COST: 4 to 15')
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('BENCH_ROUNDS: 1 or more')
  console.log(table(cost, rounds, await measureHashCosts(cost, rounds)))
}
