/**
 * neon-local driven by the production driver (`neon()` and `drizzle-orm/neon-http`), against
 * every backend available: in-memory PGlite always, and a scratch database on a real PostgreSQL
 * server when TEST_DATABASE_URL (else DATABASE_URL) is set.
 */
import crypto from 'node:crypto'
import { type NeonQueryFunction, neon, neonConfig } from '@neondatabase/serverless'
import { and, arrayContains, sql as dsql, eq, isNull } from 'drizzle-orm'
import { drizzle, type NeonHttpDatabase } from 'drizzle-orm/neon-http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { passwordOf } from './access'
import { type NeonLocal, STATS_PATH } from './index'
import { backends, clientUrl, rejection, SCHEMA, samples, serverUrl } from './test-support'

function errorCause(error: unknown): Record<string, unknown> {
  expect(error).toBeInstanceOf(Error)
  const cause = (error as Error).cause
  expect(cause, 'drizzle wraps the driver error in `cause`').toBeInstanceOf(Error)
  return cause as unknown as Record<string, unknown>
}

if (!serverUrl) {
  it.skip('PostgreSQL backend: not run, set TEST_DATABASE_URL (or DATABASE_URL)=postgresql://... to include it', () => {})
}

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'neon-local on %s',
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

    it('round-trips parameters and values of several types through drizzle', async () => {
      const at = new Date('2024-02-29T12:34:56.789Z')
      const row = {
        label: 'types',
        count: 42,
        big: 9_007_199_254_740_993n,
        flag: true,
        at,
        payload: { name: 'ünïcode "quoted"', nested: { list: [1, 2, 3] } },
        tags: ['a', 'b,c', 'd "e"'],
        scores: [7, -1],
        note: null,
      }
      const [inserted] = await db.insert(samples).values(row).returning()
      expect(inserted).toBeDefined()
      if (!inserted) return
      expect(inserted.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      expect(inserted).toEqual({ ...row, id: inserted.id })
      expect(inserted.at).toBeInstanceOf(Date)
      expect(inserted.at.getTime()).toBe(at.getTime())

      const found = await db
        .select()
        .from(samples)
        .where(
          and(
            eq(samples.id, inserted.id),
            eq(samples.label, 'types'),
            eq(samples.count, 42),
            eq(samples.big, 9_007_199_254_740_993n),
            eq(samples.flag, true),
            eq(samples.at, at),
            eq(samples.payload, row.payload),
            arrayContains(samples.tags, ['b,c']),
            isNull(samples.note),
          ),
        )
      expect(found).toEqual([inserted])

      const [raw] = await sql`SELECT ${'text'}::text AS t, ${-5}::int AS i, ${false}::bool AS b,
      ${at}::timestamptz AS at, ${inserted.id}::uuid AS u, ${JSON.stringify({ k: [1, null] })}::jsonb AS j,
      ${null}::text AS n, ${[1, 2, 3]}::int[] AS ints, ${['x', 'y z']}::text[] AS texts`
      // Creating a drizzle instance makes the driver leave timestamps as text (drizzle maps
      // them itself), so `at` comes back as PostgreSQL's text for the instant.
      expect(new Date(String(raw?.at)).getTime()).toBe(at.getTime())
      expect(raw).toEqual({
        t: 'text',
        i: -5,
        b: false,
        at: expect.stringMatching(/^2024-02-29 \d\d:34:56\.789[+-]\d\d/),
        u: inserted.id,
        j: { k: [1, null] },
        n: null,
        ints: [1, 2, 3],
        texts: ['x', 'y z'],
      })
    })

    it('returns full results: command, rowCount and fields', async () => {
      const result = await sql.query(
        'UPDATE samples SET note = $1 WHERE label = $2 RETURNING note',
        ['noted', 'types'],
        { fullResults: true },
      )
      expect(result.command).toBe('UPDATE')
      expect(result.rowCount).toBe(1)
      expect(result.rows).toEqual([{ note: 'noted' }])
      expect(result.fields).toHaveLength(1)
      expect(result.fields[0]).toMatchObject({ name: 'note', dataTypeID: 25, format: 'text' })
    })

    it('surfaces a unique violation with its code and constraint', async () => {
      const row = { label: 'unique', count: 1, flag: false, at: new Date() }
      await db.insert(samples).values(row)
      const error = await rejection(db.insert(samples).values(row))
      const cause = errorCause(error)
      expect(cause.code).toBe('23505')
      expect(cause.constraint).toBe('samples_label_key')
      expect(cause.table).toBe('samples')
      expect(cause.detail).toBe('Key (label)=(unique) already exists.')
    })

    it('answers malformed requests with 4xx JSON and keeps serving', async () => {
      const post = (body: string) =>
        fetch(local.endpoint, {
          method: 'POST',
          headers: { 'Neon-Connection-String': appUrl, 'content-type': 'text/plain' },
          body,
        })
      for (const body of ['{"query": ', '', '[1,2]', '{"query": 5}', '{"queries": {}}']) {
        const response = await post(body)
        expect(response.status, body).toBe(400)
        const json = (await response.json()) as { message?: unknown }
        expect(typeof json.message, body).toBe('string')
      }
      const tooLarge = await post(JSON.stringify({ query: 'SELECT 1', params: ['x'.repeat(11e6)] }))
      expect(tooLarge.status).toBe(413)
      expect(await tooLarge.json()).toEqual({ message: expect.stringMatching(/exceeds/) })
      const badParams = await post(JSON.stringify({ query: 'SELECT 1', params: 'nope' }))
      expect(badParams.status).toBe(400)
      const badHeader = await fetch(local.endpoint, {
        method: 'POST',
        headers: { 'Neon-Connection-String': appUrl, 'Neon-Batch-Isolation-Level': 'Chaos' },
        body: JSON.stringify({ queries: [{ query: 'SELECT 1', params: [] }] }),
      })
      expect(badHeader.status).toBe(400)
      const notFound = await fetch(new URL('/nope', local.endpoint))
      expect(notFound.status).toBe(404)
      expect(await notFound.json()).toEqual({ message: 'no such endpoint: /nope' })
      const wrongMethod = await fetch(local.endpoint, {
        headers: { 'Neon-Connection-String': appUrl },
      })
      expect(wrongMethod.status).toBe(405)

      expect(await sql`SELECT ${'still'} || ' serving' AS s`).toEqual([{ s: 'still serving' }])
    })

    it('serves concurrent requests correctly and never shows an uncommitted batch', async () => {
      const at = new Date()
      const inserts = Array.from({ length: 20 }, (_, i) =>
        db
          .insert(samples)
          .values({ label: `parallel-${i}`, count: i, flag: i % 2 === 0, at })
          .returning({ count: samples.count }),
      )
      const batch = db.batch([
        db.insert(samples).values({ label: 'parallel-batch-a', count: 100, flag: true, at }),
        db.insert(samples).values({ label: 'parallel-batch-b', count: 101, flag: true, at }),
      ])
      // Inserts a row, holds the transaction open, then fails: nobody may ever see that row.
      const doomed = sql.transaction([
        sql`INSERT INTO samples (label, count, flag, at) VALUES ('ghost', 0, true, now())`,
        sql`SELECT pg_sleep(0.3)`,
        sql`SELECT * FROM no_such_table`,
      ])
      const peeks = [50, 150, 250].map(async (delay) => {
        await new Promise((resolve) => setTimeout(resolve, delay))
        return sql`SELECT count(*)::int AS n FROM samples WHERE label = 'ghost'`
      })
      const [insertResults, batchResult, doomedResult, peekResults] = await Promise.all([
        Promise.all(inserts),
        batch,
        doomed.then(
          () => 'committed',
          (error: { code?: string }) => error.code,
        ),
        Promise.all(peeks),
      ])
      expect(insertResults.map((rows) => rows[0]?.count)).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      )
      expect(batchResult).toHaveLength(2)
      expect(doomedResult).toBe('42P01')
      expect(peekResults).toEqual([[{ n: 0 }], [{ n: 0 }], [{ n: 0 }]])
      const [{ n } = { n: -1 }] = await sql`SELECT count(*)::int AS n FROM samples
      WHERE label LIKE 'parallel-%' OR label = 'ghost'`
      expect(n).toBe(22)
    })

    it('counts round trips per connection string, a batch once, without the password', async () => {
      const user = `rt_${crypto.randomBytes(4).toString('hex')}`
      const secret = passwordOf(local.connectionString) ?? ''
      const url = `postgresql://${user}:${secret}@localhost/app`
      const key = `postgresql://${user}@localhost/app`
      const counted = neon(url)
      const before = local.stats()
      expect(before.byConnection[key]).toBeUndefined()

      await counted`SELECT 1`
      await counted.transaction([counted`SELECT 1`, counted`SELECT 2`, counted`SELECT 3`])
      await drizzle({ client: counted }).execute(dsql`SELECT 3`)

      const after = local.stats()
      expect(after.byConnection[key]).toBe(3)
      expect(after.requests - before.requests).toBe(3)
      expect(secret).toMatch(/^[0-9a-f]{64}$/)
      expect(JSON.stringify(after)).not.toContain(secret)

      const response = await fetch(new URL(STATS_PATH, local.endpoint), {
        headers: { 'Neon-Connection-String': url },
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual(local.stats())
    })
  },
)
