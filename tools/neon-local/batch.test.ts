/**
 * neon-local's transactions (POST /sql with a `queries` array, as the driver's `transaction()` and
 * drizzle's `batch()` send them): atomic, isolated as asked, and refused as Neon refuses them.
 */
import { type NeonQueryFunction, neon, neonConfig } from '@neondatabase/serverless'
import { sql as dsql, eq } from 'drizzle-orm'
import { drizzle, type NeonHttpDatabase } from 'drizzle-orm/neon-http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { NeonLocal } from './index'
import { backends, clientUrl, rejection, SCHEMA, samples } from './test-support'

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'neon-local batches on %s',
  (_name, backend) => {
    let local: NeonLocal
    let cleanup: () => Promise<void>
    let appUrl: string
    let sql: NeonQueryFunction<false, false>
    let db: NeonHttpDatabase

    beforeAll(async () => {
      ;({ local, cleanup } = await backend.start())
      neonConfig.fetchEndpoint = local.endpoint
      appUrl = clientUrl(local)
      sql = neon(appUrl)
      db = drizzle({ client: neon(appUrl) })
      await sql.query(SCHEMA)
    }, 60_000)

    afterAll(async () => {
      await cleanup?.()
    }, 60_000)

    beforeEach(() => {
      // Another backend's block may have pointed the driver elsewhere.
      neonConfig.fetchEndpoint = local.endpoint
    })

    it('commits a batch atomically', async () => {
      const at = new Date()
      const [inserted, updated, counted] = await db.batch([
        db.insert(samples).values({ label: 'batch-1', count: 1, flag: true, at }).returning(),
        db
          .update(samples)
          .set({ count: 2 })
          .where(eq(samples.label, 'batch-1'))
          .returning({ count: samples.count }),
        db
          .select({ n: dsql<number>`count(*)::int` })
          .from(samples)
          .where(eq(samples.label, 'batch-1')),
      ])
      expect(inserted).toHaveLength(1)
      expect(updated).toEqual([{ count: 2 }])
      expect(counted).toEqual([{ n: 1 }])
      const rows = await db.select().from(samples).where(eq(samples.label, 'batch-1'))
      expect(rows.map((row) => row.count)).toEqual([2])
    })

    it('rolls a failing batch back entirely and returns its error', async () => {
      const at = new Date()
      await db.insert(samples).values({ label: 'taken', count: 1, flag: true, at })
      const error = await rejection(
        db.batch([
          db.insert(samples).values({ label: 'rolled-back', count: 1, flag: true, at }),
          db.update(samples).set({ count: 99 }).where(eq(samples.label, 'taken')),
          db.insert(samples).values({ label: 'taken', count: 1, flag: true, at }),
        ]),
      )
      // drizzle's batch() hands back the driver's error itself, not wrapped.
      expect(error.code).toBe('23505')
      expect(error.constraint).toBe('samples_label_key')
      const rows = await db
        .select({ label: samples.label, count: samples.count })
        .from(samples)
        .where(dsql`${samples.label} IN ('rolled-back', 'taken')`)
      expect(rows).toEqual([{ label: 'taken', count: 1 }])
    })

    it('honours the batch isolation level, read-only and deferrable headers', async () => {
      const [defaults] = await sql.transaction([sql`SHOW transaction_isolation`])
      expect(defaults).toEqual([{ transaction_isolation: 'read committed' }])

      const [serializable, readOnly, deferrable] = await sql.transaction(
        [
          sql`SHOW transaction_isolation`,
          sql`SHOW transaction_read_only`,
          sql`SHOW transaction_deferrable`,
        ],
        { isolationLevel: 'Serializable', readOnly: true, deferrable: true },
      )
      expect(serializable).toEqual([{ transaction_isolation: 'serializable' }])
      expect(readOnly).toEqual([{ transaction_read_only: 'on' }])
      expect(deferrable).toEqual([{ transaction_deferrable: 'on' }])

      const [repeatable] = await sql.transaction([sql`SHOW transaction_isolation`], {
        isolationLevel: 'RepeatableRead',
      })
      expect(repeatable).toEqual([{ transaction_isolation: 'repeatable read' }])
    })

    it('refuses writes in a read-only batch', async () => {
      const error = await rejection(
        sql.transaction(
          [sql`INSERT INTO samples (label, count, flag, at) VALUES ('read-only', 1, true, now())`],
          { readOnly: true },
        ),
      )
      expect(error.code).toBe('25006')
      expect(await sql`SELECT 1 FROM samples WHERE label = 'read-only'`).toEqual([])
    })

    it('refuses a multi-statement string with 42601, as Neon does', async () => {
      const error = await rejection(sql.query('SELECT 1; SELECT 2'))
      expect(error.code).toBe('42601')
      expect(error.message).toMatch(/multiple commands/)
      const batchError = await rejection(
        sql.transaction([sql.query("INSERT INTO samples (label) VALUES ('x'); SELECT 1")]),
      )
      expect(batchError.code).toBe('42601')
    })
  },
)
