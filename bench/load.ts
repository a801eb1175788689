/**
 * Load runs for the bench: autocannon in a worker thread, so that its clock and its clients are
 * never held up by the database endpoint (and PGlite, which computes on the main thread) that
 * the bench process also hosts.
 */
import { Worker } from 'node:worker_threads'

/** What each request carries; anything but `static` differs per request. */
export type BodyPlan =
  | { kind: 'none' }
  | { kind: 'register'; password: string }
  | { kind: 'login'; emails: string[]; password: string }
  | { kind: 'login-unknown'; password: string }
  /**
   * Existing accounts (`${prefix}${i}@example.com`, i < count), each tried from `offset` on: a
   * failed login counts against its email, so a run must not try one email five times.
   */
  | {
      kind: 'login-wrong-password'
      prefix: string
      count: number
      offset: number
      password: string
    }
  /**
   * Existing accounts (`${prefix}${offset + n}@example.com`), each asked once: a reset request
   * counts against its email (3 an hour), so no email may come twice in a bench.
   */
  | { kind: 'password-reset'; prefix: string; offset: number }
  /** Emails no account has, one per request: `${prefix}${jobId}.${n}@example.com`. */
  | { kind: 'password-reset-unknown'; prefix: string }

export interface LoadJob {
  url: string
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body: BodyPlan
  /** A distinct CF-Connecting-IP per request, so per-address limits never apply. */
  freshAddress: boolean
  /** Unique per job in a run, so emails and addresses never repeat across jobs. */
  jobId: number
  /** Unique per run, so emails never collide with an earlier run's in the same database. */
  runTag: string
  connections: number
  durationSeconds: number
}

export interface LoadResult {
  /** Requests written, answered or not when the time was up. */
  sent: number
  /** Responses received. */
  completed: number
  /**
   * Requests built with an address or body of their own (0 when all are alike): a few more than
   * sent, as autocannon builds each connection's next request ahead.
   */
  built: number
  durationSeconds: number
  requestsPerSecond: number
  latencyMs: { p50: number; p99: number; mean: number; max: number }
  /** Responses by HTTP status. */
  statuses: Record<string, number>
  errors: number
  timeouts: number
}

// `--import tsx` does not reach worker threads' module loader: the worker registers tsx itself
// before it loads the TypeScript entry.
const WORKER_BOOTSTRAP = `
import('tsx/esm/api')
  .then(({ register }) => register())
  .then(() => import(${JSON.stringify(new URL('./load-worker.ts', import.meta.url).href)}))
`

const running = new Set<Worker>()

export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: job })
    running.add(worker)
    let settled = false
    worker.once('message', (result: LoadResult) => {
      settled = true
      resolve(result)
    })
    worker.once('error', (error) => {
      settled = true
      reject(error)
    })
    worker.once('exit', (code) => {
      running.delete(worker)
      if (!settled) reject(new Error(`load worker exited with code ${code} before reporting`))
    })
  })
}

/** Ends every load run at once (Ctrl-C): their promises reject. */
export function stopAllLoads(): void {
  for (const worker of running) void worker.terminate()
}
