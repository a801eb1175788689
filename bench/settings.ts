/**
 * The bench's settings from the environment, and the constants its parts share.
 *
 * Env: BENCH_DURATION (10 s per scenario), BENCH_WARMUP (3 s before each), BENCH_CONNECTIONS
 * (10), BCRYPT_COST (10, for the product's own scenarios), DATABASE_URL (a PostgreSQL server for
 * scratch databases; unset: a private cluster of the bench's own, or PGlite without initdb),
 * BENCH_REPEATS (3 runs of each comparison with the old service, interleaved, medians reported),
 * BENCH_COMPARE (0 skips the old service), BENCH_ONLY (run only the scenarios whose name contains
 * it, any case: for a quick look at a few; the report then says so in its command line).
 */
import path from 'node:path'
import { repoRoot } from '../scripts/paths'

export const PASSWORD = 'Sturdy-Pass-42'
export const WRONG_PASSWORD = 'Wrong-Pass-1'
/**
 * A bcrypt cost below the bench's, for the hashes of users moved from the old service: a wrong
 * password against one of them is topped up to the configured cost.
 */
export const LEGACY_COST = 8
export const VERIFY_SAMPLES = 30
export const resultsDir = path.join(repoRoot, 'bench', 'results')

export const log = (message: string) => console.log(`[bench] ${message}`)

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim()
  if (!raw) return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}`)
  }
  return value
}

export const settings = {
  durationSeconds: intFromEnv('BENCH_DURATION', 10, 1, 600),
  warmupSeconds: intFromEnv('BENCH_WARMUP', 3, 0, 600),
  connections: intFromEnv('BENCH_CONNECTIONS', 10, 1, 1000),
  bcryptCost: intFromEnv('BCRYPT_COST', 10, 4, 15),
  repeats: intFromEnv('BENCH_REPEATS', 3, 1, 20),
  compare: intFromEnv('BENCH_COMPARE', 1, 0, 1) === 1,
  only: process.env.BENCH_ONLY?.trim().toLowerCase() || undefined,
}

export type Settings = typeof settings
