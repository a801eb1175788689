/**
 * The bare cost of one bcrypt verify: the app's bcryptjs inside workerd (the runtime that serves
 * logins), and the native @node-rs/bcrypt in Node as a reference.
 */
import fs from 'node:fs'
import path from 'node:path'
import { hashSync, verifySync } from '@node-rs/bcrypt'
import { repoRoot } from '../scripts/paths'
import { makeTempDir } from './temp-dir'

export interface VerifyTiming {
  runtime: string
  samples: number
  p50Ms: number
  meanMs: number
}

const PASSWORD = 'Sturdy-Pass-42'
const WARM_UP = 3

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

/** bcryptjs in workerd, through the app's own password module, with the app's compatibility. */
export async function measureWorkerdVerify(cost: number, samples: number): Promise<VerifyTiming> {
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
  try {
    await worker.ready
    const url = await worker.url
    const call = async (n: number) => {
      const response = await fetch(new URL(`/?cost=${cost}&n=${n}`, url))
      if (!response.ok) throw new Error(`bcrypt worker: HTTP ${response.status}`)
      return ((await response.json()) as { milliseconds: number[] }).milliseconds
    }
    await call(WARM_UP)
    return summarize(`workerd, bcryptjs (the app's verifyPassword)`, await call(samples))
  } finally {
    await worker.dispose()
    dir.remove()
  }
}

export function measureNativeVerify(cost: number, samples: number): VerifyTiming {
  const hash = hashSync(PASSWORD, { cost })
  for (let i = 0; i < WARM_UP; i++) verifySync(PASSWORD, hash)
  const milliseconds: number[] = []
  for (let i = 0; i < samples; i++) {
    const started = performance.now()
    verifySync(PASSWORD, hash)
    milliseconds.push(performance.now() - started)
  }
  return summarize('Node, @node-rs/bcrypt (native)', milliseconds)
}
