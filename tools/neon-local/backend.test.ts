/** neon-local when its database cannot be reached, and on a persisted PGlite. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { neon, neonConfig } from '@neondatabase/serverless'
import { describe, expect, it } from 'vitest'
import { STATS_PATH, startNeonLocal } from './index'
import { rejection } from './test-support'

describe('neon-local without a healthy backend, and with a persisted PGlite', () => {
  it('answers 500 with a message when the server cannot be reached, and keeps running', async () => {
    const local = await startNeonLocal({ databaseUrl: 'postgresql://nobody@127.0.0.1:1/none' })
    try {
      neonConfig.fetchEndpoint = local.endpoint
      const sql = neon(local.connectionString)
      for (let attempt = 0; attempt < 2; attempt++) {
        const error = await rejection(sql`SELECT 1`)
        expect(error.message).toMatch(/^Server error \(HTTP status 500\): .*ECONNREFUSED/)
      }
      const stats = await fetch(new URL(STATS_PATH, local.endpoint))
      expect(await stats.json()).toMatchObject({ requests: 2 })
    } finally {
      await local.close()
    }
  })

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
      } finally {
        await first.close()
      }
      expect(fs.existsSync(`${dataDir}.lock`)).toBe(false)

      const second = await startNeonLocal({ pgliteDataDir: dataDir })
      try {
        neonConfig.fetchEndpoint = second.endpoint
        expect(await neon(second.connectionString)`SELECT note FROM kept`).toEqual([
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
