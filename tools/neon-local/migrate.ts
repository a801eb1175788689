/**
 * Applies drizzle-kit's SQL migrations through the production driver (`neon()` over HTTP), so
 * they run the same way against Neon and against neon-local.
 *
 * Bookkeeping is drizzle's own (`drizzle.__drizzle_migrations`, same pending rule as drizzle-orm's
 * pg migrator), so drizzle-kit and drizzle's migrators keep agreeing with this one. Unlike
 * drizzle's neon-http migrator, every pending migration and its bookkeeping row go in ONE
 * transaction: a failure leaves nothing half-applied.
 */
import fs from 'node:fs'
import path from 'node:path'
import { type NeonQueryFunction, neon, neonConfig } from '@neondatabase/serverless'
import { readMigrationFiles } from 'drizzle-orm/migrator'

export interface MigrateOptions {
  databaseUrl: string
  /** A neon-local endpoint; when absent the driver's default (Neon itself) is used. */
  fetchEndpoint?: string
  migrationsFolder: string
}

export interface MigrateResult {
  applied: number
  /** Tags (file names without .sql) of the migrations applied by this call, in order. */
  migrations: string[]
}

// Any constant works as long as every migrator uses the same one; this is "drzl" in ASCII.
const MIGRATION_LOCK = 0x64727a6c
const TABLE = 'drizzle.__drizzle_migrations'
// Another process applying migrations at the same moment can make this call's batch fail once
// per change it makes; a handful of rounds is plenty.
const MAX_ROUNDS = 5

type Sql = NeonQueryFunction<false, false>
type Migration = ReturnType<typeof readMigrationFiles>[number] & { tag: string }

function readMigrations(migrationsFolder: string): Migration[] {
  const migrations = readMigrationFiles({ migrationsFolder })
  const journal = JSON.parse(
    fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
  ) as { entries: Array<{ tag: string }> }
  // readMigrationFiles yields one migration per journal entry, in journal order.
  return migrations.map((migration, index) => ({
    ...migration,
    tag: journal.entries[index]?.tag ?? `#${index}`,
  }))
}

/** drizzle's rule: the newest `created_at` recorded, or undefined when nothing is recorded. */
interface State {
  hasRows: boolean
  lastCreatedAt: string | null
}

async function readState(sql: Sql): Promise<State> {
  // The lock makes creating the bookkeeping schema and table safe when two processes start at
  // once: `IF NOT EXISTS` alone can still fail with a unique violation on the catalogs.
  const results = await sql.transaction([
    sql.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`),
    sql.query('CREATE SCHEMA IF NOT EXISTS drizzle'),
    sql.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    ),
    sql.query(
      `SELECT created_at::text AS created_at FROM ${TABLE} ORDER BY created_at DESC LIMIT 1`,
    ),
  ])
  const rows = (results[3] ?? []) as Array<{ created_at: string | null }>
  const last = rows[0]
  return { hasRows: last !== undefined, lastCreatedAt: last?.created_at ?? null }
}

function pendingMigrations(migrations: Migration[], state: State): Migration[] {
  if (!state.hasRows) return migrations
  const last = Number(state.lastCreatedAt)
  return migrations.filter((migration) => last < migration.folderMillis)
}

function sameState(a: State, b: State): boolean {
  return a.hasRows === b.hasRows && a.lastCreatedAt === b.lastCreatedAt
}

/**
 * Fails the batch when the bookkeeping changed since `state` was read: migrations written to be
 * re-runnable (`IF NOT EXISTS` everywhere) would otherwise be applied and recorded twice by two
 * racing processes. It runs after the advisory lock, so it sees everything committed before.
 */
function guardStatement(state: State): string {
  const expected = state.lastCreatedAt
  if (expected !== null && !/^-?\d+$/.test(expected)) {
    throw new Error(`unexpected created_at in ${TABLE}: ${expected}`)
  }
  const lastRow = `(SELECT created_at FROM ${TABLE} ORDER BY created_at DESC LIMIT 1)`
  const condition = state.hasRows
    ? `NOT EXISTS (SELECT 1 FROM ${TABLE}) OR ${lastRow} IS DISTINCT FROM ${expected ?? 'NULL'}::bigint`
    : `EXISTS (SELECT 1 FROM ${TABLE})`
  return `DO $neon_local$ BEGIN IF ${condition} THEN RAISE EXCEPTION 'drizzle migrations were changed by another process' USING ERRCODE = '40001'; END IF; END $neon_local$`
}

async function applyPending(sql: Sql, state: State, pending: Migration[]): Promise<void> {
  const queries = [
    sql.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`),
    sql.query(guardStatement(state)),
  ]
  for (const migration of pending) {
    for (const statement of migration.sql) {
      if (statement.trim() !== '') queries.push(sql.query(statement))
    }
    queries.push(
      sql.query(`INSERT INTO ${TABLE} ("hash", "created_at") VALUES ($1, $2)`, [
        migration.hash,
        migration.folderMillis,
      ]),
    )
  }
  await sql.transaction(queries)
}

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const migrations = readMigrations(options.migrationsFolder)
  // The driver reads this global on every request; production code never sets it.
  if (options.fetchEndpoint !== undefined) neonConfig.fetchEndpoint = options.fetchEndpoint
  const sql = neon(options.databaseUrl)

  let state = await readState(sql)
  for (let round = 1; ; round++) {
    const pending = pendingMigrations(migrations, state)
    if (pending.length === 0) return { applied: 0, migrations: [] }
    try {
      await applyPending(sql, state, pending)
      return { applied: pending.length, migrations: pending.map((migration) => migration.tag) }
    } catch (error) {
      const failure = () => {
        const tags = pending.map((migration) => migration.tag).join(', ')
        const message = error instanceof Error ? error.message : String(error)
        return new Error(`migration failed, nothing applied (${tags}): ${message}`, {
          cause: error,
        })
      }
      // Another process may have applied (some of) the same migrations meanwhile, making ours
      // fail; that is only a failure if something is still pending once it is done.
      const after = await readState(sql).catch(() => {
        throw failure()
      })
      if (pendingMigrations(migrations, after).length === 0) return { applied: 0, migrations: [] }
      if (sameState(state, after) || round >= MAX_ROUNDS) throw failure()
      state = after
    }
  }
}
