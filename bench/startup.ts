/**
 * The Worker's startup CPU: what workerd spends to compile and evaluate the bundle's modules
 * before it can serve, which Cloudflare pays on every cold start. Measured as the CPU a workerd
 * process has used once its socket accepts and its CPU has settled, for the bundle and for an
 * empty Worker with the same compatibility settings, interleaved; the difference of the medians
 * is the bundle's own. Then the first request (GET /: the settings parsed, functions compiled on
 * first call) and the next one, which costs what any later one does. CPU from the scheduler's
 * nanosecond counters of workerd's threads, not /proc's 10 ms ticks.
 */
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { median } from './compare-report'
import { preciseCpuMilliseconds } from './cpu'
import { log, sleep } from './settings'
import { startWorkerd, type WorkerSettings } from './stack/workerd'

export interface StartupReport {
  samples: number
  /** Median CPU at readiness, ms. */
  bundleMs: number
  emptyMs: number
  /** bundle − empty: the bundle's compilation and module evaluation. */
  evaluationMs: number
  firstRequestMs: number
  secondRequestMs: number
}

const SAMPLES = 5

function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** CPU once it has not moved for a while: the process is idle, start-up done. */
async function settledCpu(pid: number): Promise<number> {
  let last = preciseCpuMilliseconds(pid) ?? Number.NaN
  for (let quiet = 0, rounds = 0; quiet < 3; rounds++) {
    if (rounds > 100) throw new Error('workerd never settled after starting')
    await sleep(100)
    const now = preciseCpuMilliseconds(pid)
    if (now === undefined) throw new Error('workerd ended while starting')
    // Settled: under a millisecond in 100 ms, the idle event loop's own ticking.
    quiet = now - last < 1 ? quiet + 1 : 0
    last = now
  }
  return last
}

async function sample(
  bundleDir: string,
  settings: WorkerSettings,
  workDir: string,
  secrets: Record<string, string>,
  withRequests: boolean,
) {
  // Ready means the socket accepts: no request before the figure is read.
  const workerd = await startWorkerd({ bundleDir, settings, workDir, secrets }, accepts)
  try {
    const ready = await settledCpu(workerd.child.pid)
    if (!withRequests) return { ready }
    const request = async () => {
      const before = preciseCpuMilliseconds(workerd.child.pid) ?? Number.NaN
      await (await fetch(`${workerd.url}/`)).arrayBuffer()
      return (await settledCpu(workerd.child.pid)) - before
    }
    return { ready, first: await request(), second: await request() }
  } finally {
    await workerd.stop()
  }
}

export async function measureStartup(options: {
  bundleDir: string
  settings: WorkerSettings
  workDir: string
}): Promise<StartupReport> {
  log(`startup CPU: the bundle and an empty Worker, ${SAMPLES} starts each, interleaved`)
  const emptyDir = path.join(options.workDir, 'empty-worker')
  fs.mkdirSync(emptyDir, { recursive: true })
  fs.writeFileSync(
    path.join(emptyDir, 'index.js'),
    'export default { fetch() { return new Response("ok") } }\n',
  )
  const empty = { ...options.settings, vars: {}, ratelimits: [] }
  // Settings that parse, with a database nobody is asked for: GET / needs none.
  const secrets = {
    DATABASE_URL: 'postgresql://startup:unused@127.0.0.1:9/unused',
    JWT_SECRET: 's'.repeat(64),
  }
  const bundle: number[] = []
  const blank: number[] = []
  const first: number[] = []
  const second: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const app = await sample(
      options.bundleDir,
      options.settings,
      path.join(options.workDir, `startup-app-${i}`),
      secrets,
      true,
    )
    bundle.push(app.ready)
    if (app.first !== undefined) first.push(app.first)
    if (app.second !== undefined) second.push(app.second)
    blank.push(
      (await sample(emptyDir, empty, path.join(options.workDir, `startup-empty-${i}`), {}, false))
        .ready,
    )
  }
  return {
    samples: SAMPLES,
    bundleMs: median(bundle),
    emptyMs: median(blank),
    evaluationMs: median(bundle) - median(blank),
    firstRequestMs: median(first),
    secondRequestMs: median(second),
  }
}

export const startupMarkdown = (s: StartupReport) =>
  `Startup (workerd's CPU from its threads' scheduler counters, median of ${s.samples} starts each, interleaved): ${s.bundleMs.toFixed(1)} ms with the bundle, ${s.emptyMs.toFixed(1)} ms with an empty Worker: **${s.evaluationMs.toFixed(1)} ms** to compile and evaluate the bundle's modules. The first request (GET /: settings parsed, code compiled on first call) then costs ${s.firstRequestMs.toFixed(1)} ms, the next ${s.secondRequestMs.toFixed(1)} ms.`
