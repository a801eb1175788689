/**
 * Our own database for the operator tools (`npm run admin`, `npm run db:import`), as drizzle over
 * the production driver with the product's schema, so they run the app's own queries. Which
 * database, and how it is reached, is `openDatabaseTarget`'s rule: DATABASE_URL (Neon directly,
 * any other PostgreSQL through a local endpoint), else the embedded PGlite, through the endpoint
 * of a running `npm run dev` when there is one.
 */
import fs from 'node:fs'
import path from 'node:path'
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import type { Database } from '../src/db/client'
import { isDatabaseUnavailable, pgErrorCode } from '../src/db/errors'
import * as schema from '../src/db/schema'
import { redactPassword } from '../tools/neon-local/index'
import { openDatabaseTarget } from './database-target'
import { pgliteDataDir, repoRoot } from './paths'

/** A failure the operator can act on: shown as it is, without a stack. */
export class ToolError extends Error {
  override name = 'ToolError'
}

export type AppDatabase = {
  db: Database
  /** Where the statements go, without a password. */
  description: string
  close(): Promise<void>
}

const MIGRATE_FIRST =
  'The database has no users table yet: run `npm run db:migrate` (or start `npm run dev` once) first.'

/** A path inside the checkout relative to it, any other in full. */
const shownPath = (file: string) => {
  const relative = path.relative(repoRoot, file)
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative
}

/**
 * Opens the database. With DATABASE_URL unset and no embedded database yet, says so rather than
 * creating an empty one that has no tables.
 */
export async function openAppDatabase(
  databaseUrl: string | undefined = process.env.DATABASE_URL?.trim() || undefined,
): Promise<AppDatabase> {
  if (!databaseUrl && !fs.existsSync(pgliteDataDir)) {
    throw new ToolError(
      `No database: DATABASE_URL is not set, and there is no embedded database at ${shownPath(pgliteDataDir)} yet. ` +
        'Start `npm run dev` once to create it, or set DATABASE_URL to a postgresql:// URL.',
    )
  }
  const target = await openDatabaseTarget(databaseUrl)
  if (target.fetchEndpoint) neonConfig.fetchEndpoint = target.fetchEndpoint
  const db = drizzle({ client: neon(target.databaseUrl), schema })
  return { db, description: target.description, close: () => target.close() }
}

/**
 * The driver's own words: drizzle's wrapper repeats the query with its parameters (a password
 * hash among them, for `create`), so only its cause is shown; a local endpoint's 503 carries its
 * reason as JSON.
 */
function driverMessage(error: unknown): string {
  let innermost = error
  while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause
  const message = innermost instanceof Error ? innermost.message : String(innermost)
  const body = /^Server error \(HTTP status \d+\): (\{.*\})$/s.exec(message)?.[1]
  if (!body) return message
  try {
    const reason = (JSON.parse(body) as { message?: unknown }).message
    return typeof reason === 'string' ? reason : message
  } catch {
    return message
  }
}

/** What to tell the operator about a failure: the remedy when there is one, never a password. */
export function explainFailure(error: unknown, databaseUrl: string | undefined): string {
  if (error instanceof ToolError) return error.message
  if (pgErrorCode(error) === '42P01') return MIGRATE_FIRST
  const message = redactPassword(driverMessage(error), databaseUrl)
  if (isDatabaseUnavailable(error)) return `The database is unavailable: ${message}`
  return message
}
