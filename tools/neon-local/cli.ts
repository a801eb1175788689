/**
 * Runs neon-local on its own: `npx tsx tools/neon-local/cli.ts`.
 * Env: DATABASE_URL (a PostgreSQL server; else PGlite), NEON_LOCAL_DATA_DIR (persist PGlite there;
 * else in memory), NEON_LOCAL_PORT (default: any free port), NEON_LOCAL_ENDPOINT_FILE (where the
 * connection string with this run's secret is written, owner-only; default: next to the data
 * directory, else .data/neon-local.endpoint.json). The secret is never printed.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { endpointFileFor, removeEndpointFile, writeEndpointFile } from './endpoint-file'
import {
  describeDatabaseUrl,
  isNeonHost,
  maskPassword,
  type NeonLocal,
  redactPassword,
  startNeonLocal,
} from './index'

const databaseUrl = process.env.DATABASE_URL || undefined
const dataDir = process.env.NEON_LOCAL_DATA_DIR || undefined
const portText = process.env.NEON_LOCAL_PORT || '0'
const port = Number(portText)
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const endpointFile =
  process.env.NEON_LOCAL_ENDPOINT_FILE ||
  (dataDir ? endpointFileFor(dataDir) : path.join(repoRoot, '.data', 'neon-local.endpoint.json'))

let local: NeonLocal | undefined
let stopSignal: NodeJS.Signals | undefined

function closeAndExit(running: NeonLocal, signal: NodeJS.Signals): void {
  console.log(`neon-local: ${signal}, stopping`)
  removeEndpointFile(endpointFile)
  running.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`neon-local: error while stopping: ${String(error)}`)
      process.exit(1)
    },
  )
}

function stop(signal: NodeJS.Signals): void {
  if (stopSignal) return
  stopSignal = signal
  // A signal during start-up is acted on once the database is up: stopping PGlite half-way
  // through creating its data directory could leave it unusable.
  if (local) closeAndExit(local, signal)
}

async function main(): Promise<void> {
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`NEON_LOCAL_PORT must be a port number, not ${JSON.stringify(portText)}`)
  }
  if (databaseUrl && isNeonHost(databaseUrl)) {
    throw new Error(
      `DATABASE_URL points at Neon (${describeDatabaseUrl(databaseUrl)}); the driver talks to it directly, no local endpoint is needed`,
    )
  }
  local = await startNeonLocal({
    databaseUrl,
    pgliteDataDir: dataDir,
    port,
    log: (message) => console.log(`neon-local: ${message}`),
  })
  if (stopSignal) {
    closeAndExit(local, stopSignal)
    return
  }
  writeEndpointFile(endpointFile, {
    endpoint: local.endpoint,
    connectionString: local.connectionString,
    backend: local.backend,
    pid: process.pid,
  })
  console.log(`neon-local: ${local.backend}`)
  console.log(`neon-local: endpoint ${local.endpoint}`)
  console.log(
    `neon-local: connection string ${maskPassword(local.connectionString)}, with its secret in ${endpointFile} (owner-only)`,
  )
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  console.error(`neon-local: ${redactPassword(message, databaseUrl)}`)
  process.exit(1)
})
