/**
 * neon-local when its database is not there, or goes away under a request: a 503 with
 * Retry-After in the error shape the driver reads, never a crash, and service again on the next
 * request. Also the persisted PGlite and its lock. (A full stop and start of a PostgreSQL server
 * with writes in flight is in outage.test.ts.)
 */
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { neon, neonConfig } from '@neondatabase/serverless'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { RETRY_AFTER_SECONDS, startNeonLocal } from './index'
import { createScratchDatabase } from './scratch-db'
import { clientUrl, postSql, type RawAnswer, rejection, serverUrl } from './test-support'

function expectUnavailable(answer: RawAnswer, code: string): void {
  expect(answer.status).toBe(503)
  expect(answer.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS))
  expect(answer.headers.get('access-control-allow-origin')).toBeNull()
  expect(answer.body).toMatchObject({
    message: expect.stringMatching(/^neon-local: the database is unavailable \(.+\)/),
    code,
    severity: 'ERROR',
    constraint: null,
  })
}

/**
 * A TCP proxy in front of a database that drops both sides of a connection the moment a query
 * containing `marker` passes through: the connection dies while a request holds it.
 */
async function cuttingProxy(upstreamPort: number, marker: string) {
  const sockets = new Set<net.Socket>()
  let cuts = 0
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => sockets.delete(socket))
    }
    client.on('data', (chunk: Buffer) => {
      if (chunk.includes(marker)) {
        cuts++
        client.destroy()
        upstream.destroy()
      } else {
        upstream.write(chunk)
      }
    })
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

describe('neon-local without a healthy backend', () => {
  it('answers 503 with Retry-After when the server cannot be reached, and keeps running', async () => {
    const local = await startNeonLocal({ databaseUrl: 'postgresql://nobody@127.0.0.1:1/none' })
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        expectUnavailable(await postSql(local, { query: 'SELECT 1', params: [] }), '08001')
      }
      // Through the driver, as the Worker sees it: the status its error handler maps to 503.
      neonConfig.fetchEndpoint = local.endpoint
      const error = await rejection(neon(local.connectionString)`SELECT 1`)
      expect(error.message).toMatch(/^Server error \(HTTP status 503\): .*ECONNREFUSED/)
      expect(local.stats().requests).toBe(3)
    } finally {
      await local.close()
    }
  })

  it('survives a connection that dies under a request (pglite-socket), and serves the next', async () => {
    const db = await PGlite.create()
    const socketServer = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: 8,
    })
    await socketServer.start()
    const upstreamPort = Number(socketServer.getServerConn().split(':').at(-1))
    const proxy = await cuttingProxy(upstreamPort, 'cut_here')
    const local = await startNeonLocal({
      databaseUrl: `postgresql://postgres@127.0.0.1:${proxy.port}/postgres`,
    })
    try {
      expect((await postSql(local, { query: 'SELECT 1 AS one', params: [] })).status).toBe(200)
      // A single query, and a batch cut between its statements: pg emits 'error' on the client
      // while the request still holds it, which used to end the process.
      expectUnavailable(await postSql(local, { query: "SELECT 'cut_here'", params: [] }), '08006')
      const batch = {
        queries: [
          { query: 'SELECT 1', params: [] },
          { query: "SELECT 'cut_here'", params: [] },
        ],
      }
      expectUnavailable(await postSql(local, batch), '08006')
      expect(proxy.cuts()).toBe(2)
      const after = await postSql(local, { query: 'SELECT 2 AS two', params: [] })
      expect(after.status).toBe(200)
      expect(after.body.rows).toEqual([{ two: '2' }])
    } finally {
      await local.close()
      await proxy.close()
      await socketServer.stop()
      await db.close()
    }
  })

  const onPostgres = serverUrl ? it : it.skip
  onPostgres(
    serverUrl
      ? 'survives PostgreSQL terminating its connections mid-query, and serves the next request'
      : 'terminated connections on PostgreSQL: not run, set TEST_DATABASE_URL (or DATABASE_URL)=postgresql://... to include it',
    async () => {
      const scratch = await createScratchDatabase(serverUrl as string, 'neon_local_terminate')
      const local = await startNeonLocal({ databaseUrl: scratch.url })
      const admin = new pg.Client({ connectionString: serverUrl })
      admin.on('error', () => undefined)
      await admin.connect()
      try {
        const single = postSql(local, { query: 'SELECT pg_sleep(30)', params: [] })
        const batch = postSql(local, {
          queries: [
            { query: 'SELECT 1', params: [] },
            { query: 'SELECT pg_sleep(30)', params: [] },
          ],
        })
        const sleeping = `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query = 'SELECT pg_sleep(30)'`
        const deadline = Date.now() + 10_000
        while ((await admin.query(sleeping, [scratch.name])).rowCount !== 2) {
          if (Date.now() > deadline) throw new Error('the two requests never reached PostgreSQL')
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        // Every connection of the endpoint, the two busy ones and any idle one in its pool.
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
          [scratch.name],
        )
        expectUnavailable(await single, '57P01')
        expectUnavailable(await batch, '57P01')
        const after = await postSql(local, { query: 'SELECT 3 AS three', params: [] })
        expect(after.status).toBe(200)
      } finally {
        await admin.end()
        await local.close()
        await scratch.drop()
      }
    },
  )
})

describe('neon-local on a persisted PGlite', () => {
  it('keeps data in pgliteDataDir across restarts and refuses a second instance on it', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-pglite-'))
    const dataDir = path.join(parent, 'nested', 'pglite')
    try {
      const first = await startNeonLocal({ pgliteDataDir: dataDir })
      try {
        neonConfig.fetchEndpoint = first.endpoint
        const sql = neon(first.connectionString)
        await sql`CREATE TABLE kept (note text)`
        await sql`INSERT INTO kept VALUES ('still here')`
        await expect(startNeonLocal({ pgliteDataDir: dataDir })).rejects.toThrow(
          `is in use by process ${process.pid}`,
        )
        // The message names the setting that gives a second run a database of its own.
        await expect(startNeonLocal({ pgliteDataDir: dataDir })).rejects.toThrow(
          'set PGLITE_DATA_DIR to another directory',
        )
      } finally {
        await first.close()
      }
      expect(fs.existsSync(`${dataDir}.lock`)).toBe(false)

      const second = await startNeonLocal({ pgliteDataDir: dataDir })
      try {
        neonConfig.fetchEndpoint = second.endpoint
        expect(await neon(clientUrl(second))`SELECT note FROM kept`).toEqual([
          { note: 'still here' },
        ])
      } finally {
        await second.close()
      }
    } finally {
      fs.rmSync(parent, { recursive: true, force: true })
    }
  }, 60_000)
})
