/**
 * What the neon-local test files share: the backends to run them on (in-memory PGlite always, a
 * scratch database on a real PostgreSQL server when TEST_DATABASE_URL, else DATABASE_URL, is
 * set), the connection string a client needs, and small helpers.
 */
import fs from 'node:fs'
import path from 'node:path'
import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import { expect } from 'vitest'
import { passwordOf } from './access'
import { describeDatabaseUrl, type NeonLocal, startNeonLocal } from './index'
import { createScratchDatabase, testServerUrl } from './scratch-db'

export interface BackendCase {
  name: string
  start(): Promise<{ local: NeonLocal; cleanup(): Promise<void> }>
}

export const serverUrl = testServerUrl()

export const backends: BackendCase[] = [
  {
    name: 'PGlite (in-memory)',
    async start() {
      const local = await startNeonLocal()
      return { local, cleanup: () => local.close() }
    },
  },
]
if (serverUrl) {
  backends.push({
    name: `PostgreSQL (scratch database on ${describeDatabaseUrl(serverUrl)})`,
    async start() {
      const scratch = await createScratchDatabase(serverUrl, 'neon_local_test')
      const local = await startNeonLocal({ databaseUrl: scratch.url })
      return {
        local,
        async cleanup() {
          await local.close()
          await scratch.drop()
        },
      }
    },
  })
}

/**
 * A connection string as an app would hold it: any user, host and database (the endpoint serves
 * its one backend whatever they say), with the endpoint's per-run secret as the password.
 */
export function clientUrl(local: NeonLocal, user = 'app_user'): string {
  return `postgresql://${user}:${passwordOf(local.connectionString)}@db.example/app`
}

/** The protocol tests' table: a column of every kind of value the app stores. */
export const samples = pgTable('samples', {
  id: uuid('id').primaryKey().defaultRandom(),
  label: text('label').notNull(),
  count: integer('count').notNull(),
  big: bigint('big', { mode: 'bigint' }),
  flag: boolean('flag').notNull(),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  payload: jsonb('payload').$type<{ name: string; nested: { list: number[] } }>(),
  tags: text('tags').array(),
  scores: integer('scores').array(),
  note: text('note'),
})

export const SCHEMA = `CREATE TABLE samples (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  label text NOT NULL CONSTRAINT samples_label_key UNIQUE,
  count integer NOT NULL,
  big bigint,
  flag boolean NOT NULL,
  at timestamptz NOT NULL,
  payload jsonb,
  tags text[],
  scores integer[],
  note text
)`

export async function rejection(promise: PromiseLike<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(Error)
    return error as unknown as Record<string, unknown>
  }
  throw new Error('expected the promise to reject')
}

export function writeMigrations(
  dir: string,
  migrations: Array<{ tag: string; sql: string }>,
): void {
  fs.mkdirSync(path.join(dir, 'meta'), { recursive: true })
  const entries = migrations.map((migration, idx) => ({
    idx,
    version: '7',
    when: 1_700_000_000_000 + idx * 1000,
    tag: migration.tag,
    breakpoints: true,
  }))
  fs.writeFileSync(
    path.join(dir, 'meta', '_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries }, null, 2),
  )
  for (const migration of migrations) {
    fs.writeFileSync(path.join(dir, `${migration.tag}.sql`), migration.sql)
  }
}

export interface RawAnswer {
  status: number
  headers: Headers
  body: Record<string, unknown>
}

/** One request to the endpoint without the driver, to see its status and headers as they are. */
export async function postSql(
  local: NeonLocal,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const response = await fetch(local.endpoint, {
    method: 'POST',
    headers: { 'Neon-Connection-String': clientUrl(local), ...headers },
    body: JSON.stringify(body),
  })
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  }
}
