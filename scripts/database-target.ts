import { endpointFileFor, findRunningEndpoint } from '../tools/neon-local/endpoint-file'
import {
  describeDatabaseUrl,
  isNeonHost,
  type NeonLocal,
  startNeonLocal,
} from '../tools/neon-local/index'
import { pgliteDataDir } from './paths'

export type DatabaseTarget = {
  /** What the driver gets as its connection string. */
  databaseUrl: string
  /** Set when a local Neon-protocol endpoint stands in front of the database. */
  fetchEndpoint?: string
  /** Where the statements go, without a password, for messages. */
  description: string
  close(): Promise<void>
}

/**
 * The database a script should talk to through the production driver: Neon directly for a
 * *.neon.tech URL, a local neon-local in front of any other postgresql:// URL, or the embedded
 * PGlite that `npm run dev` uses when DATABASE_URL is unset. PGlite serves one process at a
 * time: while `npm run dev` holds it, its endpoint (announced in an owner-only file next to the
 * data directory, with the run's secret) serves this script too.
 */
export async function openDatabaseTarget(databaseUrl: string | undefined): Promise<DatabaseTarget> {
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must be a postgresql:// connection string')
  }
  if (databaseUrl && isNeonHost(databaseUrl)) {
    return {
      databaseUrl,
      description: `Neon database ${describeDatabaseUrl(databaseUrl)}`,
      close: async () => {},
    }
  }
  if (!databaseUrl) {
    const running = await findRunningEndpoint(endpointFileFor(pgliteDataDir))
    if (running) {
      return {
        databaseUrl: running.connectionString,
        fetchEndpoint: running.endpoint,
        description: `${running.backend}, through the endpoint of the running \`npm run dev\``,
        close: async () => {},
      }
    }
  }
  const local: NeonLocal = await startNeonLocal(databaseUrl ? { databaseUrl } : { pgliteDataDir })
  return {
    databaseUrl: local.connectionString,
    fetchEndpoint: local.endpoint,
    description: local.backend,
    close: () => local.close(),
  }
}
