/**
 * For the import's test: the old FastAPI service (shared/reference/fastapi-service) started as
 * its README says, from Debian's python3 packages, in a process group of its own that a reaper
 * stops if the test process dies first.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { describeDatabaseUrl } from '../../tools/neon-local/index'
import { freePort } from '../free-port'
import { repoRoot } from '../paths'
import { killGroup, startReaper } from '../process-group'

export const referenceServiceDir = path.resolve(
  process.env.REFERENCE_SERVICE_DIR ??
    path.join(repoRoot, '..', 'shared', 'reference', 'fastapi-service'),
)

const PYTHON = '/usr/bin/python3'
// The modules its README installs (python3-fastapi python3-uvicorn python3-sqlalchemy
// python3-psycopg2 python3-bcrypt python3-jose python3-email-validator).
const MODULES = [
  'fastapi',
  'uvicorn',
  'sqlalchemy',
  'psycopg2',
  'bcrypt',
  'jose',
  'email_validator',
]

/** What is missing to run the service here, in words; undefined when nothing is. */
export function referenceServiceMissing(): string | undefined {
  if (!fs.existsSync(path.join(referenceServiceDir, 'run.sh'))) {
    return `no reference service at ${referenceServiceDir} (set REFERENCE_SERVICE_DIR)`
  }
  const probe = spawnSync(PYTHON, ['-c', `import ${MODULES.join(', ')}`], { encoding: 'utf8' })
  if (probe.status !== 0) {
    const reason = probe.error?.message ?? probe.stderr.trim().split('\n').at(-1)
    return `Debian's python3 packages for the reference service are missing (${reason})`
  }
  return undefined
}

/** Why the PostgreSQL server at `url` cannot be used, in words; undefined when it can. */
export async function postgresMissing(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return undefined
  } catch (error) {
    return `no PostgreSQL at ${describeDatabaseUrl(url)} (${(error as Error).message})`
  } finally {
    await client.end().catch(() => undefined)
  }
}

export type ReferenceService = { url: string; stop(): Promise<void>; output(): string }

export async function startReferenceService(options: {
  databaseUrl: string
  bcryptCost: number
}): Promise<ReferenceService> {
  const port = await freePort()
  let output = ''
  const child: ChildProcess = spawn(path.join(referenceServiceDir, 'run.sh'), [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DATABASE_URL: options.databaseUrl,
      JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      PORT: String(port),
      WORKERS: '1',
      BCRYPT_COST: String(options.bcryptCost),
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const reaper = child.pid === undefined ? undefined : startReaper(child.pid)
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let gone = false
  exited.then(() => {
    gone = true
  })
  const stop = async () => {
    if (!gone) {
      killGroup(child, 'SIGTERM')
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    reaper?.kill()
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  while (!gone && Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/`)).ok) return { url, stop, output: () => output }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  await stop()
  throw new Error(`the reference service did not answer at ${url}:\n${output}`)
}
