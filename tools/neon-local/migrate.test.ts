/** migrate() through neon-local and the production driver, on every backend available. */

import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type NeonQueryFunction, neon, neonConfig } from '@neondatabase/serverless'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { NeonLocal } from './index'
import { migrate } from './migrate'
import { backends, clientUrl, rejection, serverUrl, writeMigrations } from './test-support'

if (!serverUrl) {
  it.skip('migrate() on PostgreSQL: not run, set TEST_DATABASE_URL (or DATABASE_URL)=postgresql://... to include it', () => {})
}

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'neon-local on %s',
  (_name, backend) => {
    let local: NeonLocal
    let cleanup: () => Promise<void>
    let sql: NeonQueryFunction<false, false>
    const tmpDirs: string[] = []

    beforeAll(async () => {
      ;({ local, cleanup } = await backend.start())
      neonConfig.fetchEndpoint = local.endpoint
      sql = neon(clientUrl(local))
    }, 60_000)

    afterAll(async () => {
      await cleanup?.()
      for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true })
    }, 60_000)

    beforeEach(() => {
      // Another backend's block may have pointed the driver elsewhere.
      neonConfig.fetchEndpoint = local.endpoint
    })

    describe('migrate()', () => {
      function migrationsDir(migrations: Array<{ tag: string; sql: string }>): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-migrations-'))
        tmpDirs.push(dir)
        writeMigrations(dir, migrations)
        return dir
      }
      const run = (migrationsFolder: string) =>
        migrate({
          databaseUrl: local.connectionString,
          fetchEndpoint: local.endpoint,
          migrationsFolder,
        })
      const tableExists = async (name: string) => {
        const [row] = await sql`SELECT to_regclass(${name}) IS NOT NULL AS exists`
        return row?.exists
      }
      const bookkeeping = () =>
        sql`SELECT hash, created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY id`

      beforeEach(async () => {
        await sql.query('DROP SCHEMA IF EXISTS drizzle CASCADE')
      })

      it('applies pending migrations once, with drizzle bookkeeping', async () => {
        const first = [
          {
            tag: '0000_create',
            sql: 'CREATE TABLE mig_a (id integer PRIMARY KEY, name text NOT NULL);\n--> statement-breakpoint\nCREATE INDEX mig_a_name ON mig_a (name);',
          },
          { tag: '0001_seed', sql: "INSERT INTO mig_a VALUES (1, 'one');" },
        ]
        const dir = migrationsDir(first)
        expect(await run(dir)).toEqual({ applied: 2, migrations: ['0000_create', '0001_seed'] })
        expect(await sql`SELECT id, name FROM mig_a`).toEqual([{ id: 1, name: 'one' }])
        const sha = (text: string) => crypto.createHash('sha256').update(text).digest('hex')
        expect(await bookkeeping()).toEqual([
          { hash: sha(first[0]?.sql ?? ''), created_at: '1700000000000' },
          { hash: sha(first[1]?.sql ?? ''), created_at: '1700000001000' },
        ])

        expect(await run(dir)).toEqual({ applied: 0, migrations: [] })
        expect(await bookkeeping()).toHaveLength(2)

        writeMigrations(dir, [
          ...first,
          { tag: '0002_more', sql: "INSERT INTO mig_a VALUES (2, 'two');" },
        ])
        expect(await run(dir)).toEqual({ applied: 1, migrations: ['0002_more'] })
        expect(await sql`SELECT count(*)::int AS n FROM mig_a`).toEqual([{ n: 2 }])
        expect(await bookkeeping()).toHaveLength(3)
      })

      it('applies nothing at all when a migration in the batch fails', async () => {
        const dir = migrationsDir([
          { tag: '0000_ok', sql: 'CREATE TABLE mig_b1 (id integer);' },
          {
            tag: '0001_broken',
            sql: 'CREATE TABLE mig_b2 (id integer);\n--> statement-breakpoint\nINSERT INTO mig_b_missing VALUES (1);',
          },
        ])
        const error = await rejection(run(dir))
        expect(String(error.message)).toMatch(/0000_ok, 0001_broken/)
        expect((error.cause as { code?: string }).code).toBe('42P01')
        expect(await tableExists('mig_b1')).toBe(false)
        expect(await tableExists('mig_b2')).toBe(false)
        expect(await bookkeeping()).toEqual([])
      })

      it('serializes concurrent runs: both succeed, each migration applied once', async () => {
        const dir = migrationsDir([
          { tag: '0000_table', sql: 'CREATE TABLE mig_c (id integer PRIMARY KEY);' },
          { tag: '0001_seed', sql: 'INSERT INTO mig_c VALUES (1);' },
        ])
        const results = await Promise.all([run(dir), run(dir)])
        expect(results.map((result) => result.applied).sort()).toEqual([0, 2])
        expect(await sql`SELECT id FROM mig_c`).toEqual([{ id: 1 }])
        expect(await bookkeeping()).toHaveLength(2)
      })

      it('never applies re-runnable migrations twice when runs race', async () => {
        // Nothing here fails when run twice: only the bookkeeping check inside the batch stops a
        // second run that read the state before the first one committed.
        const dir = migrationsDir([
          { tag: '0000_log', sql: 'CREATE TABLE IF NOT EXISTS mig_d (note text);' },
          { tag: '0001_note', sql: "INSERT INTO mig_d VALUES ('applied');" },
        ])
        const results = await Promise.all([run(dir), run(dir), run(dir)])
        expect(results.map((result) => result.applied).sort()).toEqual([0, 0, 2])
        expect(await sql`SELECT note FROM mig_d`).toEqual([{ note: 'applied' }])
        expect(await bookkeeping()).toHaveLength(2)
      })
    })
  },
)
