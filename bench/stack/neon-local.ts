/**
 * neon-local in a process of its own (its CLI), so that its CPU per request can be read from
 * /proc apart from the bench's load generator and from the database. Its round-trip counter is
 * read over HTTP, at its stats path.
 */
import fs from 'node:fs'
import path from 'node:path'
import { migrationsFolder, repoRoot } from '../../scripts/paths'
import type { EndpointInfo } from '../../tools/neon-local/endpoint-file'
import { type NeonLocalStats, STATS_PATH } from '../../tools/neon-local/index'
import { migrate } from '../../tools/neon-local/migrate'
import { type Child, startChild, waitUntil } from './child'

export interface NeonLocalProcess {
  readonly endpoint: string
  /** Carries the endpoint's per-run secret: never logged. */
  readonly connectionString: string
  readonly backend: string
  readonly child: Child
  /** Round trips served so far. */
  stats(): Promise<NeonLocalStats>
  stop(): Promise<void>
}

export async function startNeonLocalProcess(options: {
  /** A PostgreSQL server's database; unset: PGlite in `workDir`. */
  databaseUrl: string | undefined
  workDir: string
  /** `node --cpu-prof` into this directory: a profiling run only. */
  cpuProfileDir?: string
}): Promise<NeonLocalProcess> {
  fs.mkdirSync(options.workDir, { recursive: true, mode: 0o700 })
  const endpointFile = path.join(options.workDir, 'endpoint.json')
  const env: NodeJS.ProcessEnv = { ...process.env, NEON_LOCAL_ENDPOINT_FILE: endpointFile }
  delete env.DATABASE_URL
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl
  else env.NEON_LOCAL_DATA_DIR = path.join(options.workDir, 'pglite')
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]
    : []
  const child = startChild(
    'neon-local',
    process.execPath,
    [...profile, '--import', 'tsx', path.join(repoRoot, 'tools', 'neon-local', 'cli.ts')],
    { env, cwd: repoRoot },
  )
  await waitUntil(child, 'listening', async () => fs.existsSync(endpointFile), 120_000)
  const info = JSON.parse(fs.readFileSync(endpointFile, 'utf8')) as EndpointInfo
  const statsUrl = new URL(STATS_PATH, info.endpoint).toString()
  const stats = async (): Promise<NeonLocalStats> => {
    const response = await fetch(statsUrl, {
      headers: { 'neon-connection-string': info.connectionString },
    })
    if (!response.ok) throw new Error(`neon-local stats: HTTP ${response.status}`)
    return (await response.json()) as NeonLocalStats
  }
  await migrate({
    databaseUrl: info.connectionString,
    fetchEndpoint: info.endpoint,
    migrationsFolder,
  })
  return {
    endpoint: info.endpoint,
    connectionString: info.connectionString,
    backend: info.backend,
    child,
    stats,
    stop: () => child.stop(),
  }
}
