import { neon, neonConfig } from '@neondatabase/serverless'
import type { BatchItem } from 'drizzle-orm/batch'
import { drizzle } from 'drizzle-orm/neon-http'
import type { Config } from '../env'
import * as schema from './schema'

export type Database = ReturnType<typeof createDatabase>

function createDatabase(config: Config) {
  // Production leaves Neon's own endpoint alone; local runs and tests point the same driver at
  // a Neon-protocol endpoint in front of a local PostgreSQL.
  if (config.neonFetchEndpoint) neonConfig.fetchEndpoint = config.neonFetchEndpoint
  return drizzle({ client: neon(config.databaseUrl), schema })
}

// The driver speaks stateless HTTP, so one instance per isolate serves every request.
const databases = new WeakMap<Config, Database>()

export function getDatabase(config: Config): Database {
  let db = databases.get(config)
  if (!db) {
    db = createDatabase(config)
    databases.set(config, db)
  }
  return db
}

/**
 * A statement drizzle builds once per database client instead of on every call: rebuilding the
 * same SQL for each request was about a third of the Worker's own CPU time on GET /v1/users/me.
 * `build` returns the statement prepared with `sql.placeholder()` parameters.
 */
export function preparedPerDatabase<Statement>(
  build: (db: Database) => Statement,
): (db: Database) => Statement {
  const statements = new WeakMap<Database, Statement>()
  return (db) => {
    let statement = statements.get(db)
    if (statement === undefined) {
      statement = build(db)
      statements.set(db, statement)
    }
    return statement
  }
}

/** Statements as `db.batch` takes them: a list known to hold at least one. */
export const asBatch = (statements: readonly BatchItem<'pg'>[]) =>
  statements as unknown as readonly [BatchItem<'pg'>, ...BatchItem<'pg'>[]]
