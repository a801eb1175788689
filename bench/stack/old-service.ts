/**
 * The service the product replaces (FastAPI, SQLAlchemy, psycopg2, bcrypt, python-jose), started
 * from its reference copy with its own run.sh, on Debian's python3 packages, against its own
 * database on the bench's PostgreSQL. One uvicorn process, as its README runs it.
 */
import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../../scripts/free-port'
import { repoRoot } from '../../scripts/paths'
import { answers, type Child, startChild, waitUntil } from './child'

const run = promisify(execFile)

const PYTHON = '/usr/bin/python3'

/** Where the reference lives: OLD_SERVICE_DIR, else ../shared/reference/fastapi-service. */
export const oldServiceDir = () =>
  process.env.OLD_SERVICE_DIR?.trim() ||
  path.resolve(repoRoot, '..', 'shared', 'reference', 'fastapi-service')

/** The modules run.sh imports, and the Debian package of each (its README's list). */
const MODULES: Record<string, string> = {
  fastapi: 'python3-fastapi',
  uvicorn: 'python3-uvicorn',
  sqlalchemy: 'python3-sqlalchemy',
  psycopg2: 'python3-psycopg2',
  bcrypt: 'python3-bcrypt',
  jose: 'python3-jose',
  email_validator: 'python3-email-validator',
}

const FIND_MISSING = `
import importlib.util, sys
print(",".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))
`

/**
 * Why the old service cannot run here, in words that say what to install; undefined when it can.
 */
export async function oldServiceMissing(): Promise<string | undefined> {
  const dir = oldServiceDir()
  if (!fs.existsSync(path.join(dir, 'run.sh'))) {
    return `no run.sh in ${dir} (set OLD_SERVICE_DIR to the reference copy of the old service)`
  }
  if (!fs.existsSync(PYTHON)) return `${PYTHON} is missing (apt-get install python3)`
  const { stdout } = await run(PYTHON, ['-c', FIND_MISSING, ...Object.keys(MODULES)])
  const missing = stdout.trim().split(',').filter(Boolean)
  if (missing.length === 0) return undefined
  const packages = missing.map((module) => MODULES[module]).join(' ')
  return `python3 modules missing: ${missing.join(', ')} (apt-get install -y ${packages})`
}

export interface OldService {
  readonly url: string
  readonly child: Child
  stop(): Promise<void>
}

export async function startOldService(options: {
  databaseUrl: string
  bcryptCost: number
}): Promise<OldService> {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    DATABASE_URL: options.databaseUrl,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    PORT: String(port),
    WORKERS: '1',
    BCRYPT_COST: String(options.bcryptCost),
  }
  // run.sh execs uvicorn: the child's process id is the service's own.
  const dir = oldServiceDir()
  const child = startChild('old service', '/bin/sh', [path.join(dir, 'run.sh')], { env, cwd: dir })
  const url = `http://127.0.0.1:${port}`
  await waitUntil(child, 'answering', () => answers(`${url}/`), 60_000)
  return { url, child, stop: () => child.stop() }
}
