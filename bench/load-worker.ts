/** One autocannon run in a worker thread; see load.ts. Posts one LoadResult and ends. */
import { parentPort, workerData } from 'node:worker_threads'
import autocannon, { type RequestSpec } from 'autocannon'
import type { LoadJob, LoadResult } from './load'

const job = workerData as LoadJob
let sequence = 0

// Per-address limits count an IPv6 client's whole /64, so each request gets a /64 of its own
// inside the documentation prefix 2001:db8::/32: 8 bits of job, 24 bits of request number.
const addressFor = (n: number) => {
  const high = ((job.jobId & 0xff) << 8) | ((n >>> 16) & 0xff)
  return `2001:db8:${high.toString(16)}:${(n & 0xffff).toString(16)}::1`
}
const emailFor = (n: number) => `bench.${job.runTag}.${job.jobId}.${n}@example.com`

function bodyFor(n: number): string | undefined {
  const plan = job.body
  switch (plan.kind) {
    case 'none':
      return undefined
    case 'register':
      return JSON.stringify({ name: `Bench ${n}`, email: emailFor(n), password: plan.password })
    case 'login':
      return JSON.stringify({
        email: plan.emails[n % plan.emails.length],
        password: plan.password,
      })
    case 'login-unknown':
      return JSON.stringify({ email: emailFor(n), password: plan.password })
    case 'login-wrong-password':
      return JSON.stringify({
        email: `${plan.prefix}${(plan.offset + n) % plan.count}@example.com`,
        password: plan.password,
      })
    case 'password-reset':
      return JSON.stringify({ email: `${plan.prefix}${plan.offset + n}@example.com` })
    case 'password-reset-unknown':
      return JSON.stringify({ email: `${plan.prefix}${job.jobId}.${n}@example.com` })
  }
}

const dynamic = job.freshAddress || job.body.kind !== 'none'
const request: RequestSpec = { method: job.method, path: job.path, headers: job.headers }
if (dynamic) {
  request.setupRequest = (base) => {
    const n = sequence++
    const headers = { ...job.headers }
    if (job.freshAddress) headers['cf-connecting-ip'] = addressFor(n)
    const body = bodyFor(n)
    return body === undefined ? { ...base, headers } : { ...base, headers, body }
  }
}

const latencies: number[] = []
const statuses: Record<string, number> = {}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0)

const instance = autocannon(
  {
    url: job.url,
    connections: job.connections,
    duration: job.durationSeconds,
    timeout: 30,
    requests: [request],
  },
  (error, result) => {
    if (error) throw error
    const sorted = [...latencies].sort((a, b) => a - b)
    const sum = sorted.reduce((total, value) => total + value, 0)
    const report: LoadResult = {
      sent: result.totalRequests,
      completed: latencies.length,
      built: sequence,
      durationSeconds: result.duration,
      requestsPerSecond: latencies.length / result.duration,
      latencyMs: {
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        mean: sorted.length ? sum / sorted.length : 0,
        max: sorted.at(-1) ?? 0,
      },
      statuses,
      errors: result.errors,
      timeouts: result.timeouts,
    }
    parentPort?.postMessage(report)
  },
)

// Every response, whatever its status, with autocannon's own sub-millisecond timing (its
// histogram keeps whole milliseconds, too coarse for a 2 ms route).
instance.on('response', (_client, statusCode, _bytes, milliseconds) => {
  latencies.push(milliseconds)
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
})
