/** The PostgreSQL behind the endpoint: a real server, or PGlite served over a local socket. */
import fs from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import type pg from 'pg'
import { resilientPool } from './pool'
import { describeDatabaseUrl } from './urls'

export interface Backend {
  readonly pool: pg.Pool
  /** Database name, used to build the connection string handed to the Worker. */
  readonly database: string
  /** For log lines: never contains a password. */
  readonly description: string
  close(): Promise<void>
}

// A server that accepts the connection but never answers (stopped mid-way, say) would otherwise
// hold the request for good; this bound is far above any wait for a free pooled connection.
const SERVER_CONNECT_TIMEOUT_MS = 15_000

export function serverBackend(databaseUrl: string): Backend {
  const pool = resilientPool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: SERVER_CONNECT_TIMEOUT_MS,
  })
  const database =
    decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, '')) || 'postgres'
  return {
    pool,
    database,
    description: `PostgreSQL ${describeDatabaseUrl(databaseUrl)}`,
    close: () => pool.end(),
  }
}

/**
 * A lock file next to a persisted data directory: two PGlite instances writing the same
 * directory (say `npm run dev` and `npm run db:migrate`) would corrupt it.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = `${dataDir.replace(/[\\/]+$/, '')}.lock`
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' })
      return () => fs.rmSync(lockPath, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number(fs.readFileSync(lockPath, 'utf8').trim())
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        // PGlite serves one process: the way out is to stop that one or to use another directory.
        throw new Error(
          `PGlite data directory ${dataDir} is in use by process ${owner} (another \`npm run dev\`?): stop it, or set PGLITE_DATA_DIR to another directory for a database of this run's own`,
        )
      }
      // Left behind by a process that died without cleaning up.
      fs.rmSync(lockPath, { force: true })
    }
  }
  throw new Error(`could not lock PGlite data directory ${dataDir}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function pgliteBackend(dataDir: string | undefined): Promise<Backend> {
  let unlock: (() => void) | undefined
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true })
    unlock = lockDataDir(path.resolve(dataDir))
  }
  let db: PGlite | undefined
  let socketServer: PGLiteSocketServer | undefined
  try {
    db = dataDir ? await PGlite.create(dataDir) : await PGlite.create()
    // One pooled connection (below) is all that ever talks to the socket. The second slot is
    // headroom for a replacement connection opened while the socket of a discarded one is still
    // being torn down; pglite-socket rolls back whatever transaction a closed socket left open.
    socketServer = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 })
    await socketServer.start()
  } catch (error) {
    await socketServer?.stop().catch(() => undefined)
    await db?.close().catch(() => undefined)
    unlock?.()
    throw error
  }
  const port = Number(socketServer.getServerConn().split(':').at(-1))
  // max 1: PGlite is a single session, so requests queue here and a batch's open transaction is
  // never seen by, or interleaved with, another request. No idle timeout, so the connection is
  // never closed and reopened behind our back.
  // The same resilient pool as for a server: should pglite-socket close the connection (it does
  // after an error in its handler), the request of that moment gets a 503 and the next one a
  // fresh connection, instead of an unhandled 'error' ending the process.
  const pool = resilientPool({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    max: 1,
    idleTimeoutMillis: 0,
  })
  const pglite = db
  const server = socketServer
  return {
    pool,
    database: 'postgres',
    description: dataDir ? `PGlite (${dataDir})` : 'PGlite (in-memory)',
    async close() {
      try {
        await pool.end()
        // pglite-socket tears a closed connection down on a later tick; let it finish before
        // the database under it goes away.
        await new Promise((resolve) => setTimeout(resolve, 10))
        await server.stop()
        await pglite.close()
      } finally {
        unlock?.()
      }
    },
  }
}
