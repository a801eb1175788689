/**
 * The PostgreSQL both stacks use, in one of three ways:
 * - DATABASE_URL: that server (shared, maybe with other work: its CPU is not reported);
 * - otherwise a private cluster of the bench's own (initdb in a temp directory, as the neon-local
 *   outage test makes one), so every PostgreSQL process's CPU is the bench's;
 * - without initdb, PGlite inside neon-local, and no old service (it needs a server).
 */
import fs from 'node:fs'
import path from 'node:path'
import { redactPassword } from '../../tools/neon-local/index'
import {
  createPrivateCluster,
  findPostgresBinaries,
  type PrivateCluster,
} from '../../tools/neon-local/private-cluster'
import { createScratchDatabase, type ScratchDatabase } from '../../tools/neon-local/scratch-db'
import { type CpuMeter, processTreeMeter } from '../cpu'

export interface BenchPostgres {
  /** For the report: which server, and how its CPU is counted. */
  readonly description: string
  /** A server to make databases on; undefined for PGlite. */
  readonly serverUrl: string | undefined
  /** Every process of the server; undefined where it is shared or embedded. */
  readonly meter: CpuMeter | undefined
  /** A scratch database per stack, dropped by close(). */
  database(prefix: string): Promise<ScratchDatabase>
  close(): Promise<void>
}

function postmasterPid(cluster: PrivateCluster): number {
  const text = fs.readFileSync(path.join(cluster.dataDir, 'postmaster.pid'), 'utf8')
  const pid = Number(text.split('\n')[0])
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('postmaster.pid holds no process id')
  return pid
}

function onServer(
  serverUrl: string,
  description: string,
  meter: CpuMeter | undefined,
  closeServer: () => Promise<void>,
): BenchPostgres {
  const databases: ScratchDatabase[] = []
  return {
    description,
    serverUrl,
    meter,
    async database(prefix) {
      const database = await createScratchDatabase(serverUrl, prefix)
      databases.push(database)
      return database
    },
    async close() {
      try {
        for (const database of databases) await database.drop().catch(() => undefined)
      } finally {
        await closeServer()
      }
    },
  }
}

export async function openBenchPostgres(
  databaseUrl: string | undefined,
  log: (message: string) => void,
): Promise<BenchPostgres> {
  if (databaseUrl) {
    return onServer(
      databaseUrl,
      `PostgreSQL at ${redactPassword(new URL(databaseUrl).host, databaseUrl)} (DATABASE_URL; shared, so its CPU is not counted)`,
      undefined,
      async () => undefined,
    )
  }
  const binaries = findPostgresBinaries()
  if (!binaries) {
    log('no initdb found (Debian: apt-get install postgresql): PGlite, and no old service')
    return {
      description: 'PGlite inside neon-local (no initdb for a PostgreSQL of its own)',
      serverUrl: undefined,
      meter: undefined,
      database: () => Promise.reject(new Error('PGlite serves one database, inside neon-local')),
      close: async () => undefined,
    }
  }
  const cluster = await createPrivateCluster(binaries)
  try {
    await cluster.start()
    const pid = postmasterPid(cluster)
    return onServer(
      cluster.url,
      `PostgreSQL from ${binaries.bindir}: a private cluster of the bench's own (default settings)`,
      processTreeMeter('PostgreSQL (all its processes)', pid),
      () => cluster.destroy(),
    )
  } catch (error) {
    await cluster.destroy()
    throw error
  }
}
